"""Tenant documents: what the company gives a party, a contract, a property or everyone.

A ``Document`` lives on the private storage (``LazyPrivateStorage``) and leaves only through a
view that checked ``Document.objects.visible_to(user)``. Documents are never deleted by the
portal: staff withdraw them (kept for audit), documents of ended contracts leave the portal
after ``DOCUMENTS_RETENTION_DAYS``, and deleting a tenant's user account keeps the company's
records (receipts and deliveries belong to the party, not to the account).

``DocumentDelivery`` records how each recipient party gets the document (portal notice for
parties with e-delivery consent, else paper post) and ``DocumentReceipt`` when a party first
and last opened it (proof of delivery).
"""

import builtins
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core import ownership
from ..core.conf import portal_settings
from ..core.scope import NOT_COMPANY_DATA, StaffScopedQuerySet
from ..core.storage import LazyPrivateStorage
from ..tenancy.models import Company, Contract, ContractParty, Party, Property

#: Categories every portal has (created by a migration; editors add their own). Names are
#: translated from these labels unless an editor gives a category its own name.
BUILTIN_CATEGORIES = {
    "operating_cost_statement": _("Operating cost statement"),
    "tenancy_agreement": _("Tenancy agreement"),
    "rent_certificate": _("Rent certificate"),
    "landlord_confirmation": _("Landlord confirmation"),
    "letter": _("Letter"),
    "tax_certificate": _("Tax certificate"),
    "house_rules": _("House rules"),
    "notice": _("Notice"),
    "other": _("Other documents"),
}


class DocumentCategoryQuerySet(StaffScopedQuerySet):
    staff_scope = NOT_COMPANY_DATA


