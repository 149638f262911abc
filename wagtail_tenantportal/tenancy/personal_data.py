"""What tenancy holds about a user (``core.personal_data``): the master data of the parties the
user acts for (names, address, contact data on file) and their contracts with the rent.

These records come from the company's ERP and belong to the company: erasing a portal account
keeps them (the link from the login to the parties is the accounts app's and goes there).
Bank details are exported masked, as the portal shows them.
"""

from ..core import ownership
from ..core.personal_data import ErasureReport, PersonalDataProvider, iso, register
from .models import Contract, Party


def _amount(value):
    return str(value) if value is not None else None


@register
class TenancyPersonalData(PersonalDataProvider):
    app = "tenancy"
    order = 500

    def export(self, user):
        parties = Party.objects.visible_to(user).select_related("company").order_by("pk")
        contracts = (
            Contract.objects.visible_to(user)
            .select_related("company", "unit__property")
            .prefetch_related("rent_components")
            .order_by("pk")
        )
        return {
            "parties": [
                {
                    "company": party.company.name,
                    "name": party.full_name,
                    "salutation": party.salutation,
                    "title": party.title,
                    "first_name": party.first_name,
                    "last_name": party.last_name,
                    "birth_date": iso(party.birth_date),
                    "street": party.street,
                    "address_addition": party.address_addition,
                    "postal_code": party.postal_code,
                    "city": party.city,
                    "country": party.country,
                    "email": party.email,
                    "phone": party.phone,
                    "mobile": party.mobile,
                    "phone_work": party.phone_work,
                }
                for party in parties
            ],
            "contracts": [
                {
                    "company": contract.company.name,
                    "number": contract.number,
                    "kind": contract.kind,
                    "unit": str(contract.unit) if contract.unit_id else None,
                    "start_date": iso(contract.start_date),
                    "end_date": iso(contract.end_date),
                    "status": contract.status,
                    "account_holder": contract.account_holder,
                    "iban": contract.iban_masked,
                    "rent": [
                        {
                            "kind": component.kind,
                            "label": component.label,
                            "amount": _amount(component.amount),
                            "valid_from": iso(component.valid_from),
                        }
                        for component in contract.rent_components.all()
                    ],
                }
                for contract in contracts
            ],
        }

    def kept(self, user):
        return {"contracts": Contract.objects.visible_to(user).count()}

    def erase(self, user):
        report = ErasureReport(self.app)
        party_ids = ownership.party_ids(user)
        if party_ids is not None:
            report.kept["parties"] = Party.objects.filter(pk__in=party_ids).count()
            report.kept["contracts"] = Contract.objects.visible_to(user).count()
        return report
