"""What every ticket action shares: its audit-log actions, the public signals it sends (inside
the transaction for work that commits with it, after the commit for receivers), the reference
numbers of new tickets. ``services.py`` re-exports the names callers use."""

import logging

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..core.tasks import after_commit
from . import signals
from .models import Channel, Ticket, TicketSequence

logger = logging.getLogger("wagtail_tenantportal.tickets")

#: Audit-log actions (registered in wagtail_hooks.py).
ACTION_SUBMITTED = "tenantportal.ticket_submitted"
ACTION_STATUS_CHANGED = "tenantportal.ticket_status_changed"
ACTION_ASSIGNED = "tenantportal.ticket_assigned"
ACTION_MESSAGE = "tenantportal.ticket_message"
ACTION_NOTE = "tenantportal.ticket_note"
ACTION_JOINED = "tenantportal.ticket_joined"
ACTION_DETAILS = "tenantportal.ticket_details_changed"

TENANT_CHANNELS = (Channel.WEB, Channel.API)
SUBJECT_MAX_LENGTH = 200


# -- after the commit, inside the transaction, numbers -------------------------------------------------------------------------------------


def send_signal(signal, **kwargs):
    def send():
        for receiver, result in signal.send_robust(sender=Ticket, **kwargs):
            if isinstance(result, Exception):
                logger.error("receiver %r of a ticket signal failed", receiver, exc_info=result)

    after_commit(send)


def record_event(event, ticket, channel, **kwargs):
    """``signals.ticket_event`` inside the transaction: receivers record work (the ERP's outbox
    events) that commits or rolls back with the change."""
    kwargs.setdefault("attachments", [])
    signals.ticket_event.send(sender=Ticket, ticket=ticket, event=event, channel=channel, **kwargs)


def next_reference(now=None):
    """The next free reference number of the year, e.g. ``2026-004217`` (call inside a transaction)."""
    year = timezone.localtime(now or timezone.now()).year
    TicketSequence.objects.get_or_create(year=year)
    while True:
        # The UPDATE locks the counter row until commit, so two requests never get the same number.
        TicketSequence.objects.filter(year=year).update(last_number=F("last_number") + 1)
        number = TicketSequence.objects.values_list("last_number", flat=True).get(year=year)
        reference = f"{year}-{number:06d}"
        # Numbers taken otherwise (imported from the ERP, restored data) are skipped.
        if not Ticket.objects.filter(reference=reference).exists():
            return reference


#: Messages of the audit-log actions (wagtail_hooks registers them).
LOG_ACTIONS = (
    (ACTION_SUBMITTED, gettext_lazy("Submit request"), gettext_lazy("Request submitted")),
    (ACTION_STATUS_CHANGED, gettext_lazy("Change request status"), gettext_lazy("Request status changed")),
    (ACTION_ASSIGNED, gettext_lazy("Assign request"), gettext_lazy("Request assigned")),
    (ACTION_MESSAGE, gettext_lazy("Message on a request"), gettext_lazy("Message written")),
    (ACTION_NOTE, gettext_lazy("Internal note on a request"), gettext_lazy("Internal note written")),
    (
        ACTION_DETAILS,
        gettext_lazy("Change request details"),
        gettext_lazy("Priority, due date or ERP id changed"),
    ),
    (ACTION_JOINED, gettext_lazy("Join a report"), gettext_lazy("Another tenant reported the same damage")),
)
