"""Who answers a tenant: the responsible contact person per contract and topic.

The one place this choice is made; the tenant pages, the routing of requests and the admin
reach it through ``tenancy.services``.
"""

from django.db.models import Q

from .models import ContactResponsibility, Topic


def responsible_contacts(contracts, topics):
    """``{(contract.pk, topic): ContactPerson}`` for ``contracts`` and ``topics``, in one query.

    The most specific responsibility wins: the contract's own before its property's before
    the whole company's; within each the topic before "general"; then the oldest. Only
    active contact persons. Missing keys: nobody. The one place this choice is made
    (``contact_person_for``, routing of requests, the tenant pages, the admin use it).
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


def contact_person_for(contract, topic=Topic.GENERAL):
    """The responsible contact person for ``contract`` and ``topic``, or None (one query)."""
    return responsible_contacts([contract], [topic]).get((contract.pk, topic))
