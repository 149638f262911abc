"""Documents: the one road for every action (admin views, portal views, pages, commands, API).

- ``publish``: one file for a party, contract, property or company (staff upload, ERP push);
- ``withdraw``: take a document out of the portal (kept for audit);
- ``distribute_zip``: a ZIP of PDFs named by contract number (see ``bulk.py``);
- ``generate_certificate``: rent certificate or landlord confirmation from contract data;
- ``record_opening``: read receipt when a tenant opens a document;
- ``send_due_notices``: "a new document is available" mails to tenants with e-delivery consent;
- ``create_print_batch``: one PDF of the documents that go by paper post;
- ``log_staff_view``: audit entry for every staff view of a tenant document.

Bad input raises ``DocumentRejected`` with a translated message; nothing is half saved (a
stored file whose record could not be written is deleted again).
"""

import io
import logging
import tempfile
import uuid
from collections import defaultdict

from django.apps import apps
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..core import ownership
from ..core.conf import portal_settings
from ..core.tasks import defer
from ..tenancy.models import Company, Contract, ContractParty, Party, Property
from .files import DocumentRejected, check_pdf, spool
from .models import (
    BUILTIN_CATEGORIES,
    Document,
    DocumentCategory,
    DocumentDelivery,
    DocumentReceipt,
    PrintBatch,
    document_upload_to,
)

__all__ = [
    "DocumentRejected",
    "publish",
    "withdraw",
    "distribute_zip",
    "generate_certificate",
    "record_opening",
    "send_due_notices",
    "create_print_batch",
    "log_staff_view",
]

logger = logging.getLogger(__name__)

ACTION_PUBLISHED = "tenantportal.document_published"
ACTION_WITHDRAWN = "tenantportal.document_withdrawn"
ACTION_VIEWED = "tenantportal.document_viewed"
ACTION_DISTRIBUTED = "tenantportal.documents_distributed"
ACTION_PRINT_BATCH = "tenantportal.print_batch_created"

#: Parties per ``IN`` list (well below SQLite's limit of bound parameters).
IN_CHUNK = 900


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def max_file_bytes():
    return int(portal_settings.DOCUMENTS_MAX_FILE_MB * 1024 * 1024)


def get_category(key):
    """The category with ``key``; built-in categories are created when missing."""
    if key in BUILTIN_CATEGORIES:
        order = list(BUILTIN_CATEGORIES).index(key) * 10
        category, _created = DocumentCategory.objects.get_or_create(key=key, defaults={"sort_order": order})
        return category
    return DocumentCategory.objects.get(key=key)


def target_fields(target):
    """``company``, ``party``, ``contract`` and ``property`` of a document for ``target``."""
    fields = {"party": None, "contract": None, "property": None}
    if isinstance(target, Party):
        fields["party"] = target
    elif isinstance(target, Contract):
        fields["contract"] = target
    elif isinstance(target, Property):
        fields["property"] = target
    elif not isinstance(target, Company):
        raise TypeError(f"A document belongs to a party, contract, property or company, not {target!r}")
    fields["company_id"] = target.pk if isinstance(target, Company) else target.company_id
    return fields


# -- e-delivery consent ---------------------------------------------------------------------


def parties_with_e_delivery(party_ids):
    """The ids among ``party_ids`` whose portal account agreed to electronic delivery.

    A party counts when an active portal user is linked to it (active link) and that user's
    account has a current (not withdrawn) e-delivery consent (``accounts.Consent``).
    """
    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return set()
    from ..accounts.models import AccountParty, Consent

    consenting = Consent.objects.current().filter(kind=Consent.Kind.E_DELIVERY).values("account_id")
    found = set()
    for chunk in _chunks(party_ids):
        found.update(
            AccountParty.objects.filter(
                party_id__in=chunk,
                active=True,
                account_id__in=consenting,
                account__user__is_active=True,
            ).values_list("party_id", flat=True)
        )
    return found


