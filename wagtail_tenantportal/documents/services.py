"""Documents: the one road for every read and action (portal views, pages, blocks, the
dashboard, admin views, commands, API).

What a tenant sees (every query starts from ``Document.objects.visible_to(user)``):

- ``tenant_documents`` / ``latest_documents`` / ``document_list_context``: the list;
- ``get_tenant_document``: one document to download (404 for anything the user may not open);
- ``certificate_choices`` / ``get_certificate_contract``: the self-service certificates.

Actions:

- ``publish``: one file for a party, contract, property or company (staff upload, ERP push);
- ``withdraw``: take a document out of the portal (kept for audit);
- ``distribute_zip``: a ZIP of PDFs named by contract number (see ``bulk.py``);
- ``generate_certificate``: rent certificate or landlord confirmation from contract data;
- ``record_opening``: read receipt when a tenant opens a document;
- ``send_due_notices``: "a new document is available" mails (see ``notifications.py``);
- ``create_print_batch``: one PDF of the documents that go by paper post;
- ``log_staff_view``: audit entry for every staff view of a tenant document.

The steps publications share (categories, deliveries, the notice task) are in
``publishing.py``; ``bulk.py`` uses them as well. Bad input raises ``DocumentRejected`` with a
translated message; nothing is half saved (a stored file whose record could not be written
is deleted again).
"""

import io
import logging
import tempfile
import uuid

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..core import ownership
from ..core.conf import portal_settings
from ..tenancy.models import Party
from . import doc_requests, publishing
from .bulk import distribute
from .files import DocumentRejected, check_pdf, spool
from .listing import DocumentFilterForm, document_request_url, group_documents
from .models import (
    BUILTIN_CATEGORIES,
    Document,
    DocumentCategory,
    DocumentDelivery,
    DocumentReceipt,
    PrintBatch,
    document_upload_to,
    portal_contracts,
)
from .notifications import documents_url, parties_with_e_delivery, send_due_notices
from .publishing import (
    ACTION_DISTRIBUTED,
    ACTION_PRINT_BATCH,
    ACTION_PUBLISHED,
    ACTION_VIEWED,
    ACTION_WITHDRAWN,
    acting_user,
    get_category,
    max_file_bytes,
    target_fields,
)

__all__ = [
    "doc_requests",
    "ACTION_DISTRIBUTED",
    "ACTION_PRINT_BATCH",
    "ACTION_PUBLISHED",
    "ACTION_VIEWED",
    "ACTION_WITHDRAWN",
    "DocumentRejected",
    "category_choices",
    "certificate_choices",
    "create_print_batch",
    "dashboard_summary",
    "distribute_zip",
    "document_list_context",
    "documents_url",
    "filter_documents",
    "generate_certificate",
    "get_category",
    "get_certificate_contract",
    "get_tenant_document",
    "get_listed_document",
    "latest_documents",
    "log_staff_view",
    "max_file_bytes",
    "parties_with_e_delivery",
    "pending_post_count",
    "publish",
    "record_opening",
    "send_due_notices",
    "target_fields",
    "tenant_documents",
    "tenant_document_list",
    "published_between",
    "new_count",
    "withdraw",
]

logger = logging.getLogger(__name__)


# -- what a tenant sees -------------------------------------------------------------------------


def tenant_documents(user):
    """Documents ``user`` may open, with ``opened`` annotated and what the list shows joined,
    newest first (a queryset; nothing for anonymous users and users without parties)."""
    return (
        Document.objects.visible_to(user)
        .with_opened(user)
        .select_related("category", "contract__unit__property", "property", "company")
        .order_by("-document_date", "-published_from", "-pk")
    )


