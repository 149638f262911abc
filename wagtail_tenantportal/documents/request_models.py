"""Document requests (Dokumentenanforderung): a catalogue of documents staff keep per company,
and the tenant's request of one of them for a contract. Imported from ``models.py``.

A request is fulfilled by a staff upload that becomes a ``Document`` of the contract (published
with the documents' one road, ``services.publish``, so tenants with e-delivery consent get the
usual mail) or rejected with a reason. Certificates the portal can make itself (rent
certificate, landlord confirmation) stay instant (``certificates.py``) and need no request.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core import ownership
from ..core.scope import StaffScopedQuerySet
from ..tenancy.models import Company, Contract


class DocumentRequestTypeQuerySet(StaffScopedQuerySet):
    def active(self):
        return self.filter(active=True)

    def for_companies(self, company_ids):
        return self.active().filter(company_id__in=company_ids).order_by("sort_order", "name", "pk")


class DocumentRequestType(models.Model):
    """A document tenants of a company may request ("Kopie des Mietvertrags", "Hausordnung")."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="document_request_types"
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("As tenants see it in the list."))
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("A sentence below the name, e.g. how long it takes or what it costs."),
    )
    category = models.ForeignKey(
        "tenantportal_documents.DocumentCategory",
        verbose_name=_("category of the document"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The category the uploaded document gets in the tenant's documents."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Offered to tenants."))
    sort_order = models.IntegerField(_("order"), default=0)

    objects = DocumentRequestTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("requestable document")
        verbose_name_plural = _("requestable documents")
        ordering = ["company", "sort_order", "name"]

    def __str__(self):
        return self.name


class DocumentRequestQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """Requests for the contracts ``user``'s parties are named on (co-tenants see them too:
        the document they lead to belongs to the contract)."""
        contract_ids = ownership.contract_ids(user)
        if contract_ids is None:
            return self.none()
        return self.filter(contract_id__in=contract_ids)

    def open(self):
        return self.filter(status=DocumentRequest.Status.OPEN)

    def in_work_order(self):
        return self.order_by(models.Case(models.When(status="open", then=0), default=1), "created_at", "pk")


class DocumentRequest(models.Model):
    """A tenant's request of a document of the catalogue for one contract."""

    class Status(models.TextChoices):
        OPEN = "open", _("Requested")
        FULFILLED = "fulfilled", _("Ready in your documents")
        REJECTED = "rejected", _("Rejected")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="document_requests"
    )
    request_type = models.ForeignKey(
        DocumentRequestType, verbose_name=_("document"), on_delete=models.PROTECT, related_name="requests"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="document_requests"
    )
    note = models.TextField(_("remark"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the request was rejected (the tenant sees it).")
    )
    document = models.ForeignKey(
        "tenantportal_documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DocumentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.request_type} – {self.contract}"