def _recipients(documents):
    """``{document: [party ids]}`` for documents addressed to parties or contracts."""
    contract_ids = {doc.contract_id for doc in documents if doc.contract_id}
    by_contract = defaultdict(list)
    for chunk in _chunks(contract_ids):
        for contract_id, party_id in ContractParty.objects.filter(contract_id__in=chunk).values_list(
            "contract_id", "party_id"
        ):
            by_contract[contract_id].append(party_id)
    result = {}
    for doc in documents:
        if doc.party_id:
            result[doc] = [doc.party_id]
        elif doc.contract_id:
            result[doc] = sorted(set(by_contract[doc.contract_id]))
        else:
            result[doc] = list(doc.recipient_parties().values_list("pk", flat=True))
    return result


def _create_deliveries(documents, *, notify, now):
    """One delivery per recipient party: portal when the party consented to e-delivery, else post.

    Documents for a whole property or company go to the portal only (paper notices for a
    building are put up there as before): deliveries exist only for consenting parties.
    """
    recipients = _recipients(documents)
    consenting = parties_with_e_delivery({pid for ids in recipients.values() for pid in ids})
    rows = []
    for doc, party_ids in recipients.items():
        broadcast = not (doc.party_id or doc.contract_id)
        for party_id in party_ids:
            portal = party_id in consenting
            if broadcast and not (portal and notify):
                continue
            rows.append(
                DocumentDelivery(
                    document=doc,
                    party_id=party_id,
                    channel=DocumentDelivery.Channel.PORTAL if portal else DocumentDelivery.Channel.POST,
                    created_at=now,
                    notice_skipped=not notify,
                )
            )
    DocumentDelivery.objects.bulk_create(rows, batch_size=1000)
    return rows


def enqueue_notices():
    """Ask the task backend to send due notices after the current transaction commits.

    If the backend cannot take the task, nothing is lost: the deliveries stay due and the
    next run (command ``tenantportal_document_notices`` or the next publication) sends them.
    """
    from .tasks import send_document_notices

    defer(send_document_notices)


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
            created_by=_user(user),
        )
        name = document.file.storage.save(document_upload_to(document, ""), File(spooled.file))
    finally:
        spooled.close()
    document.file.name = name
    try:
        with transaction.atomic():
            document.save()
            if deliver:
                _create_deliveries([document], notify=notify, now=now)
            log(document, ACTION_PUBLISHED, user=_user(user), data={"source": source})
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
        enqueue_notices()
    return document


def withdraw(document, *, user=None, reason="", now=None):
    """Take ``document`` out of the portal. The record and the file stay (audit).

    Raises ``DocumentRejected`` when it was withdrawn already. Paper deliveries not yet
    printed are dropped from the print list; notices not yet sent are not sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = Document.objects.filter(pk=document.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=_user(user), withdrawal_reason=reason
        )
        if not updated:
            raise DocumentRejected(_("This document has already been withdrawn."), code="withdrawn")
        document.withdrawn_at, document.withdrawn_by, document.withdrawal_reason = now, _user(user), reason
        log(document, ACTION_WITHDRAWN, user=_user(user), data={"reason": reason})
    return document


def distribute_zip(zip_file, **kwargs):
    """Publish the PDFs of a ZIP file to the contracts their names give; see ``bulk.distribute``.

    Returns the ``BulkDistribution`` record with counts and the report of unmatched,
    duplicate and refused files. Never raises for bad input: a refused ZIP is a record with
    status "failed" and the reason.
    """
    from .bulk import distribute

    return distribute(zip_file, **kwargs)


# -- certificates -------------------------------------------------------------------------------


def generate_certificate(contract, kind, *, user=None, event=None, today=None):
    """A rent certificate or landlord confirmation for ``contract``, as a published document.

    ``kind`` is ``"rent_certificate"`` or ``"landlord_confirmation"`` (``event``: ``"move_in"``
    or ``"move_out"``). The caller checks that the user may see the contract. The PDF is
    drawn from the contract data with the company letterhead; the same data on the same day
    give the same PDF, so asking twice returns the document made before. Raises
    ``DocumentRejected`` when the contract does not qualify (the message says why).
    """
    from . import certificates

    today = today or timezone.localdate()
    spec = certificates.build(contract, kind, event=event, today=today)
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
                    first_opened_by=_user(user),
                )
        except IntegrityError:  # opened twice at the same moment
            rows.update(last_opened_at=now, open_count=F("open_count") + 1)
    return len(party_ids)


def log_staff_view(document, user):
    """Audit-log entry: a staff user viewed (downloaded) a tenant document."""
    log(document, ACTION_VIEWED, user=_user(user))


# -- notices ------------------------------------------------------------------------------------


def documents_url(request=None):
    """Absolute address of the tenant's document list: a live documents page, else the view."""
    from ..core.adapter import get_adapter
    from .pages import DocumentsPage

    page = DocumentsPage.objects.live().order_by("path").first()
    if page is not None:
        url = page.get_full_url(request)
        if url:
            return url
    try:
        path = reverse("wagtail_tenantportal:documents")
    except NoReverseMatch:
        path = "/"
    return get_adapter().build_absolute_uri(request, path)