def tenant_document_list(user, *, year=None, category=None, text="", new=None):
    """Queryset: ``tenant_documents`` filtered as the API offers it: ``year`` of the document
    date, ``category`` key, ``text`` in title, category or contract number, ``new`` (True: not
    opened yet by any of the user's parties; False: opened)."""
    # What the API's list shows needs the category and the contract only (fewer joins).
    documents = (
        Document.objects.visible_to(user)
        .with_opened(user)
        .select_related("category", "contract")
        .order_by("-document_date", "-published_from", "-pk")
    )
    if year:
        documents = documents.filter(document_date__year=year)
    if category:
        documents = documents.filter(category__key=category)
    text = (text or "").strip()
    if text:
        documents = documents.filter(
            Q(title__icontains=text)
            | Q(category__name__icontains=text)
            | Q(category__name="", category__key__in=_matching_category_keys(text))
            | Q(contract__number__icontains=text)
        )
    if new is not None:
        documents = documents.filter(opened=not new)
    return documents


def published_between(user, since, until, limit=50):
    """Documents of ``user`` that became visible in (``since``, ``until``], oldest first, at most
    ``limit`` (a list; one query): for the API's change feed."""
    return list(
        tenant_documents(user)
        .filter(published_from__gt=since, published_from__lte=until)
        .order_by("published_from", "pk")[:limit]
    )


def new_count(user):
    """How many of ``user``'s documents none of their parties opened yet (one query)."""
    return tenant_documents(user).filter(opened=False).count()


def latest_documents(user, limit, categories=None):
    """The ``limit`` most recently published documents of ``user`` (a list; one query),
    optionally only of the category keys ``categories``."""
    documents = tenant_documents(user)
    if categories:
        documents = documents.filter(category__key__in=list(categories))
    return list(documents.order_by("-published_from", "-pk")[:limit])


def dashboard_summary(user, limit=3):
    """``(latest, new_count)``: the ``limit`` most recently published documents of ``user``
    and how many of all their documents are unopened (two queries)."""
    documents = tenant_documents(user)
    new_count = documents.filter(opened=False).count()
    return list(documents.order_by("-published_from", "-pk")[:limit]), new_count


def category_choices():
    """``[(key, name)]`` of all document categories, in their order (one query)."""
    return [(category.key, category.display_name) for category in DocumentCategory.objects.all()]


def _matching_category_keys(text):
    text = text.casefold()
    return [key for key, label in BUILTIN_CATEGORIES.items() if text in str(label).casefold()]


def filter_documents(queryset, form):
    """Apply a valid ``DocumentFilterForm``; an invalid one filters nothing."""
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    if data.get("year"):
        queryset = queryset.filter(document_date__year=data["year"])
    if data.get("category"):
        queryset = queryset.filter(category__key=data["category"])
    text = (data.get("q") or "").strip()
    if text:
        queryset = queryset.filter(
            Q(title__icontains=text)
            | Q(category__name__icontains=text)
            | Q(category__name="", category__key__in=_matching_category_keys(text))
            | Q(contract__number__icontains=text)
        )
    return queryset


def document_list_context(user, params):
    """Template context of the document list of ``user`` (verified) filtered by the GET
    ``params`` (``q``, ``year``, ``category``): the form, the groups, counts and links.
    A constant number of queries however many documents there are."""
    visible = Document.objects.visible_to(user)
    years = [d.year for d in visible.dates("document_date", "year", order="DESC")]
    categories = DocumentCategory.objects.filter(pk__in=visible.values("category_id"))
    form = DocumentFilterForm(params, years=years, categories=categories)
    documents = list(filter_documents(tenant_documents(user), form))
    filtered = bool(form.is_valid() and any(form.cleaned_data.get(k) for k in ("q", "year", "category")))
    return {
        "filter_form": form,
        "document_groups": group_documents(documents),
        "document_count": len(documents),
        "new_count": sum(1 for d in documents if not d.opened),
        "filtered": filtered,
        "has_documents": filtered or bool(documents),
        "certificates_url": reverse("wagtail_tenantportal:document_certificates"),
        "catalogue_url": reverse("wagtail_tenantportal:document_requests"),
        "show_certificates": True,
        "document_request_url": document_request_url(),
    }


def get_tenant_document(user, document_id):
    """The document ``document_id`` (its UUID, as text or ``UUID``) that ``user`` may open now,
    with its category (one query).

    Raises ``Http404`` for everything else, all alike: a malformed id, no such document,
    another tenant's, a withdrawn one, one not yet published.
    """
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        raise Http404 from None
    document = Document.objects.visible_to(user).select_related("category").filter(uuid=key).first()
    if document is None:
        raise Http404
    return document


