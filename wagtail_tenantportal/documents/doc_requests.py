"""Document requests: what tenants may request, the request, and the staff's answer.

Re-exported by ``services`` as ``services.doc_requests``; views, admin and API call these
functions only. Each runs a fixed number of queries whatever the number of contracts, types or
requests.

- ``request_choices(user)``: ``[(contract, [types])]`` of the tenant's contracts (two queries);
- ``submit_request(user, contract_id, type_id, note)``: the request (``ValidationError`` by field
  for a foreign or unknown contract or type, an open request of the same document, a long note);
- ``tenant_requests(user)``: the latest requests of the tenant's contracts;
- ``fulfil_request(req, file, title, user)``: publish the uploaded PDF for the contract
  (``services.publish``: delivery, e-delivery mail) and close the request, atomically;
- ``reject_request(req, user, reason)``;
- ``standard_catalogue(company)``: adds the usual entries to a company's catalogue.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import signals
from .models import DocumentRequest, DocumentRequestType, portal_contracts
from .publishing import acting_user, get_category

ACTION_REQUESTED = "tenantportal.document_requested"
ACTION_FULFILLED = "tenantportal.document_request_fulfilled"
ACTION_REJECTED = "tenantportal.document_request_rejected"

NOTE_MAX_LENGTH = 1000

#: The entries ``standard_catalogue`` adds: (German name, description, category key).
STANDARD_CATALOGUE = [
    ("Kopie des Mietvertrags", "Eine Kopie Ihres Mietvertrags mit allen Nachträgen.", "tenancy_agreement"),
    ("Hausordnung", "Die aktuelle Hausordnung Ihres Hauses.", "house_rules"),
    (
        "Wohnungsgeberbestätigung",
        "Nur nötig, wenn Sie sie nicht unter „Bescheinigungen“ sofort selbst erstellen können "
        "(z. B. für einen früheren Vertrag).",
        "landlord_confirmation",
    ),
    (
        "Kopie der Betriebskostenabrechnung",
        "Eine Kopie einer früheren Abrechnung.",
        "operating_cost_statement",
    ),
    (
        "Zinsbescheinigung / Steuerbescheinigung",
        "Die Steuerbescheinigung Ihrer Spareinlagen.",
        "tax_certificate",
    ),
]


def request_choices(user, today=None):
    """``[(contract, [types])]``: the tenant's contracts (documents still in the portal) with the
    active catalogue entries of each contract's company; contracts without entries left out."""
    contracts = list(portal_contracts(user, today).select_related("unit__property").order_by("number", "pk"))
    types = list(DocumentRequestType.objects.for_companies({c.company_id for c in contracts}))
    choices = []
    for contract in contracts:
        offered = [t for t in types if t.company_id == contract.company_id]
        if offered:
            choices.append((contract, offered))
    return choices


def _pk(value):
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def submit_request(user, contract_id, type_id, note="", today=None):
    """Record the tenant's request of the catalogue entry ``type_id`` for ``contract_id``.

    Raises ``ValidationError`` keyed by field (``contract``, ``request_type``, ``note``) with
    translated messages; nothing is saved then. Another tenant's contract is refused like an
    unknown one."""
    note = str(note or "").replace("\r\n", "\n").strip()
    contract = portal_contracts(user, today).filter(pk=_pk(contract_id)).first() if _pk(contract_id) else None
    if contract is None:
        raise ValidationError({"contract": _("Choose one of your contracts.")})
    request_type = (
        DocumentRequestType.objects.for_companies([contract.company_id]).filter(pk=_pk(type_id)).first()
        if _pk(type_id)
        else None
    )
    errors = {}
    if request_type is None:
        errors["request_type"] = _("Choose a document from the list.")
    elif DocumentRequest.objects.open().filter(contract=contract, request_type=request_type).exists():
        errors["request_type"] = _("You have already requested this document; we are working on it.")
    if "\x00" in note:
        errors["note"] = _("The text contains characters that are not allowed.")
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Please shorten the text to %(max)d characters (it has %(length)d).") % {
            "max": NOTE_MAX_LENGTH,
            "length": len(note),
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        req = DocumentRequest.objects.create(
            company_id=contract.company_id,
            request_type=request_type,
            contract=contract,
            note=note,
            requested_by=acting_user(user),
        )
        log(req, ACTION_REQUESTED, user=acting_user(user))
        signals.document_requested.send(sender=DocumentRequest, request=req)
    return req


def tenant_requests(user, limit=20):
    """The latest requests of the tenant's contracts with type, contract and document (one query)."""
    return list(
        DocumentRequest.objects.visible_to(user)
        .select_related("request_type", "contract", "document")
        .order_by("-created_at", "-pk")[:limit]
    )


def staff_request(user, pk):
    """The request ``pk`` when ``user`` works for its company (``core.scope``), else None."""
    return (
        DocumentRequest.objects.for_staff(user, write=True)
        .select_related("request_type__category", "contract", "company")
        .filter(pk=_pk(pk))
        .first()
    )


def fulfil_request(req, file, *, title="", user=None):
    """Publish ``file`` (a PDF) as the requested document of the contract and close the request.

    Atomic: when the file is refused (``DocumentRejected``: not a PDF, too large, a duplicate)
    or the request was dealt with meanwhile (``ValidationError``), nothing is stored."""
    from .services import publish

    with transaction.atomic():
        req = (
            DocumentRequest.objects.select_for_update()
            .select_related("request_type__category")
            .get(pk=req.pk)
        )
        if req.status != DocumentRequest.Status.OPEN:
            raise ValidationError(_("This request has been dealt with already."))
        document = publish(
            file,
            target=req.contract,
            category=req.request_type.category,
            title=title or req.request_type.name,
            user=user,
        )
        req.status, req.document = DocumentRequest.Status.FULFILLED, document
        req.decided_at, req.decided_by = timezone.now(), acting_user(user)
        req.save(update_fields=["status", "document", "decided_at", "decided_by"])
        log(req, ACTION_FULFILLED, user=acting_user(user))
    return req


def reject_request(req, user, reason):
    """Close the request without a document; the tenant sees ``reason``."""
    with transaction.atomic():
        req = DocumentRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != DocumentRequest.Status.OPEN:
            raise ValidationError(_("This request has been dealt with already."))
        req.status, req.reason = DocumentRequest.Status.REJECTED, reason
        req.decided_at, req.decided_by = timezone.now(), acting_user(user)
        req.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        log(req, ACTION_REJECTED, user=acting_user(user))
    return req


def standard_catalogue(company):
    """Add the entries of ``STANDARD_CATALOGUE`` that ``company`` lacks (by name); returns how
    many were added."""
    have = set(DocumentRequestType.objects.filter(company=company).values_list("name", flat=True))
    added = 0
    for order, (name, description, category) in enumerate(STANDARD_CATALOGUE):
        if name in have:
            continue
        DocumentRequestType.objects.create(
            company=company,
            name=name,
            description=description,
            category=get_category(category),
            sort_order=(order + 1) * 10,
        )
        added += 1
    return added