def _recipient_users(party_ids):
    """``{party_id: [(user, account)]}``: consenting, active users linked to the parties."""
    from ..accounts.models import AccountParty, Consent

    consenting = Consent.objects.current().filter(kind=Consent.Kind.E_DELIVERY).values("account_id")
    result = defaultdict(list)
    links = AccountParty.objects.filter(
        party_id__in=party_ids, active=True, account_id__in=consenting, account__user__is_active=True
    ).select_related("account__user")
    for link in links:
        result[link.party_id].append(link.account.user)
    return result


def send_due_notices(*, now=None, batch_size=500):
    """Send the due "a new document is available" mails; return the number of mails sent.

    One mail per user and company lists all new documents of that user; the document is
    never attached. Deliveries are marked sent only after their mail went out, so a failed
    mail is tried again on the next run. Safe to run from several workers (rows are locked).
    """
    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return 0
    from ..core.adapter import get_adapter

    adapter = get_adapter()
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            deliveries = list(
                DocumentDelivery.objects.due_notices(now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not deliveries:
                return sent
            documents = {
                doc.pk: doc
                for doc in Document.objects.filter(pk__in={d.document_id for d in deliveries}).select_related(
                    "category", "company"
                )
            }
            users = _recipient_users({d.party_id for d in deliveries})
            # (user, company) -> deliveries
            groups = defaultdict(list)
            unreachable = []
            for delivery in deliveries:
                document = documents[delivery.document_id]
                recipients = users.get(delivery.party_id)
                if not recipients:
                    unreachable.append(delivery.pk)
                    continue
                for user in recipients:
                    groups[(user, document.company_id)].append(delivery)
            # No consenting account any more (consent withdrawn, link ended): paper post.
            DocumentDelivery.objects.filter(pk__in=unreachable).update(channel=DocumentDelivery.Channel.POST)
            done = set()
            url = documents_url()
            for (user, _company_id), items in groups.items():
                email = adapter.user_email(user)
                docs = sorted(
                    {documents[d.document_id] for d in items}, key=lambda d: (d.document_date, d.pk)
                )
                if not email:
                    done.update(d.pk for d in items)
                    continue
                try:
                    adapter.send_mail(
                        "document_available",
                        email,
                        {"user": user, "documents": docs, "documents_url": url, "count": len(docs)},
                        company=docs[0].company,
                    )
                except Exception:
                    logger.exception("Document notice to user %s failed; it is tried again later.", user.pk)
                    continue
                sent += 1
                done.update(d.pk for d in items)
            DocumentDelivery.objects.filter(pk__in=done).update(notified_at=now)
            if not done and not unreachable:
                return sent


# -- paper post ---------------------------------------------------------------------------------


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
                created_by=_user(user),
                document_count=len(included),
                page_count=pages,
            )
            batch.file.save(f"print-batch-{uuid.uuid4().hex}.pdf", File(out), save=False)
            try:
                batch.save()
                DocumentDelivery.objects.filter(pk__in=[d.pk for d in included]).update(print_batch=batch)
                log(batch, ACTION_PRINT_BATCH, user=_user(user), data={"documents": len(included)})
            except BaseException:
                batch.file.storage.delete(batch.file.name)
                raise
    return batch