def get_listed_document(user, document_id):
    """``get_tenant_document`` with what the list shows (``opened``, category, contract; one
    query); ``Http404`` alike for everything the user may not open."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        raise Http404 from None
    document = tenant_document_list(user).filter(uuid=key).first()
    if document is None:
        raise Http404
    return document


def certificate_choices(user, today=None):
    """``[(contract, [(kind, event, label)])]``: the contracts of ``user`` (whose documents are
    still in the portal) that can produce a certificate, with one entry per certificate."""
    from .certificates import EVENTS, KINDS, LANDLORD_CONFIRMATION, eligible_kinds

    today = today or timezone.localdate()
    contracts = (
        portal_contracts(user, today)
        .select_related("unit__property", "company")
        .prefetch_related("rent_components")
        .order_by("number")
    )
    result = []
    for contract in contracts:
        options = []
        for kind, events in eligible_kinds(contract, today).items():
            if kind == LANDLORD_CONFIRMATION:
                options += [(kind, event, f"{KINDS[kind]}: {EVENTS[event]}") for event in events]
            else:
                options.append((kind, "", str(KINDS[kind])))
        if options:
            result.append((contract, options))
    return result


def get_certificate_contract(user, contract_id, today=None):
    """The contract ``contract_id`` (an int or its text) of ``user`` whose documents are still
    in the portal; ``Http404`` for a malformed id, a missing or another tenant's contract."""
    try:
        pk = int(contract_id)
    except (TypeError, ValueError):
        raise Http404 from None
    contract = portal_contracts(user, today or timezone.localdate()).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


# -- publishing ---------------------------------------------------------------------------------


def _duplicate_of(fields, category, sha256):
    target = {name: fields[name] for name in ("party", "contract", "property") if fields[name] is not None}
    if not target:  # company-wide
        target = {
            "company_id": fields["company_id"],
            "party__isnull": True,
            "contract__isnull": True,
            "property__isnull": True,
        }
    return Document.objects.filter(
        **target, category=category, content_hash=sha256, withdrawn_at__isnull=True
    ).first()


def publish(
    file,
    *,
    target,
    category,
    title,
    document_date=None,
    published_from=None,
    source=Document.Source.STAFF,
    user=None,
    filename="",
    notify=True,
    deliver=True,
    erp_id="",
    on_duplicate="raise",
    now=None,
):
    """Publish the PDF read from ``file`` (any readable binary file) for ``target``.

    ``target`` is a ``Party``, ``Contract``, ``Property`` or ``Company``; ``category`` a
    ``DocumentCategory`` or its key. The file is read in chunks, limited to
    ``DOCUMENTS_MAX_FILE_MB`` and checked to be a PDF. Tenants see the document from
    ``published_from`` (default now). With ``deliver`` a delivery is recorded per recipient
    party (portal or post by e-delivery consent); with ``notify`` tenants with consent get a
    mail once the document is published.

    The same file for the same target and category that is already published raises
    ``DocumentRejected`` (code ``duplicate``), or returns that document with
    ``on_duplicate="return"``. Returns the new ``Document``. Raises ``DocumentRejected`` for
    bad input; then nothing is stored.
    """
    if isinstance(category, str):
        category = get_category(category)
    fields = target_fields(target)
    spooled = spool(file, limit=max_file_bytes())
    try:
        check_pdf(spooled)
        existing = _duplicate_of(fields, category, spooled.sha256)
        if existing is not None:
            if on_duplicate == "return":
                return existing
            raise DocumentRejected(
                _("This file has already been published for %(target)s in this category (“%(title)s”).")
                % {"target": target, "title": existing.title},
                code="duplicate",
            )
        now = now or timezone.now()
        document = Document(
            **fields,
            category=category,
            title=title,
            document_date=document_date or timezone.localdate(now),
            published_from=published_from or now,
            source=source,
            original_filename=(filename or getattr(file, "name", "") or "")[-255:],
            content_type="application/pdf",
            size=spooled.size,
            content_hash=spooled.sha256,
            erp_id=erp_id,
            created_at=now,
            created_by=acting_user(user),
        )
        name = document.file.storage.save(document_upload_to(document, ""), File(spooled.file))
    finally:
        spooled.close()
    document.file.name = name
    try:
        with transaction.atomic():
            document.save()
            if deliver:
                publishing.create_deliveries([document], notify=notify, now=now)
            log(document, ACTION_PUBLISHED, user=acting_user(user), data={"source": source})
    except IntegrityError:
        document.file.storage.delete(name)
        # Published at the same moment by another request: the unique constraint decided.
        existing = _duplicate_of(fields, category, document.content_hash)
        if existing is not None and on_duplicate == "return":
            return existing
        raise DocumentRejected(
            _("This file has just been published for the same target."), code="duplicate"
        ) from None
    except BaseException:
        document.file.storage.delete(name)
        raise
    if deliver and notify and document.published_from <= timezone.now():
        publishing.enqueue_notices()
    return document


