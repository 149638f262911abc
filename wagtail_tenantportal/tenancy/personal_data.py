"""What tenancy holds about a user (``core.personal_data``): the master data of the parties the
user acts for (names, address, contact data on file) and their contracts with the rent.

These records come from the company's ERP and belong to the company: erasing a portal account
keeps them (the link from the login to the parties is the accounts app's and goes there).
Bank details are exported masked, as the portal shows them. The bank-details changes the user
sent are exported too; erasing keeps them (the company needs them for its direct debits and
staff may still have to decide a pending one) without the link to the login.
"""

from ..core import ownership
from ..core.personal_data import ErasureReport, PersonalDataProvider, iso, register
from .models import BankDetailsChange, Contract, Party


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
            "bank_details_changes": [
                {
                    "contract": change.contract.number,
                    "account_holder": change.account_holder,
                    "iban": change.iban_masked,
                    "bank_name": change.bank_name,
                    "status": change.status,
                    "requested_at": iso(change.created_at),
                    "decided_at": iso(change.decided_at),
                    "reason": change.reason,
                }
                for change in BankDetailsChange.objects.filter(requested_by=user)
                .select_related("contract")
                .order_by("pk")
            ],
        }

    def kept(self, user):
        return {"contracts": Contract.objects.visible_to(user).count()}

    def erase(self, user):
        report = ErasureReport(self.app)
        report.anonymised["bank_details_changes"] = BankDetailsChange.objects.filter(
            requested_by=user
        ).update(requested_by=None)
        party_ids = ownership.party_ids(user)
        if party_ids is not None:
            report.kept["parties"] = Party.objects.filter(pk__in=party_ids).count()
            report.kept["contracts"] = Contract.objects.visible_to(user).count()
        return report

    def remaining(self, user):
        return {"bank_details_changes": BankDetailsChange.objects.filter(requested_by_id=user.pk).count()}
