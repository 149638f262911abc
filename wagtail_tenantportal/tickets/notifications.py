"""Emails about tickets: to tenants on every status change and reply (respecting their
``NotificationPreference``), to staff when a ticket is assigned to them or a tenant writes.

``notify(event, ticket, object_id)`` is called by the services inside their transaction and
records an outbox task there (``core.tasks.defer``); after the commit the task finds the
recipients and queues one outbox mail each (``adapter.send_mail``), so a mail server that is
down delays the mails and loses none. Mails carry the reference, subject and status and link to the portal; message
texts stay in the portal.
"""

import logging

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django_tasks import task

from ..core import links
from ..core.adapter import get_adapter
from ..core.conf import portal_settings
from ..core.tasks import defer

logger = logging.getLogger("wagtail_tenantportal.tickets")


RECEIVED = "received"
STATUS_CHANGED = "status_changed"
REPLY = "reply"
ASSIGNED = "assigned"
TENANT_MESSAGE = "tenant_message"
EVENTS = (RECEIVED, STATUS_CHANGED, REPLY, ASSIGNED, TENANT_MESSAGE)

#: Event -> mail template prefix (``templates/wagtail_tenantportal/emails/<prefix>_*.txt``).
TEMPLATES = {
    RECEIVED: "ticket_received",
    STATUS_CHANGED: "ticket_status_changed",
    REPLY: "ticket_reply",
    ASSIGNED: "ticket_assigned",
    TENANT_MESSAGE: "ticket_tenant_message",
}


def notify(event, ticket, object_id=None):
    """Record in the current transaction that the mails of ``event`` about ``ticket`` are to be
    sent (an outbox task: rendered and queued per recipient after the commit)."""
    defer(deliver_task, event, ticket.pk, object_id, company_id=ticket.company_id)


def deliver(event, ticket_id, object_id=None):
    """Render and send the mails of one event. Returns the number of mails sent."""
    from .models import Ticket

    ticket = (
        Ticket.objects.select_related(
            "status", "ticket_type", "contract", "company__site", "property", "assignee"
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return 0
    if event in (RECEIVED, STATUS_CHANGED, REPLY):
        return _deliver_to_tenants(event, ticket, object_id)
    if event in (ASSIGNED, TENANT_MESSAGE):
        return _deliver_to_staff(event, ticket, object_id)
    raise ValueError(f"unknown ticket event {event!r}")


@task()
def deliver_task(event, ticket_id, object_id=None):
    """The task wrapping ``deliver`` (a module-level name, so queue workers can import it)."""
    return deliver(event, ticket_id, object_id)


def tenant_recipients(ticket, *, include_supporters=False):
    """The tenants to tell about ``ticket``: its reporter while they still hold the contract, else
    the other accounts of the reporting party on the contract (co-tenants only where the company
    lets them see each other's requests, or the ticket names no party); plus "me too" tenants
    if asked. Nobody is told about a request they could not open."""
    from ..accounts.models import AccountParty

    links = AccountParty.objects.filter(
        active=True, party__contract_parties__contract_id=ticket.contract_id, account__user__is_active=True
    ).select_related("account__user")
    if ticket.party_id is not None and not ticket.company.co_tenants_share_requests:
        links = links.filter(party_id=ticket.party_id)
    users = {link.account.user_id: link.account.user for link in links}
    if ticket.created_by_id in users:
        users = {ticket.created_by_id: users[ticket.created_by_id]}
    if include_supporters:
        for supporter in ticket.supporters.select_related("user").filter(user__is_active=True):
            users.setdefault(supporter.user_id, supporter.user)
    return list(users.values())


def _wants(users, preference):
    from .models import NotificationPreference

    opted_out = set(
        NotificationPreference.objects.filter(account__user__in=users, **{preference: False}).values_list(
            "account__user_id", flat=True
        )
    )
    return [user for user in users if user.pk not in opted_out]


def _portal_url(company, path_name, *args):
    """The portal address ``path_name`` on ``company``'s own site (the mail leaves outside a
    request: ``core.links``)."""
    try:
        path = reverse(f"wagtail_tenantportal:{path_name}", args=args)
    except NoReverseMatch:
        return ""
    return get_adapter().build_absolute_uri(None, path, company=company)


def _admin_url(ticket):
    """The request's page in the Wagtail admin, absolute (``WAGTAILADMIN_BASE_URL``)."""
    try:
        path = reverse("tenantportal_tickets:detail", args=[ticket.pk])
    except NoReverseMatch:
        return ""
    return links.admin_url(path)


def _deliver_to_tenants(event, ticket, object_id):
    from .models import TicketMessage, TicketStatusChange

    context = {
        "ticket": ticket,
        "ticket_url": _portal_url(ticket.company, "ticket_detail", ticket.reference),
    }
    if event == STATUS_CHANGED:
        change = (
            TicketStatusChange.objects.select_related("to_status", "from_status").filter(pk=object_id).first()
        )
        if change is None:
            return 0
        context["change"] = change
        users = _wants(tenant_recipients(ticket, include_supporters=True), "status_changes")
    elif event == REPLY:
        message = TicketMessage.objects.filter(pk=object_id, internal=False).first()
        if message is None:
            return 0
        context["message"] = message
        users = _wants(tenant_recipients(ticket), "replies")
    else:
        users = _wants(tenant_recipients(ticket), "status_changes")
    return _send_each(TEMPLATES[event], users, context, ticket)


def _deliver_to_staff(event, ticket, object_id):
    if not portal_settings.TICKET_NOTIFY_STAFF:
        return 0
    if event == ASSIGNED:
        user = get_user_model()._default_manager.filter(pk=object_id, is_active=True).first()
        if user is None or user.pk != ticket.assignee_id:
            return 0  # reassigned meanwhile
    else:
        user = ticket.assignee
        if user is None or not user.is_active:
            return 0
    context = {"ticket": ticket, "admin_url": _admin_url(ticket), "recipient": user}
    return _send_each(TEMPLATES[event], [user], context, ticket)


def _send_each(template_prefix, users, context, ticket):
    adapter = get_adapter()
    sent = 0
    for user in users:
        email = adapter.user_email(user)
        if not email:
            continue
        try:
            adapter.send_mail(template_prefix, email, {**context, "recipient": user}, company=ticket.company)
        except Exception:  # one failing address must not stop the others; the task backend logs it
            logger.exception("ticket mail %s for %s could not be sent", template_prefix, ticket.reference)
            continue
        sent += 1
    return sent
