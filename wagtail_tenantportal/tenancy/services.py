"""Public service functions of the tenancy app: what commands, the admin, views, pages, blocks
and other apps call.

The ERP master-data import lives in ``importer.py``; its public API is re-exported here so
callers depend on ``tenancy.services`` only. The tenant's contracts ("My contracts": list,
detail, rent, contact persons) are built here for the views, the ``ContractsPage`` page type
and the blocks alike, with a constant number of queries however many contracts and rent
components a tenant has.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404

from .bank import (
    AlreadyDecided,
    approve_bank_details_change,
    bank_change_contract,
    latest_bank_change,
    mandate_text,
    pending_count,
    reject_bank_details_change,
    staff_bank_change,
    submit_bank_details_change,
    tenant_bank_changes,
)
from .contacts import contact_person_for, responsible_contacts
from .importer import (
    ENTITY_ORDER,
    EntityCounts,
    ImportFile,
    ImportResult,
    RowError,
    import_master_data,
)
from .models import Company, Contract, ContractParty, Topic

#: Contract kinds a "My contracts" page shows unless the editor chooses others (savings
#: agreements have the savings pages).
DEFAULT_KINDS = (Contract.Kind.RENTAL, Contract.Kind.PARKING, Contract.Kind.MEMBERSHIP)

#: The topics whose contact person a contract's page names, per contract kind.
TOPICS_BY_KIND = {
    Contract.Kind.RENTAL: (Topic.GENERAL, Topic.TECHNICAL, Topic.RENT, Topic.LETTING),
    Contract.Kind.PARKING: (Topic.GENERAL, Topic.RENT, Topic.LETTING),
    Contract.Kind.MEMBERSHIP: (Topic.GENERAL, Topic.MEMBERSHIP),
    Contract.Kind.SAVINGS: (Topic.GENERAL, Topic.SAVINGS),
}


# -- imports ------------------------------------------------------------------------------


def company_ids_by_erp_id(company=None):
    """``{erp_id: pk}`` of the companies an import may write: all with an ERP id, or only
    ``company`` (an upload limited to one company; rows of any other company then read as
    rows of an unknown company)."""
    companies = Company.objects.exclude(erp_id=None)
    if company is not None:
        companies = companies.filter(pk=company.pk)
    return dict(companies.values_list("erp_id", "pk"))


# -- companies by what commands are given -------------------------------------------------


def company_by_key(key):
    """The company whose ERP id (as in the CSV files) or slug is ``key``, or None. An ERP id
    wins over another company's slug."""
    key = str(key or "").strip()
    if not key:
        return None
    return (
        Company.objects.select_related("site").filter(erp_id=key).first()
        or Company.objects.select_related("site").filter(slug__iexact=key).first()
    )


def company_by_id(pk):
    """The company ``pk`` (with its site), or None."""
    return Company.objects.select_related("site").filter(pk=pk).first() if pk else None


def company_keys():
    """``[(erp_id or "", slug, name)]`` of every company, by name: what a command may be given."""
    return [(c.erp_id or "", c.slug, c.display_name) for c in Company.objects.order_by("name", "pk")]


def describe_company_keys():
    """The valid companies as lines for an error message (``  LH / wg-lindenhof  Name``)."""
    keys = company_keys()
    if not keys:
        return "There is no company yet: import the master data first (manage.py tenantportal_import)."
    return "Valid companies (ERP id / slug):\n" + "\n".join(
        f"  {erp_id or '-'} / {slug}  {name}" for erp_id, slug, name in keys
    )


def companies_without_site():
    """The companies that have no website (``Company.site``) yet, by name."""
    return list(Company.objects.filter(site__isnull=True).order_by("name", "pk"))


def set_company_site(companies, site, *, sender=None):
    """Make ``site`` the website of ``companies`` and, with ``sender``, their mail sender."""
    for company in companies:
        company.site = site
        fields = ["site", "updated_at"]
        if sender:
            company.mail_from = sender
            fields.append("mail_from")
        company.save(update_fields=fields)


# -- querysets ------------------------------------------------------------------------------


