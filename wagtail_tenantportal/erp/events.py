"""Outgoing: what the ERP hears about, recorded in the transaction of the change.

The receivers here listen to the features' in-transaction signals (``tickets.signals.
ticket_event``) and write one outbox row (channel ``"erp"``) per event for the company's
active connection, in the stream ``ticket:<id>`` so that the events of one request arrive in
order. The payload is a snapshot taken at the change (the ERP sees what happened then, even if
it is delivered hours later). Changes the ERP made itself (channel "erp") are not sent back.

Envelope (docs/erp.md has the catalogue with examples)::

    {"type": "ticket.created", "timestamp": "2026-03-02T09:15:00+00:00", "data": {...}}

Other apps add events with :func:`record` (e.g. a bank-details change of the self-service).
"""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ..core import outbox
from ..core.adapter import get_adapter
from ..tickets.models import Channel
from .models import Connection

CHANNEL = "erp"

TICKET_CREATED = "ticket.created"
TICKET_STATUS_CHANGED = "ticket.status_changed"
TICKET_MESSAGE_POSTED = "ticket.message_posted"
TICKET_ATTACHMENT_ADDED = "ticket.attachment_added"
BANK_DETAILS_CHANGED = "contract.bank_details_changed"
PORTAL_ACCOUNT_DELETED = "portal_account.deleted"
EXEMPTION_ORDER_CHANGED = "savings.exemption_order_changed"
DOCUMENT_REQUESTED = "document.requested"
EVENT_TYPES = (
    TICKET_CREATED,
    TICKET_STATUS_CHANGED,
    TICKET_MESSAGE_POSTED,
    TICKET_ATTACHMENT_ADDED,
    BANK_DETAILS_CHANGED,
    PORTAL_ACCOUNT_DELETED,
    EXEMPTION_ORDER_CHANGED,
    DOCUMENT_REQUESTED,
)


def active_connection(company_id):
    """The company's active connection, or None (then nothing is recorded)."""
    if company_id is None:
        return None
    return Connection.objects.active().filter(company_id=company_id).first()


def record(connection, event_type, data, *, stream="", occurred_at=None):
    """Write one event for ``connection`` into the outbox of the current transaction."""
    occurred_at = occurred_at or timezone.now()
    payload = {"type": event_type, "timestamp": occurred_at.isoformat(), "data": data}
    return outbox.enqueue(
        CHANNEL,
        event_type,
        payload,
        destination=connection.pk,
        stream=stream,
        company_id=connection.company_id,
    )


def ticket_stream(ticket):
    return f"ticket:{ticket.pk}"


# -- payloads --------------------------------------------------------------------------------


def _named(obj, key="erp_id"):
    if obj is None:
        return None
    return {key: getattr(obj, key, None) or None, "name": str(obj)}


def case_mapping(ticket, connection):
    """``(case type, clerk)`` for ``ticket``: the most specific matching mapping, else the
    connection's defaults."""
    mappings = [m for m in connection.case_mappings.all() if m.matches(ticket)]
    if mappings:
        best = max(mappings, key=lambda m: (m.specificity, -m.sort_order if m.sort_order is not None else 0))
        return best.case_type, best.clerk or connection.default_clerk
    return connection.default_case_type, connection.default_clerk


def _damage(ticket):
    if not ticket.damage_kind_id and not ticket.damage_location_id:
        return None
    return {
        "location": ticket.damage_location.name if ticket.damage_location else None,
        "category": ticket.damage_category.name if ticket.damage_category else None,
        "kind": ticket.damage_kind.name if ticket.damage_kind else None,
        "location_id": ticket.damage_location_id,
        "category_id": ticket.damage_category_id,
        "kind_id": ticket.damage_kind_id,
        "shared_area": bool(ticket.damage_location and ticket.damage_location.is_shared_area),
    }


def _status(status):
    return {"code": status.code, "name": status.label, "closed": status.is_closed}


