"""The tenant's messages: every conversation with the cooperative (the threads of their
requests) newest first with unread counts, the unread total for the portal navigation, and
"write to my contact person" (a general request addressed to the contract's responsible
contact person). Callers import these from ``services.py``.

What callers may rely on: the reads start at ``Ticket.objects.visible_to(user)`` (another
tenant's conversation is never counted or listed) and run a fixed number of queries however
many conversations and messages there are; the write is ``submit_ticket`` with the contact
person as assignee (nothing saved on bad input).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, DateTimeField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from ..tenancy.models import Topic
from ..tenancy.services import contact_person_for, responsible_contacts
from .models import Channel, Ticket, TicketMessage
from .queries import contact_type, eligible_contracts

#: Attribute of the request that holds the unread total once computed (one query per request).
_REQUEST_CACHE = "_tenantportal_unread_messages"


def conversations(user):
    """Queryset: ``user``'s requests as conversations, the most recent activity first.

    Annotated with ``unread_count`` (staff replies newer than the tenant's read mark of the
    request, see ``TicketRead``), ``message_count`` (public messages) and ``last_activity_at``
    (the newest public message, or the filing); type, status, contract and company joined.
    One query per page however many requests and messages there are."""
    unread = (
        TicketMessage.objects.unread_by(user)
        .filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(n=Count("pk"))
        .values("n")
    )
    public = TicketMessage.objects.public().filter(ticket=OuterRef("pk")).order_by()
    total = public.values("ticket").annotate(n=Count("pk")).values("n")
    latest = public.order_by("-created_at").values("created_at")[:1]
    return (
        Ticket.objects.visible_to(user)
        .select_related("ticket_type", "status", "contract", "company")
        .annotate(
            unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            message_count=Coalesce(Subquery(total, output_field=IntegerField()), 0),
            last_activity_at=Greatest(
                "created_at",
                Coalesce(Subquery(latest, output_field=DateTimeField()), "created_at"),
            ),
        )
        .order_by("-last_activity_at", "-pk")
    )


def unread_message_total(user):
    """How many staff replies on ``user``'s requests they have not seen yet (one query; 0 for
    users without a portal account)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return TicketMessage.objects.unread_by(user).filter(ticket__in=Ticket.objects.visible_to(user)).count()


def unread_message_total_for_request(request):
    """``unread_message_total`` of the request's user, computed once per request (the portal
    navigation may ask several times while a page renders)."""
    cached = getattr(request, _REQUEST_CACHE, None)
    if cached is None:
        cached = unread_message_total(getattr(request, "user", None))
        setattr(request, _REQUEST_CACHE, cached)
    return cached


def message_contracts(user):
    """``(ticket_type, contracts)``: the general request type a message is filed as and the
    contracts of ``user`` it may be about (the type is None and the list empty when the
    cooperative offers no general request)."""
    ticket_type = contact_type()
    if ticket_type is None:
        return None, []
    return ticket_type, eligible_contracts(user, ticket_type)


def contact_people(contracts):
    """``{contract.pk: ContactPerson}``: the general contact person of each of ``contracts``
    (one query; contracts without one are missing)."""
    found = responsible_contacts(contracts, [Topic.GENERAL])
    return {
        contract.pk: found[(contract.pk, Topic.GENERAL)]
        for contract in contracts
        if (contract.pk, Topic.GENERAL) in found
    }


def write_to_contact_person(user, *, contract, subject, body, channel=Channel.WEB):
    """File a message of ``user`` about ``contract`` to its responsible contact person and
    return the new request (its thread is the conversation).

    It is a general request (``contact_type``) whose description is ``body``; it goes to the
    staff user of the contract's general contact person if they work for the contract's
    company, else wherever the routing rules send general requests. Raises ``ValidationError``
    (dict) on bad input or a contract that is not the tenant's; nothing is saved then.
    """
    ticket_type, contracts = message_contracts(user)
    if ticket_type is None:
        raise ValidationError({NON_FIELD_ERRORS: [_("Messages cannot be sent in the portal at the moment.")]})
    if contract is None or all(own.pk != getattr(contract, "pk", contract) for own in contracts):
        raise ValidationError({"contract": [_("Choose one of your contracts.")]})
    contract = next(own for own in contracts if own.pk == getattr(contract, "pk", contract))
    person = contact_person_for(contract, Topic.GENERAL)
    from .services import submit_ticket

    return submit_ticket(
        contract=contract,
        ticket_type=ticket_type,
        user=user,
        channel=channel,
        subject=subject,
        description=body,
        assignee=person.user if person is not None else None,
    )