def tenant_contracts(user, kinds=None, *, components=False, parties=False):
    """The contracts ``user`` may see (optionally of ``kinds``), current ones first, with
    company, unit and property loaded; ``components`` / ``parties`` prefetch rent
    components and contract parties (one query each)."""
    qs = Contract.objects.visible_to(user).select_related("company", "unit__property")
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    if components:
        qs = qs.prefetch_related("rent_components")
    if parties:
        qs = qs.prefetch_related(
            Prefetch(
                "contract_parties",
                queryset=ContractParty.objects.select_related("party").order_by("role", "party__last_name"),
            )
        )
    status_rank = Case(
        When(status=Contract.Status.ACTIVE, then=Value(0)),
        When(status=Contract.Status.TERMINATED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(status_rank=status_rank).order_by("status_rank", "kind", "number")


def current_contracts(user, kinds=None, *, components=False):
    """The current contracts of ``tenant_contracts`` (a list; one query, two with
    ``components``)."""
    return list(tenant_contracts(user, kinds, components=components).current())


@dataclass
class Rent:
    """The current rent of a contract: its components (label, amount) and their total."""

    components: list = field(default_factory=list)

    @property
    def total(self):
        return sum((component.amount for component in self.components), Decimal("0.00"))


def current_rent(contract, on=None):
    """``Rent`` of ``contract`` today (uses prefetched ``rent_components``)."""
    return Rent(components=contract.current_rent_components(on))


def contacts_by_person(contract, contacts, topics):
    """``[(ContactPerson, [topic labels])]`` for one contract: each person once, with the
    topics they answer, in the order of ``topics``."""
    grouped = {}
    labels = dict(Topic.choices)
    for topic in topics:
        person = contacts.get((contract.pk, topic))
        if person is not None:
            grouped.setdefault(person.pk, (person, []))[1].append(labels[topic])
    return list(grouped.values())


# -- context builders -----------------------------------------------------------------------


def contract_list_context(user, kinds=None):
    return {"contracts": list(tenant_contracts(user, kinds))}


def get_tenant_contract(user, contract_id, kinds=None):
    """The contract ``contract_id`` of ``user`` with everything the detail page shows; 404 for
    anything else (another tenant's, a missing one, a kind the page does not show)."""
    contract = tenant_contracts(user, kinds, components=True, parties=True).filter(pk=contract_id).first()
    if contract is None:
        raise Http404
    return contract


def contract_detail_context(contract, *, show_bank_details=True):
    """What a contract's page shows; with ``show_bank_details`` also the newest bank-details
    change (one query more) and whether a new one may be filed (a current contract)."""
    topics = TOPICS_BY_KIND.get(contract.kind, (Topic.GENERAL,))
    contacts = responsible_contacts([contract], topics)
    bank_change = latest_bank_change(contract) if show_bank_details else None
    return {
        "contract": contract,
        "parties": list(contract.contract_parties.all()),
        "rent": current_rent(contract),
        "show_bank_details": show_bank_details,
        "bank_change": bank_change,
        "can_change_bank_details": show_bank_details
        and contract.status != Contract.Status.ENDED
        and not (bank_change and bank_change.is_pending),
        "is_membership": contract.kind == Contract.Kind.MEMBERSHIP,
        "iban_masked": contract.iban_masked,
        "contact_groups": contacts_by_person(contract, contacts, topics),
        "company": contract.company,
    }


def contact_context(user, topic):
    """``people`` [(ContactPerson, [contract numbers])] responsible for ``topic`` on the
    tenant's current contracts (each person once), and ``companies`` whose general channels
    stand in for contracts without one. Two queries."""
    contracts = current_contracts(user)
    contacts = responsible_contacts(contracts, [topic])
    people, companies = {}, {}
    for contract in contracts:
        person = contacts.get((contract.pk, topic))
        if person is None:
            companies.setdefault(contract.company_id, contract.company)
        else:
            people.setdefault(person.pk, (person, []))[1].append(contract.number)
    return {
        "people": list(people.values()),
        "companies": list(companies.values()),
        "several_contracts": len(contracts) > 1,
    }


__all__ = [
    "DEFAULT_KINDS",
    "AlreadyDecided",
    "approve_bank_details_change",
    "bank_change_contract",
    "latest_bank_change",
    "mandate_text",
    "pending_count",
    "reject_bank_details_change",
    "staff_bank_change",
    "submit_bank_details_change",
    "tenant_bank_changes",
    "Rent",
    "company_ids_by_erp_id",
    "contact_context",
    "contract_detail_context",
    "contract_list_context",
    "current_contracts",
    "current_rent",
    "get_tenant_contract",
    "tenant_contracts",
    "ENTITY_ORDER",
    "EntityCounts",
    "ImportFile",
    "ImportResult",
    "RowError",
    "import_master_data",
    "responsible_contacts",
    "contact_person_for",
]
