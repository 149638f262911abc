"""Tenant views of the master data: "My contracts" (list) and one contract (detail).

Thin: ownership comes from ``Contract.objects.visible_to``; a contract id the tenant may not
see (another tenant's, a missing one) answers 404. The context builders below are shared by
these views, the ``ContractsPage`` page type and the blocks, and run a constant number of
queries however many contracts and rent components a tenant has.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..accounts.auth import portal_login_required
from ..context import portal_context
from .models import ContactResponsibility, Contract, ContractParty, Topic

TEMPLATE_DIR = "wagtail_tenantportal/tenancy/"

#: Contract kinds a "My contracts" page shows unless the editor chooses others.
DEFAULT_KINDS = (Contract.Kind.RENTAL, Contract.Kind.PARKING)

#: The topics whose contact person a contract's page names, per contract kind.
TOPICS_BY_KIND = {
    Contract.Kind.RENTAL: (Topic.GENERAL, Topic.TECHNICAL, Topic.RENT, Topic.LETTING),
    Contract.Kind.PARKING: (Topic.GENERAL, Topic.RENT, Topic.LETTING),
    Contract.Kind.MEMBERSHIP: (Topic.GENERAL, Topic.MEMBERSHIP),
    Contract.Kind.SAVINGS: (Topic.GENERAL, Topic.SAVINGS),
}


def render_portal(request, template, context=None, status=200):
    return render(
        request, TEMPLATE_DIR + template, {**portal_context(request), **(context or {})}, status=status
    )


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


def responsible_contacts(contracts, topics):
    """``{(contract.pk, topic): ContactPerson}`` for ``contracts`` and ``topics``, in one query.

    The same choice as ``tenancy.models.contact_person_for`` (the contract's own
    responsibility before its property's before the whole company's; within each the topic
    before "general"), made in Python for all contracts at once. Missing keys: nobody.
    """
    contracts = list(contracts)
    topics = list(topics)
    if not contracts or not topics:
        return {}
    property_ids = {c.unit.property_id for c in contracts if c.unit_id}
    scope = Q(contract__in=[c.pk for c in contracts]) | Q(contract__isnull=True, property__isnull=True)
    if property_ids:
        scope |= Q(contract__isnull=True, property_id__in=property_ids)
    rows = list(
        ContactResponsibility.objects.filter(
            scope,
            company_id__in={c.company_id for c in contracts},
            topic__in=set(topics) | {Topic.GENERAL},
            contact_person__active=True,
        ).select_related("contact_person__photo")
    )
    result = {}
    for contract in contracts:
        property_id = contract.unit.property_id if contract.unit_id else None
        for topic in topics:
            best = None
            for row in rows:
                if row.company_id != contract.company_id or row.topic not in (topic, Topic.GENERAL):
                    continue
                if row.contract_id is not None:
                    if row.contract_id != contract.pk:
                        continue
                    specificity = 0
                elif row.property_id is not None:
                    if row.property_id != property_id:
                        continue
                    specificity = 1
                else:
                    specificity = 2
                key = (specificity, 0 if row.topic == topic else 1, row.pk)
                if best is None or key < best[0]:
                    best = (key, row.contact_person)
            if best is not None:
                result[(contract.pk, topic)] = best[1]
    return result


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
    topics = TOPICS_BY_KIND.get(contract.kind, (Topic.GENERAL,))
    contacts = responsible_contacts([contract], topics)
    return {
        "contract": contract,
        "parties": list(contract.contract_parties.all()),
        "rent": current_rent(contract),
        "show_bank_details": show_bank_details,
        "iban_masked": contract.iban_masked,
        "contact_groups": contacts_by_person(contract, contacts, topics),
        "company": contract.company,
    }


# -- views ----------------------------------------------------------------------------------


@require_GET
@portal_login_required
def contract_list_view(request):
    return render_portal(request, "contract_list.html", contract_list_context(request.user))


@require_GET
@portal_login_required
def contract_detail_view(request, contract_id):
    contract = get_tenant_contract(request.user, contract_id)
    return render_portal(request, "contract_detail.html", contract_detail_context(contract))
