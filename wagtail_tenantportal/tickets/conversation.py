"""The conversation on a ticket: messages and internal notes, the tenant's read marks, other
tenants joining a report ("me too"). Callers import these from ``services.py``."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..tenancy.models import Contract
from . import notifications, signals
from .events import ACTION_JOINED, ACTION_MESSAGE, ACTION_NOTE, record_event, send_signal
from .inputs import (
    check_rate,
    clean_text,
    collect,
    count_rate,
    process_attachments,
    remove_files,
    store_attachments,
)
from .models import Channel, Ticket, TicketMessage, TicketRead, TicketSupporter

# -- messages ------------------------------------------------------------------------------------


def post_message(
    ticket,
    *,
    user,
    body,
    role=TicketMessage.Role.TENANT,
    internal=False,
    attachments=(),
    channel=None,
    external_id="",
):
    """Add a message to ``ticket``'s thread and return it.

    Tenants (``role`` "tenant") must hold the ticket's contract and cannot write on closed
    tickets or write internal notes. Staff replies are mailed to the tenant; internal notes are
    seen by staff only (their attachments too). Tenant messages are mailed to the assignee.
    ``external_id`` is the ERP's key of the message (a second message with the same key on the
    same ticket is not written: the first one is returned).
    """
    if external_id:
        existing = TicketMessage.objects.filter(ticket=ticket, external_id=external_id).first()
        if existing is not None:
            return existing
    is_tenant = role == TicketMessage.Role.TENANT
    channel = channel or (Channel.WEB if is_tenant else Channel.STAFF)
    errors = {}
    if is_tenant:
        if internal or user is None or not Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists():
            raise ValidationError({NON_FIELD_ERRORS: [_("You cannot write on this request.")]})
        if ticket.status.is_closed:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("This request is closed. Please file a new request if you need anything else.")
                    ]
                }
            )
        check_rate("ticket_message", user)
    body = collect(errors, "body", clean_text, body) or ""
    if not body and "body" not in errors:
        errors["body"] = [_("Write a message.")]
    counted = False
    if not errors and is_tenant and any(attachments or ()):
        count_rate("ticket_message", user)  # files cost work even when refused: count them now
        counted = True
    processed = [] if errors else process_attachments(attachments, errors, user=user)
    if errors:
        raise ValidationError(errors)
    stored = []
    try:
        with transaction.atomic():
            message = TicketMessage.objects.create(
                ticket=ticket,
                author=user,
                author_role=role,
                body=body,
                internal=internal,
                channel=channel,
                external_id=external_id or "",
            )
            stored_attachments = store_attachments(
                ticket, processed, message=message, user=user, internal=internal, stored_names=stored
            )
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
            log(
                ticket,
                ACTION_NOTE if internal else ACTION_MESSAGE,
                user=user,
                data={"message": message.pk, "role": role, "attachments": len(processed)},
            )
            if not internal:
                event = notifications.TENANT_MESSAGE if is_tenant else notifications.REPLY
                notifications.notify(event, ticket, message.pk)
            record_event("message_posted", ticket, channel, message=message, attachments=stored_attachments)
            send_signal(signals.ticket_message_posted, ticket=ticket, message=message, channel=channel)
    except BaseException:
        remove_files(stored)
        raise
    if is_tenant and not counted:
        count_rate("ticket_message", user)
    return message


# -- read marks ----------------------------------------------------------------------------------


def mark_seen(ticket, user, *, now=None):
    """Remember that the tenant ``user`` has just seen ``ticket`` (its page in the portal):
    replies and status changes until now are no longer "new" for them. One upsert query;
    nothing for users without a portal account (staff). Callers check that the user may see
    the ticket and has a full portal session. Returns the time stored, or None."""
    from ..accounts.auth import get_account

    account = get_account(user)
    if account is None:
        return None
    now = now or timezone.now()
    TicketRead.objects.bulk_create(
        [TicketRead(account=account, ticket=ticket, last_seen_at=now)],
        update_conflicts=True,
        unique_fields=["account", "ticket"],
        update_fields=["last_seen_at"],
    )
    return now


# -- "me too" ------------------------------------------------------------------------------------


def join_ticket(ticket, user):
    """Let ``user`` join an open report in a shared area of a building where they hold a contract
    ("me too") instead of filing a duplicate. Idempotent; returns the ``TicketSupporter``."""
    if user is None or not Ticket.objects.shared_open_for(user).filter(pk=ticket.pk).exists():
        raise ValidationError({NON_FIELD_ERRORS: [_("You cannot join this report.")]})
    contract = (
        Contract.objects.visible_to(user)
        .current()
        .filter(unit__property_id=ticket.property_id)
        .order_by("pk")
        .first()
    )
    with transaction.atomic():
        supporter, created = TicketSupporter.objects.get_or_create(
            ticket=ticket, user=user, defaults={"contract": contract}
        )
        if created:
            log(ticket, ACTION_JOINED, user=user, data={"contract": contract.pk if contract else None})
    return supporter