def withdraw(document, *, user=None, reason="", now=None):
    """Take ``document`` out of the portal. The record and the file stay (audit).

    Raises ``DocumentRejected`` when it was withdrawn already. Paper deliveries not yet
    printed are dropped from the print list; notices not yet sent are not sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = Document.objects.filter(pk=document.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=acting_user(user), withdrawal_reason=reason
        )
        if not updated:
            raise DocumentRejected(_("This document has already been withdrawn."), code="withdrawn")
        document.withdrawn_at, document.withdrawn_by, document.withdrawal_reason = (
            now,
            acting_user(user),
            reason,
        )
        log(document, ACTION_WITHDRAWN, user=acting_user(user), data={"reason": reason})
    return document


def distribute_zip(zip_file, **kwargs):
    """Publish the PDFs of a ZIP file to the contracts their names give; see ``bulk.distribute``.

    Returns the ``BulkDistribution`` record with counts and the report of unmatched,
    duplicate and refused files. Never raises for bad input: a refused ZIP is a record with
    status "failed" and the reason.
    """
    return distribute(zip_file, **kwargs)


# -- certificates -------------------------------------------------------------------------------


def generate_certificate(contract, kind, *, user=None, event=None, today=None):
    """A rent certificate or landlord confirmation for ``contract``, as a published document.

    ``kind`` is ``"rent_certificate"`` or ``"landlord_confirmation"`` (``event``: ``"move_in"``
    or ``"move_out"``). The caller checks that the user may see the contract. The PDF is
    drawn from the contract data with the company letterhead; the same data on the same day
    give the same PDF, so asking twice returns the document made before. Raises
    ``DocumentRejected`` when the contract does not qualify (the message says why).

    A tenant's certificate is addressed to the party ``user`` acts for on the contract, never
    to a co-tenant in their place (without a user: the contract's first tenant). Like every
    document of the contract, co-tenants on it see it too.
    """
    from . import certificates

    today = today or timezone.localdate()
    party = _acting_party(user, contract)
    spec = certificates.build(contract, kind, event=event, today=today, party=party)
    pdf = certificates.render(spec)
    return publish(
        ContentFile(pdf, name=f"{kind}.pdf"),
        target=contract,
        category=get_category(kind),
        title=str(spec.title),
        document_date=today,
        source=Document.Source.GENERATED,
        user=user,
        filename=spec.filename,
        notify=False,
        deliver=False,
        on_duplicate="return",
    )


def _acting_party(user, contract):
    """The party of ``contract`` that ``user`` acts for (lowest id if several), or None."""
    party_ids = ownership.party_ids(user)
    if party_ids is None:
        return None
    return Party.objects.filter(pk__in=party_ids, contract_parties__contract=contract).order_by("pk").first()


# -- read receipts ------------------------------------------------------------------------------


def _opening_parties(document, user):
    """Ids of ``user``'s active parties for which ``document`` is meant."""
    party_ids = ownership.party_ids(user)
    if party_ids is None:
        return []
    parties = Party.objects.filter(pk__in=party_ids)
    if document.party_id:
        parties = parties.filter(pk=document.party_id)
    elif document.contract_id:
        parties = parties.filter(contract_parties__contract_id=document.contract_id)
    elif document.property_id:
        parties = parties.filter(contract_parties__contract__unit__property_id=document.property_id)
    else:
        parties = parties.filter(company_id=document.company_id)
    return sorted(set(parties.values_list("pk", flat=True)))


def record_opening(document, user, *, now=None):
    """Record that ``user`` opened ``document``: per party of the user that the document is
    for, the first opening is kept and the last opening and the count are updated.

    The caller has checked visibility. Returns the number of parties recorded.
    """
    now = now or timezone.now()
    party_ids = _opening_parties(document, user)
    for party_id in party_ids:
        rows = DocumentReceipt.objects.filter(document=document, party_id=party_id)
        if rows.update(last_opened_at=now, open_count=F("open_count") + 1):
            continue
        try:
            with transaction.atomic():
                DocumentReceipt.objects.create(
                    document=document,
                    party_id=party_id,
                    first_opened_at=now,
                    last_opened_at=now,
                    first_opened_by=acting_user(user),
                )
        except IntegrityError:  # opened twice at the same moment
            rows.update(last_opened_at=now, open_count=F("open_count") + 1)
    return len(party_ids)


def log_staff_view(document, user):
    """Audit-log entry: a staff user viewed (downloaded) a tenant document."""
    log(document, ACTION_VIEWED, user=acting_user(user))


# -- paper post ---------------------------------------------------------------------------------


def pending_post_count(user):
    """How many paper deliveries of ``user``'s companies wait for a print batch."""
    return DocumentDelivery.objects.pending_post().for_staff(user).count()


def create_print_batch(*, company=None, user=None, limit=None):
    """One PDF with the documents waiting for paper post (oldest first), or None if none wait.

    The batch starts with a print list (recipient, address, contract, document) followed by
    the documents, each starting on a new sheet. At most ``limit`` (default
    ``DOCUMENTS_PRINT_BATCH_SIZE``) documents per batch; their deliveries are marked
    printed. A document whose PDF cannot be read stays on the list and is reported in the
    log.
    """
    from pypdf import PdfReader, PdfWriter

    from . import certificates

    limit = limit or portal_settings.DOCUMENTS_PRINT_BATCH_SIZE
    pending = DocumentDelivery.objects.pending_post().select_related(
        "document__category", "document__contract", "party"
    )
    if company is not None:
        pending = pending.filter(document__company=company)
    deliveries = list(pending.order_by("document__published_from", "document_id", "party_id")[:limit])
    if not deliveries:
        return None
    writer = PdfWriter()
    included = []
    pages = 0
    for delivery in deliveries:
        try:
            with delivery.document.file.open("rb") as fh:
                reader = PdfReader(io.BytesIO(fh.read()))
                count = len(reader.pages)
                writer.append(reader)
        except Exception:
            logger.exception("Document %s cannot be added to a print batch.", delivery.document_id)
            continue
        if count % 2:  # duplex printing: every document starts on a new sheet
            writer.add_blank_page()
            count += 1
        pages += count
        included.append(delivery)
    if not included:
        return None
    cover = PdfReader(io.BytesIO(certificates.render_print_list(included, company=company)))
    for index, page in enumerate(cover.pages):
        writer.insert_page(page, index)
    pages += len(cover.pages)
    with tempfile.TemporaryFile() as out:
        writer.write(out)
        out.seek(0)
        with transaction.atomic():
            batch = PrintBatch(
                company=company,
                created_by=acting_user(user),
                document_count=len(included),
                page_count=pages,
            )
            batch.file.save(f"print-batch-{uuid.uuid4().hex}.pdf", File(out), save=False)
            try:
                batch.save()
                DocumentDelivery.objects.filter(pk__in=[d.pk for d in included]).update(print_batch=batch)
                log(batch, ACTION_PRINT_BATCH, user=acting_user(user), data={"documents": len(included)})
            except BaseException:
                batch.file.storage.delete(batch.file.name)
                raise
    return batch