def ticket_data(ticket, connection):
    """The case as the ERP gets it with ``ticket.created``."""
    case_type, clerk = case_mapping(ticket, connection)
    contract = ticket.contract
    unit = contract.unit if contract.unit_id else None
    return {
        "reference": ticket.reference,
        "case_id": ticket.external_id or None,
        "case_type": case_type or None,
        "clerk": clerk or None,
        "request_type": {"code": ticket.ticket_type.code, "name": ticket.ticket_type.label},
        "subject": ticket.subject,
        "description": ticket.description,
        "status": _status(ticket.status),
        "priority": ticket.priority,
        "urgent": ticket.is_urgent,
        "due_date": ticket.due_date.isoformat() if ticket.due_date else None,
        "channel": ticket.channel,
        "created_at": ticket.created_at.isoformat(),
        "company": {"erp_id": ticket.company.erp_id, "name": ticket.company.name},
        "contract": {"number": contract.number, "kind": contract.kind},
        "unit": _named(unit),
        "property": _named(ticket.property),
        "reported_by": _named(ticket.party),
        "contact": {
            "phone": ticket.contact_phone,
            "email": ticket.contact_email,
            "reachability": ticket.reachability,
            "access_permission": ticket.access_permission or None,
            "access_times": ticket.access_times,
        },
        "damage": _damage(ticket),
        "form_data": ticket.form_data,
    }


def attachment_url(attachment):
    """Where the ERP downloads an attachment (with its API key)."""
    try:
        path = reverse("tenantportal_erp:attachment", args=[attachment.pk])
    except NoReverseMatch:
        return None
    return get_adapter().build_absolute_uri(None, path)


def attachment_data(ticket, attachment):
    return {
        "reference": ticket.reference,
        "case_id": ticket.external_id or None,
        "attachment": {
            "id": attachment.pk,
            "kind": attachment.kind,
            "filename": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "message_id": attachment.message_id,
            "internal": attachment.internal,
            "url": attachment_url(attachment),
        },
    }


def _by_whom(user, channel):
    if user is None:
        return {"channel": channel, "name": None}
    return {"channel": channel, "name": user.get_full_name() or user.get_username()}


def status_data(ticket, change):
    return {
        "reference": ticket.reference,
        "case_id": ticket.external_id or None,
        "from": _status(change.from_status) if change.from_status else None,
        "to": _status(change.to_status),
        "comment": change.comment,
        "changed_at": change.changed_at.isoformat(),
        "changed_by": _by_whom(change.changed_by, change.channel),
    }


def message_data(ticket, message, attachments):
    return {
        "reference": ticket.reference,
        "case_id": ticket.external_id or None,
        "message": {
            "id": message.pk,
            "author_role": message.author_role,
            "author": _by_whom(message.author, message.channel),
            "body": message.body,
            "internal": message.internal,
            "created_at": message.created_at.isoformat(),
            "attachment_ids": [a.pk for a in attachments],
        },
    }


# -- receivers -------------------------------------------------------------------------------


def on_ticket_event(sender, *, ticket, event, channel, change=None, message=None, attachments=(), **kwargs):
    """``tickets.signals.ticket_event``: record the ERP events of a ticket change."""
    if channel == Channel.ERP:
        return
    connection = active_connection(ticket.company_id)
    if connection is None:
        return
    stream = ticket_stream(ticket)
    if event == "submitted":
        record(
            connection,
            TICKET_CREATED,
            ticket_data(ticket, connection),
            stream=stream,
            occurred_at=ticket.created_at,
        )
    elif event == "status_changed":
        record(
            connection,
            TICKET_STATUS_CHANGED,
            status_data(ticket, change),
            stream=stream,
            occurred_at=change.changed_at,
        )
        return
    elif event == "message_posted":
        if message.internal and not connection.send_internal_notes:
            return
        record(
            connection,
            TICKET_MESSAGE_POSTED,
            message_data(ticket, message, attachments),
            stream=stream,
            occurred_at=message.created_at,
        )
    for attachment in attachments:
        if attachment.internal and not connection.send_internal_notes:
            continue
        record(connection, TICKET_ATTACHMENT_ADDED, attachment_data(ticket, attachment), stream=stream)