class DocumentCategory(models.Model):
    """A kind of document (Betriebskostenabrechnung, Mietvertrag, …); editors may add more."""

    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_(
            "Stable name used by the ERP and by bulk distributions, e.g. 'operating_cost_statement'."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=120,
        blank=True,
        help_text=_("Shown to tenants. Empty for a built-in category: its translated default name."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = DocumentCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("document category")
        verbose_name_plural = _("document categories")
        ordering = ["sort_order", "key"]

    def __str__(self):
        return str(self.display_name)

    @property
    def display_name(self):
        return self.name or BUILTIN_CATEGORIES.get(self.key) or self.key

    def clean(self):
        if not self.name and self.key not in BUILTIN_CATEGORIES:
            raise ValidationError({"name": _("Give the category a name.")})


def document_storage_name(company_id, today=None):
    """A new storage name for a document: random, so it tells nothing about the tenant or the
    file; one folder per company and month."""
    today = today or timezone.localdate()
    return f"documents/{company_id or 0}/{today:%Y/%m}/{uuid.uuid4().hex}.pdf"


def document_upload_to(instance, filename):
    """``upload_to`` of ``Document.file`` (see ``document_storage_name``)."""
    return document_storage_name(instance.company_id)


def retention_cutoff(today=None):
    """The date before which ended contracts have left the portal (None: they never leave)."""
    days = portal_settings.DOCUMENTS_RETENTION_DAYS
    if days is None:
        return None
    return (today or timezone.localdate()) - timedelta(days=days)


def expired_contracts_q(today=None):
    """Q on ``Contract`` for contracts whose documents have left the portal (retention over)."""
    cutoff = retention_cutoff(today)
    if cutoff is None:
        return Q(pk__in=[])
    # A contract ended by the import without an end date counts from the day it vanished.
    cutoff_start = timezone.make_aware(datetime.combine(cutoff, time.min))
    return Q(end_date__lt=cutoff) | Q(
        end_date__isnull=True, status=Contract.Status.ENDED, ended_by_import_at__lt=cutoff_start
    )


def portal_contracts(user, today=None):
    """The user's contracts whose documents are still in the portal."""
    return Contract.objects.visible_to(user).exclude(expired_contracts_q(today))


class DocumentQuerySet(StaffScopedQuerySet):
    def visible_to(self, user, now=None):
        """Documents ``user`` may open now: published, not withdrawn, and for one of the
        user's parties, contracts (within the retention time), their properties or their
        companies. Empty for anonymous users and users without linked parties."""
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.none()
        now = now or timezone.now()
        contracts = portal_contracts(user, timezone.localdate(now))
        scope = (
            Q(party_id__in=party_ids)
            | Q(contract_id__in=contracts.values("pk"))
            | Q(property_id__in=contracts.filter(unit__isnull=False).values("unit__property_id"))
            | Q(
                party__isnull=True,
                contract__isnull=True,
                property__isnull=True,
                company_id__in=contracts.values("company_id"),
            )
        )
        return self.filter(scope).published(now)

    def published(self, now=None):
        """Not withdrawn and published (``published_from`` reached)."""
        return self.filter(withdrawn_at__isnull=True, published_from__lte=now or timezone.now())

    def with_opened(self, user):
        """Annotate ``opened``: one of ``user``'s parties has opened the document."""
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.annotate(opened=models.Value(False, output_field=models.BooleanField()))
        receipts = DocumentReceipt.objects.filter(document=OuterRef("pk"), party_id__in=party_ids)
        return self.annotate(opened=Exists(receipts))


class Document(models.Model):
    """One private file for a party, a contract, a property or a whole company.

    Exactly one of ``party``, ``contract``, ``property`` is set, or none (company-wide).
    ``company`` is always set and equals the target's company.
    """

    class Source(models.TextChoices):
        STAFF = "staff", _("Uploaded by staff")
        BULK = "bulk", _("Bulk distribution")
        ERP = "erp", _("ERP")
        GENERATED = "generated", _("Generated in the portal")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="documents"
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    property = models.ForeignKey(
        Property,
        verbose_name=_("property"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    category = models.ForeignKey(
        DocumentCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    document_date = models.DateField(_("document date"), default=timezone.localdate)
    published_from = models.DateTimeField(
        _("published from"),
        default=timezone.now,
        help_text=_("Tenants see the document from this time on."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)
    file = models.FileField(
        _("file"), storage=LazyPrivateStorage(), upload_to=document_upload_to, max_length=255
    )
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, default="application/pdf")
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    content_hash = models.CharField(_("SHA-256"), max_length=64, db_index=True, editable=False)
    erp_id = models.CharField(_("ERP id"), max_length=64, blank=True)
    distribution = models.ForeignKey(
        "BulkDistribution",
        verbose_name=_("bulk distribution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-document_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(party__isnull=True, contract__isnull=True)
                    | Q(party__isnull=True, property__isnull=True)
                    | Q(contract__isnull=True, property__isnull=True)
                ),
                name="tenantportal_document_one_target",
            ),
            # The same file twice for the same target and category is a duplicate (a bulk
            # distribution run again); withdrawn documents do not count.
            models.UniqueConstraint(
                fields=["contract", "category", "content_hash"],
                condition=Q(withdrawn_at__isnull=True, contract__isnull=False),
                name="tenantportal_document_unique_contract",
            ),
            models.UniqueConstraint(
                fields=["party", "category", "content_hash"],
                condition=Q(withdrawn_at__isnull=True, party__isnull=False),
                name="tenantportal_document_unique_party",
            ),
            models.UniqueConstraint(
                fields=["property", "category", "content_hash"],
                condition=Q(withdrawn_at__isnull=True, property__isnull=False),
                name="tenantportal_document_unique_property",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "published_from"], name="tenantportal_doc_company_pub"),
            models.Index(fields=["company", "erp_id"], name="tenantportal_doc_erp_idx"),
        ]

    def __str__(self):
        return self.title

    @builtins.property  # the field "property" hides the built-in in this class
    def target(self):
        """The party, contract or property the document is for; the company when company-wide."""
        return self.party or self.contract or self.property or self.company

    @builtins.property  # the field "property" hides the built-in in this class
    def scope(self):
        if self.party_id:
            return "party"
        if self.contract_id:
            return "contract"
        if self.property_id:
            return "property"
        return "company"

    def get_scope_display(self):
        return {
            "party": _("Party"),
            "contract": _("Contract"),
            "property": _("Property"),
            "company": _("Whole company"),
        }[self.scope]

    @builtins.property  # the field "property" hides the built-in in this class
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    @builtins.property  # the field "property" hides the built-in in this class
    def is_published(self):
        return not self.is_withdrawn and self.published_from <= timezone.now()

    @builtins.property  # the field "property" hides the built-in in this class
    def download_filename(self):
        """File name offered to the tenant: title and date, never the storage name."""
        title = self.title.replace("/", "-").replace("\\", "-")  # "BK 2024/2025" is a title, not a path
        return f"{title} {self.document_date:%Y-%m-%d}.pdf"

    def recipient_parties(self):
        """Parties the document is addressed to (QuerySet of ``Party``).

        Party: that party. Contract: the parties named on it. Property: the parties of the
        current contracts on its units. Company: the parties of its current contracts.
        """
        if self.party_id:
            return Party.objects.filter(pk=self.party_id)
        if self.contract_id:
            return Party.objects.filter(
                pk__in=ContractParty.objects.filter(contract_id=self.contract_id).values("party_id")
            )
        contracts = Contract.objects.current()
        if self.property_id:
            contracts = contracts.filter(unit__property_id=self.property_id)
        else:
            contracts = contracts.filter(company_id=self.company_id)
        return Party.objects.filter(
            pk__in=ContractParty.objects.filter(contract__in=contracts).values("party_id")
        )


class DocumentDeliveryQuerySet(StaffScopedQuerySet):
    staff_scope = "document__company"

    def pending_post(self):
        """Paper deliveries not yet printed, of documents that are published and not withdrawn."""
        return self.filter(
            channel=DocumentDelivery.Channel.POST,
            print_batch__isnull=True,
            document__withdrawn_at__isnull=True,
            document__published_from__lte=timezone.now(),
        )

    def due_notices(self, now=None):
        """Portal deliveries whose "new document" mail is due (published, not yet sent)."""
        return self.filter(
            channel=DocumentDelivery.Channel.PORTAL,
            notified_at__isnull=True,
            notice_skipped=False,
            document__withdrawn_at__isnull=True,
            document__published_from__lte=now or timezone.now(),
        )


class DocumentDelivery(models.Model):
    """How one recipient party gets a document: portal (e-delivery consent) or paper post."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal (e-delivery)")
        POST = "post", _("Paper post")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="deliveries"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="document_deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    notified_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    notice_skipped = models.BooleanField(
        _("no notice"), default=False, help_text=_("No mail is sent (e.g. the tenant made the document).")
    )
    print_batch = models.ForeignKey(
        "PrintBatch",
        verbose_name=_("print batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )

    objects = DocumentDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("document delivery")
        verbose_name_plural = _("document deliveries")
        ordering = ["document", "party"]
        constraints = [
            models.UniqueConstraint(fields=["document", "party"], name="tenantportal_delivery_unique"),
        ]
        indexes = [
            models.Index(fields=["channel", "print_batch"], name="tenantportal_delivery_post_idx"),
            models.Index(fields=["channel", "notified_at"], name="tenantportal_delivery_note_idx"),
        ]

    def __str__(self):
        return f"{self.document} → {self.party} ({self.get_channel_display()})"


class DocumentReceiptQuerySet(StaffScopedQuerySet):
    staff_scope = "document__company"


class DocumentReceipt(models.Model):
    """Proof of delivery: when a party first and last opened a document in the portal."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="receipts"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="document_receipts"
    )
    first_opened_at = models.DateTimeField(_("first opened"))
    last_opened_at = models.DateTimeField(_("last opened"))
    open_count = models.PositiveIntegerField(_("times opened"), default=1)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DocumentReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["document", "first_opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "party"], name="tenantportal_receipt_unique"),
        ]

    def __str__(self):
        return f"{self.document} – {self.party}"


class CompanyRunQuerySet(StaffScopedQuerySet):
    # A run or batch without a company spans all companies: only users who work for all see it.
    pass


class BulkDistribution(models.Model):
    """One upload of a ZIP of PDFs distributed to contracts, with its match report."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked (nothing published)")
        DONE = "done", _("Published")
        FAILED = "failed", _("Refused")

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: contract numbers are looked up in all companies."),
    )
    category = models.ForeignKey(
        DocumentCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    document_date = models.DateField(_("document date"))
    published_from = models.DateTimeField(_("published from"))
    filename_pattern = models.CharField(_("file name pattern"), max_length=300)
    zip_name = models.CharField(_("ZIP file"), max_length=255, blank=True)
    zip_size = models.PositiveBigIntegerField(_("ZIP size (bytes)"), default=0)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(_("counts"), default=dict)
    problems = models.JSONField(_("report"), default=list)
    error = models.TextField(_("error"), blank=True)

    objects = CompanyRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulk distribution")
        verbose_name_plural = _("bulk distributions")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.started_at:%Y-%m-%d %H:%M})"


class PrintBatch(models.Model):
    """One PDF of documents for paper post (recipients without e-delivery consent)."""

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(
        _("file"), storage=LazyPrivateStorage(), upload_to="print-batches/", max_length=255, blank=True
    )
    document_count = models.PositiveIntegerField(_("documents"), default=0)
    page_count = models.PositiveIntegerField(_("pages"), default=0)

    objects = CompanyRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.document_count})"


from .pages import DocumentsPage  # noqa: E402, F401  (page types live with their sub-app)
from .request_models import (  # noqa: E402, F401
    DocumentRequest,
    DocumentRequestQuerySet,
    DocumentRequestType,
    DocumentRequestTypeQuerySet,
)
