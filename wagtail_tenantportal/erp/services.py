"""Incoming: what the ERP may do, through the features' own services (one road per action).

Each function takes the calling ``Connection`` (it only ever reaches its own company's data)
and returns ``(HTTP status, result dict)``; bad input raises :class:`ErpError` with a status,
a stable error code and a translated message, and leaves nothing half-saved.

- :func:`set_status`: ``tickets.services.change_status`` with channel "erp": a history entry
  the tenant sees and the status mail. The ERP's time of the status (``occurred_at``) decides
  between updates that arrive out of order: an update older than the one applied is ignored.
- :func:`post_message`: ``tickets.services.post_message`` as a staff reply (mailed to the
  tenant); the ERP's message id makes a second call a no-op.
- :func:`attach_document`: ``documents.services.publish`` for a party or contract (source
  "erp", the tenant is told by mail when they agreed to e-delivery); for a request, a reply
  with the PDF attached. The ERP's document id makes a second call a no-op.
- :func:`upsert_master_data`: ``tenancy.importer.import_master_data`` with the import's rules
  (rows as JSON instead of CSV; records missing from the call are left alone).

:func:`run_call` wraps every call: the ``webhook-id`` is claimed once (a second call with it is
a replay, answered 409 with the first answer), the call is recorded (``InboundCall``) and
written to the audit log of what it changed.
"""

import base64
import binascii
import csv
import hashlib
import io
import logging

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from ..core.importing import ImportFile
from ..documents import services as document_services
from ..documents.models import Document
from ..documents.services import DocumentRejected
from ..tenancy.importer import ENTITY_ORDER, import_master_data
from ..tenancy.models import Contract, ImportRun, Party
from ..tickets import services as ticket_services
from ..tickets.models import Channel, TicketMessage, TicketStatus
from .models import CaseLink, InboundCall

logger = logging.getLogger("wagtail_tenantportal.erp")

ACTION_CALL = "tenantportal.erp_call"
LOG_ACTIONS = ((ACTION_CALL, gettext_lazy("ERP call"), gettext_lazy("Changed by the ERP")),)