def bank_details_data(change):
    """What the ERP gets when staff approved a tenant's new account for a contract."""
    contract = change.contract
    return {
        "contract": {"number": contract.number, "kind": contract.kind},
        "company": {"erp_id": change.company.erp_id, "name": change.company.name},
        "account_holder": change.account_holder,
        "iban": change.iban,
        "bic": change.bic or None,
        "bank_name": change.bank_name or None,
        "sepa_mandate_reference": contract.sepa_mandate_reference or None,
        "mandate_text": change.mandate_text,
        "mandate_confirmed_at": change.created_at.isoformat(),
        "approved_at": change.decided_at.isoformat() if change.decided_at else None,
        "approved_by": _by_whom(change.decided_by, "staff"),
    }


def on_bank_details_approved(sender, *, change, **kwargs):
    """``tenancy.signals.bank_details_approved``: the ERP hears of the contract's new account
    (stream ``contract:<id>``)."""
    connection = active_connection(change.company_id)
    if connection is None:
        return
    record(
        connection,
        BANK_DETAILS_CHANGED,
        bank_details_data(change),
        stream=f"contract:{change.contract_id}",
        occurred_at=change.decided_at,
    )


def _party(party):
    return {"erp_id": party.erp_id or None, "name": str(party)} if party is not None else None


def exemption_data(request):
    """What the ERP gets when staff confirmed a tenant's exemption order for a year (the ERP
    keeps the orders: it enters this one, the next import brings it back)."""
    return {
        "company": {"erp_id": request.company.erp_id, "name": request.company.name},
        "holder": _party(request.party),
        "year": request.year,
        "action": request.action,
        "amount": str(request.amount),
        "joint": request.joint,
        "partner": _party(request.partner) if request.joint else None,
        "confirmed_at": request.decided_at.isoformat() if request.decided_at else None,
        "confirmed_by": _by_whom(request.decided_by, "staff"),
    }


def on_exemption_request_confirmed(sender, *, request, **kwargs):
    """``savings.signals.exemption_request_confirmed`` (stream ``party:<id>``)."""
    connection = active_connection(request.company_id)
    if connection is None:
        return
    record(
        connection,
        EXEMPTION_ORDER_CHANGED,
        exemption_data(request),
        stream=f"party:{request.party_id}",
        occurred_at=request.decided_at,
    )


def document_request_data(request):
    """What the ERP gets when a tenant asked for a document of the catalogue (an ERP that
    makes the document can answer with the inbound API's document upload)."""
    return {
        "id": request.pk,
        "company": {"erp_id": request.company.erp_id, "name": request.company.name},
        "contract": {"number": request.contract.number, "kind": request.contract.kind},
        "document": {
            "name": request.request_type.name,
            "category": request.request_type.category.key if request.request_type.category_id else None,
        },
        "note": request.note,
        "requested_at": request.created_at.isoformat(),
    }


def on_document_requested(sender, *, request, **kwargs):
    """``documents.signals.document_requested`` (stream ``contract:<id>``)."""
    connection = active_connection(request.company_id)
    if connection is None:
        return
    record(
        connection,
        DOCUMENT_REQUESTED,
        document_request_data(request),
        stream=f"contract:{request.contract_id}",
        occurred_at=request.created_at,
    )


def sync_state(ticket):
    """The ticket's ERP events, newest first, for the staff view (state, attempts, error)."""
    return list(
        outbox.OutboxMessage.objects.filter(channel=CHANNEL, stream=ticket_stream(ticket)).order_by("-pk")
    )


__all__ = [
    "CHANNEL",
    "EVENT_TYPES",
    "active_connection",
    "record",
    "sync_state",
]


def on_account_deleted(sender, *, parties, contracts, open_items, **kwargs):
    """``accounts.signals.account_deleted``: tell each company's ERP which of its parties no
    longer use the portal (paper from now on), with the open requests that stay open."""
    by_company = {}
    for party in parties:
        by_company.setdefault(party.company_id, []).append(party)
    for company_id, company_parties in by_company.items():
        connection = active_connection(company_id)
        if connection is None:
            continue
        record(
            connection,
            PORTAL_ACCOUNT_DELETED,
            {
                "parties": [{"erp_id": party.erp_id, "name": party.full_name} for party in company_parties],
                "contracts": [number for owner, number in contracts if owner == company_id],
                "open_requests": [
                    item["reference"] for item in open_items if item.get("company_id") == company_id
                ],
            },
        )