class ErpError(Exception):
    """A refused call: ``status`` (4xx), ``code`` (stable, for the ERP's code), ``detail``
    (translated), ``fields`` (per-field messages)."""

    def __init__(self, status, code, detail, fields=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = str(detail)
        self.fields = fields or {}

    def as_dict(self):
        body = {"error": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        return body


def _messages(error):
    """A ``ValidationError``'s messages as ``{field: [text]}``."""
    if hasattr(error, "message_dict"):
        return {key: [str(m) for m in messages] for key, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def _ticket(connection, key):
    ticket = ticket_services.company_ticket(connection.company_id, key)
    if ticket is None:
        raise ErpError(
            404, "unknown_request", _("No request with the reference or ERP id “%(key)s”.") % {"key": key}
        )
    return ticket


# -- the calls ----------------------------------------------------------------------------------


def set_status(connection, key, *, status, comment="", occurred_at=None, case_id=""):
    """Set the status of the request ``key`` (reference or ERP id) to the status with code
    ``status``, with ``comment`` for the tenant."""
    ticket = _ticket(connection, key)
    target = TicketStatus.objects.filter(code=status, active=True).first()
    if target is None:
        codes = ", ".join(TicketStatus.objects.filter(active=True).values_list("code", flat=True))
        raise ErpError(
            422,
            "unknown_status",
            _("Unknown status “%(status)s”; known: %(codes)s.") % {"status": status, "codes": codes},
        )
    occurred_at = occurred_at or timezone.now()
    link, _created = CaseLink.objects.get_or_create(ticket=ticket)
    link = CaseLink.objects.select_for_update().get(pk=link.pk)  # one update per request at a time
    if case_id and not ticket.external_id:
        _store_case_id(ticket, case_id)
    if link.status_at and occurred_at <= link.status_at:
        return 200, {
            "result": "ignored",
            "reference": ticket.reference,
            "status": ticket.status.code,
            "detail": _("An update of %(time)s was applied already; this older one is ignored.")
            % {"time": link.status_at.isoformat()},
        }
    if ticket.status_id == target.pk:
        link.status_at = occurred_at
        link.save(update_fields=["status_at", "updated_at"])
        return 200, {"result": "unchanged", "reference": ticket.reference, "status": target.code}
    try:
        change = ticket_services.change_status(ticket, target, comment=comment, channel=Channel.ERP)
    except ValidationError as error:
        raise ErpError(409, "status_not_allowed", "; ".join(error.messages), _messages(error)) from None
    link.status_at = occurred_at
    link.save(update_fields=["status_at", "updated_at"])
    return 200, {
        "result": "changed",
        "reference": ticket.reference,
        "status": target.code,
        "history_id": change.pk,
    }


def _store_case_id(ticket, case_id):
    try:
        ticket_services.update_details(ticket, external_id=case_id)
    except ValidationError as error:
        raise ErpError(409, "case_id_taken", "; ".join(error.messages)) from None


def post_message(connection, key, *, erp_id, body, attachments=()):
    """A reply of the company on the request ``key``, mailed to the tenant."""
    ticket = _ticket(connection, key)
    existing = TicketMessage.objects.filter(ticket=ticket, external_id=erp_id).first()
    if existing is not None:
        return 200, {"result": "unchanged", "reference": ticket.reference, "message_id": existing.pk}
    try:
        message = ticket_services.post_message(
            ticket,
            user=None,
            body=body,
            role=TicketMessage.Role.STAFF,
            channel=Channel.ERP,
            external_id=erp_id,
            attachments=attachments,
        )
    except ValidationError as error:
        raise ErpError(422, "invalid_message", "; ".join(error.messages), _messages(error)) from None
    return 201, {"result": "created", "reference": ticket.reference, "message_id": message.pk}


def decode_file(content_base64, filename):
    """The bytes of a base64 file, as an uploaded file named ``filename``."""
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ErpError(400, "invalid_file", _("“content_base64” is not valid base64.")) from None
    if not content:
        raise ErpError(400, "invalid_file", _("The file is empty."))
    upload = ContentFile(content, name=filename or "document.pdf")
    upload.content_type = "application/pdf"
    return upload


TARGETS = ("party", "contract", "request")


def _document_target(connection, target_type, target_id):
    company_id = connection.company_id
    if target_type == "party":
        target = Party.objects.filter(company_id=company_id, erp_id=target_id).first()
    elif target_type == "contract":
        target = Contract.objects.filter(company_id=company_id, number=target_id).first()
    else:
        return _ticket(connection, target_id)
    if target is None:
        raise ErpError(
            404,
            f"unknown_{target_type}",
            _("No %(kind)s “%(key)s” at this company.") % {"kind": target_type, "key": target_id},
        )
    return target


def attach_document(
    connection,
    *,
    erp_id,
    target_type,
    target_id,
    title,
    file,
    category="letter",
    document_date=None,
    notify=True,
):
    """Publish the PDF ``file`` for a party or contract (in the tenant's documents), or add it
    to a request as a reply with the PDF attached."""
    target = _document_target(connection, target_type, target_id)
    if target_type == "request":
        status, result = post_message(
            connection, target.reference, erp_id=f"document:{erp_id}", body=title, attachments=[file]
        )
        return status, {**result, "target": "request"}
    existing = Document.objects.filter(company_id=connection.company_id, erp_id=erp_id).first()
    if existing is not None:
        return 200, {"result": "unchanged", "document": str(existing.uuid)}
    try:
        document = document_services.publish(
            file,
            target=target,
            category=category,
            title=title,
            document_date=document_date,
            source=Document.Source.ERP,
            erp_id=erp_id,
            filename=file.name,
            notify=notify,
        )
    except ObjectDoesNotExist:
        raise ErpError(
            422, "unknown_category", _("Unknown document category “%(key)s”.") % {"key": category}
        ) from None
    except DocumentRejected as error:
        raise ErpError(422, f"document_{error.code or 'rejected'}", str(error)) from None
    return 201, {"result": "created", "document": str(document.uuid), "target": target_type}


def _csv_bytes(rows):
    columns = []
    for row in rows:
        for name in row:
            if name not in columns:
                columns.append(name)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _master_files(connection, data):
    company_key = connection.company.erp_id
    if not company_key:
        raise ErpError(409, "company_without_erp_id", _("Give the company an ERP id in the admin first."))
    if not isinstance(data, dict) or not data:
        raise ErpError(400, "invalid_body", _("Send an object of lists of rows, e.g. {“contracts”: [...]}."))
    unknown = sorted(set(data) - set(ENTITY_ORDER))
    if unknown:
        raise ErpError(400, "unknown_kind", _("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)})
    files = []
    for kind, rows in data.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ErpError(400, "invalid_rows", _("“%(kind)s” must be a list of objects.") % {"kind": kind})
        if not rows:
            continue
        key = "erp_id" if kind == "companies" else "company"
        for row in rows:
            # A connection writes its own company's data only.
            if row.setdefault(key, company_key) != company_key:
                raise ErpError(
                    403,
                    "foreign_company",
                    _("Rows of “%(kind)s” may only name your company (%(company)s).")
                    % {"kind": kind, "company": company_key},
                )
        content = _csv_bytes(rows)
        files.append(
            ImportFile(name=f"{kind}.csv", kind=kind, open=lambda content=content: io.BytesIO(content))
        )
    return files


def upsert_master_data(connection, data, *, partial=False, dry_run=False):
    """Insert or update master data as the CSV import would (same columns, values and rules),
    without ending records the call does not name."""
    files = _master_files(connection, data)
    result = import_master_data(
        files, dry_run=dry_run, partial=partial, source=ImportRun.Source.CODE, full_export=False
    )
    summary = result.as_dict()
    status = 200 if result.committed or (dry_run and not result.errors) else 422
    return status, {"result": "committed" if result.committed else "not_saved", **summary}


# -- one call -----------------------------------------------------------------------------------


def replay_of(connection, webhook_id):
    """The recorded call with ``webhook_id``, or None."""
    if not webhook_id:
        return None
    return InboundCall.objects.filter(connection=connection, webhook_id=webhook_id).first()


def replay_answer(call):
    return 409, {
        "error": "replay",
        "detail": _("This webhook-id was processed already at %(time)s.")
        % {"time": call.received_at.isoformat()},
        "original_status": call.status_code,
        "original": call.response,
    }


def record_refusal(connection, *, action, status, body, remote_addr=None):
    """Record a call refused before it could be processed (bad signature, address)."""
    InboundCall.objects.create(
        connection=connection, action=action, status_code=status, response=body, remote_addr=remote_addr
    )


def run_call(connection, action, target, handler, *, webhook_id, body, remote_addr=None):
    """Run ``handler()`` (returning ``(status, result)``) once per ``webhook_id``: the call is
    recorded in the same transaction as its changes; a refused call (``ErpError``) changes
    nothing but is recorded too. Returns ``(status, result)``."""
    digest = hashlib.sha256(body or b"").hexdigest()
    previous = replay_of(connection, webhook_id)
    if previous is not None:
        return replay_answer(previous)
    try:
        with transaction.atomic():
            call = InboundCall.objects.create(
                connection=connection,
                webhook_id=webhook_id or "",
                action=action,
                target=str(target)[:100],
                remote_addr=remote_addr,
                status_code=102,
                body_sha256=digest,
            )
            try:
                with transaction.atomic():
                    status, result = handler()
            except ErpError as error:
                status, result = error.status, error.as_dict()
            call.status_code, call.response = status, result
            call.save(update_fields=["status_code", "response"])
            if status < 300:
                log(
                    connection,
                    ACTION_CALL,
                    data={"action": action, "target": str(target), "webhook_id": webhook_id},
                )
    except IntegrityError:  # the same webhook-id at the same moment: the other call won
        previous = replay_of(connection, webhook_id)
        if previous is None:
            raise
        return replay_answer(previous)
    return status, result
