"""Staff admin of the documents (Wagtail viewsets in the "Tenant portal" menu group).

- Documents: listing with filters and export; upload for one party, contract, property or
  company; inspect page with deliveries and read receipts (who opened what); withdrawal
  (kept for audit); the file itself, where every view is written to the audit log.
- Bulk distribution: ZIP upload with the match report; past runs with their reports.
- Paper post: documents for tenants without e-delivery consent (exportable print list) and
  PDF print batches.
- Document categories (editors add their own).

Views are thin: they call ``services``. Listings use a fixed number of queries.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column, Table, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from ..core.conf import portal_settings
from ..core.downloads import private_file_response
from ..tenancy.admin_views import (
    InspectSection,
    TenancyIndexView,
    TenancyInspectView,
    TenancyModelViewSet,
    field_label,
)
from ..tenancy.models import Company
from . import services
from .bulk import COUNT_NAMES, compile_pattern
from .files import DocumentRejected
from .models import (
    BulkDistribution,
    Document,
    DocumentCategory,
    DocumentDelivery,
    DocumentReceipt,
    PrintBatch,
)

ADMIN_TEMPLATES = "wagtail_tenantportal/documents/admin/"


def _policy(model):
    """The model's permission policy (Wagtail 7.4 has no policy registry; both versions have this)."""
    return ModelPermissionPolicy(model)


def document_admin_url(view, *args):
    return reverse(f"tenantportal_document:{view}", args=[quote(a) for a in args])


def _count(model, fk):
    rows = model._default_manager.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), Value(0))


def document_status(document):
    if document.withdrawn_at:
        return pgettext_lazy("document status", "Withdrawn")
    if document.published_from > timezone.now():
        return _("Scheduled")
    return _("Published")


class StaffView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A form view of the admin checked against the model's permission policy."""

    model = None
    index_url_name = None
    header_icon = "doc-full"

    @cached_property
    def permission_policy(self):
        return _policy(self.model)

    def get_breadcrumbs_items(self):
        items = []
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": self.model._meta.verbose_name_plural})
        return self.breadcrumbs_items + items + [{"url": "", "label": self.get_page_title()}]


# --- Documents ---------------------------------------------------------------------------------


class DocumentUploadForm(WagtailAdminModelForm):
    """Upload of one document; the target is a party, a contract, a property, or a company."""

    upload = forms.FileField(
        label=_("PDF file"),
        help_text=_("A PDF document of at most the size allowed (setting DOCUMENTS_MAX_FILE_MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    notify = forms.BooleanField(
        label=_("Tell the tenants"),
        required=False,
        initial=True,
        help_text=_(
            "Tenants with e-delivery consent get an email that a new document is available; the others "
            "are put on the print list for paper post. For a property or company, only tenants with "
            "e-delivery consent are told."
        ),
    )

    class Meta:
        model = Document
        fields = [
            "company",
            "party",
            "contract",
            "property",
            "category",
            "title",
            "document_date",
            "published_from",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].required = False
        self.fields["document_date"].required = False
        self.fields["document_date"].help_text = _("Empty: today.")
        self.fields["published_from"].required = False
        self.fields["company"].help_text = _(
            "Only for a document for the whole company; otherwise it follows from the party, contract or property."
        )

    def clean(self):
        data = super().clean()
        targets = [name for name in ("party", "contract", "property") if data.get(name)]
        if len(targets) > 1:
            raise forms.ValidationError(_("Choose one of party, contract or property, not several."))
        if targets:
            target = data[targets[0]]
            if data.get("company") and data["company"].pk != target.company_id:
                self.add_error(
                    "company",
                    _("The company does not match the chosen %(target)s.")
                    % {"target": field_label(Document, targets[0])},
                )
            data["target"] = target
        elif data.get("company"):
            data["target"] = data["company"]
        else:
            raise forms.ValidationError(
                _("Choose who the document is for: a party, a contract, a property or a whole company.")
            )
        return data


class DocumentUploadView(StaffView):
    model = Document
    permission_required = "add"
    form_class = DocumentUploadForm
    template_name = ADMIN_TEMPLATES + "upload.html"
    page_title = _("Upload document")
    header_icon = "upload"
    index_url_name = "tenantportal_document:index"

    def get_initial(self):
        initial = super().get_initial()
        for name in ("company", "party", "contract", "property", "category"):
            if value := self.request.GET.get(name):
                initial[name] = value
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        upload = data["upload"]
        try:
            document = services.publish(
                upload,
                target=data["target"],
                category=data["category"],
                title=data["title"],
                document_date=data.get("document_date"),
                published_from=data.get("published_from"),
                user=self.request.user,
                filename=upload.name,
                notify=data["notify"],
            )
        except DocumentRejected as exc:
            form.add_error("upload", exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(title)s” was published.") % {"title": document.title})
        return redirect(document_admin_url("inspect", document.pk))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the document for the audit trail; tenants do not see it."),
    )


class DocumentWithdrawView(StaffView):
    model = Document
    permission_required = "change"
    form_class = WithdrawForm
    template_name = ADMIN_TEMPLATES + "withdraw.html"
    page_title = _("Withdraw document")
    header_icon = "bin"
    index_url_name = "tenantportal_document:index"

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Document, pk=pk)

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.withdraw(self.object, user=self.request.user, reason=form.cleaned_data["reason"])
        except DocumentRejected as exc:
            messages.error(self.request, exc.message)
        else:
            messages.success(
                self.request, _("“%(title)s” was withdrawn from the portal.") % {"title": self.object}
            )
        return redirect(document_admin_url("inspect", self.object.pk))


def document_file_view(request, pk):
    """The file of a document for staff; every call is written to the audit log."""
    policy = _policy(Document)
    if not policy.user_has_any_permission(request.user, ["view", "change"]):
        raise PermissionDenied
    document = get_object_or_404(Document, pk=pk)
    try:
        response = private_file_response(
            document.file.name, filename=document.download_filename, content_type=document.content_type
        )
    except FileNotFoundError:
        raise Http404("The file of this document is missing from the private storage.") from None
    services.log_staff_view(document, request.user)
    return response


class DocumentInspectView(TenancyInspectView):
    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except (ValueError, TypeError):
            raise Http404 from None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        policy = _policy(Document)
        user = self.request.user
        if policy.user_has_any_permission(user, ["view", "change"]):
            buttons.insert(
                0,
                HeaderButton(
                    _("Open file (logged)"),
                    url=document_admin_url("file", self.object.pk),
                    icon_name="doc-full",
                ),
            )
        if not self.object.withdrawn_at and policy.user_has_permission(user, "change"):
            buttons.append(
                HeaderButton(
                    _("Withdraw"), url=document_admin_url("withdraw", self.object.pk), icon_name="bin"
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["file_url"] = document_admin_url("file", self.object.pk)
        return context


class DocumentIndexView(TenancyIndexView):
    def get_add_url(self):
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return reverse("tenantportal_document:add")
        return None


def _target_label(document):
    return document.target


class DocumentViewSet(TenancyModelViewSet):
    model = Document
    name = "tenantportal_document"
    url_prefix = "tenantportal/documents"
    icon = "doc-full"
    menu_label = _("Documents")
    index_view_class = DocumentIndexView
    inspect_view_class = DocumentInspectView
    add_to_reference_index = False
    ordering = "-published_from"
    list_display = [
        "title",
        "category",
        Column("target", label=_("For"), accessor=_target_label),
        "document_date",
        "published_from",
        "source",
        Column("status", label=_("Status"), accessor=document_status),
        Column("opened_count", label=_("Opened by"), sort_key="opened_count"),
        "company",
    ]
    list_filter = ["company", "category", "source"]
    search_fields = ["title", "original_filename", "contract__number", "party__last_name", "property__street"]
    list_export = [
        "title",
        "category",
        "company",
        "get_scope_display",
        "target",
        "document_date",
        "published_from",
        "get_source_display",
        "status",
        "opened_count",
        "withdrawn_at",
        "original_filename",
        "content_hash",
    ]
    export_headings = {
        "get_scope_display": _("Scope"),
        "target": _("For"),
        "get_source_display": field_label(Document, "source"),
        "status": _("Status"),
        "opened_count": _("Opened by"),
    }
    export_getters = {"target": lambda d: str(d.target), "status": lambda d: str(document_status(d))}
    inspect_view_fields = [
        "title",
        "category",
        "company",
        "party",
        "contract",
        "property",
        "document_date",
        "published_from",
        "source",
        "original_filename",
        "size",
        "content_hash",
        "distribution",
        "created_at",
        "created_by",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal_reason",
    ]
    panels = [
        FieldPanel("title"),
        FieldPanel("category"),
        FieldRowPanel([FieldPanel("document_date"), FieldPanel("published_from")]),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("category", "company", "party", "contract", "property").annotate(
            opened_count=_count(DocumentReceipt, "document")
        )

    def get_object_queryset(self, queryset):
        return queryset.select_related(
            "category",
            "company",
            "party",
            "contract",
            "property",
            "distribution",
            "created_by",
            "withdrawn_by",
        )

    def get_inspect_sections(self, document):
        deliveries = list(
            document.deliveries.select_related("party", "print_batch").order_by("party__last_name")
        )
        receipts = list(document.receipts.select_related("party").order_by("first_opened_at"))
        delivery_columns = [
            Column("party", label=field_label(DocumentDelivery, "party")),
            Column("channel", label=field_label(DocumentDelivery, "channel"), accessor="get_channel_display"),
            Column("notified_at", label=field_label(DocumentDelivery, "notified_at")),
            Column("print_batch", label=field_label(DocumentDelivery, "print_batch")),
        ]
        receipt_columns = [
            Column("party", label=field_label(DocumentReceipt, "party")),
            Column("first_opened_at", label=field_label(DocumentReceipt, "first_opened_at")),
            Column("last_opened_at", label=field_label(DocumentReceipt, "last_opened_at")),
            Column("open_count", label=field_label(DocumentReceipt, "open_count")),
        ]
        return [
            InspectSection(
                heading=_("Opened by (read receipts)"),
                table=Table(receipt_columns, receipts),
                empty_message=_("Nobody has opened this document in the portal yet."),
            ),
            InspectSection(
                heading=_("Deliveries"),
                table=Table(delivery_columns, deliveries),
                empty_message=_(
                    "No deliveries recorded (documents for a whole property or company, or generated ones)."
                ),
            ),
        ]

    @property
    def add_view(self):
        return self.construct_view(DocumentUploadView)

    @property
    def withdraw_view(self):
        return self.construct_view(DocumentWithdrawView)

    without_views = ("delete",)

    def get_urlpatterns(self):
        patterns = [p for p in super().get_urlpatterns() if p.name not in ("delete",)]
        return patterns + [
            path("withdraw/<int:pk>/", self.withdraw_view, name="withdraw"),
            path("file/<int:pk>/", document_file_view, name="file"),
        ]


# --- Categories --------------------------------------------------------------------------------


class DocumentCategoryViewSet(TenancyModelViewSet):
    model = DocumentCategory
    name = "tenantportal_documentcategory"
    url_prefix = "tenantportal/document-categories"
    icon = "tag"
    menu_label = _("Document categories")
    ordering = "sort_order"
    list_display = [
        TitleColumn(
            "display_name",
            label=_("Name"),
            accessor="display_name",
            get_url=lambda c: reverse("tenantportal_documentcategory:edit", args=[c.pk]),
        ),
        "key",
        "sort_order",
        Column("document_count", label=_("Documents"), sort_key="document_count"),
    ]
    search_fields = ["key", "name"]
    list_export = ["key", "name", "sort_order", "document_count"]
    export_headings = {"document_count": _("Documents")}
    inspect_view_enabled = False
    panels = [FieldPanel("name"), FieldPanel("key"), FieldPanel("description"), FieldPanel("sort_order")]

    def get_listing_queryset(self, queryset):
        return queryset.annotate(document_count=_count(Document, "category"))


# --- Bulk distribution -------------------------------------------------------------------------


class BulkDistributionForm(forms.Form):
    zip_file = forms.FileField(
        label=_("ZIP file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/zip,.zip"}),
        help_text=_("PDF files named by contract number, e.g. 100012345_BK2025.pdf."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=DocumentCategory.objects.all())
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("e.g. Betriebskostenabrechnung 2025")
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.all(),
        required=False,
        help_text=_("Empty: contract numbers are looked up in all companies."),
    )
    document_date = forms.DateField(label=_("Document date"), required=False, help_text=_("Empty: today."))
    published_from = forms.DateTimeField(
        label=_("Published from"),
        required=False,
        help_text=_("Empty: now. Tenants see the documents from then on."),
    )
    pattern = forms.CharField(
        label=_("File name pattern"),
        max_length=300,
        help_text=_("Regular expression with a group named “contract” (case is ignored)."),
    )
    notify = forms.BooleanField(label=_("Tell the tenants"), required=False, initial=True)
    dry_run = forms.BooleanField(
        label=_("Check only"), required=False, help_text=_("Report what would happen; publish nothing.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

        self.fields["document_date"].widget = AdminDateInput()
        self.fields["published_from"].widget = AdminDateTimeInput()
        self.fields["pattern"].initial = portal_settings.DOCUMENTS_BULK_FILENAME_PATTERN

    def clean_zip_file(self):
        upload = self.cleaned_data["zip_file"]
        max_mb = portal_settings.DOCUMENTS_BULK_MAX_UPLOAD_MB
        if upload.size > max_mb * 1024 * 1024:
            raise forms.ValidationError(_("The ZIP file is larger than %(mb)s MB.") % {"mb": max_mb})
        return upload

    def clean_pattern(self):
        try:
            compile_pattern(self.cleaned_data["pattern"])
        except DocumentRejected as exc:
            raise forms.ValidationError(exc.message) from None
        return self.cleaned_data["pattern"]


def count_rows(counts, dry_run=False):
    labels = {
        "files": _("Files in the ZIP"),
        "published": _("Would be published") if dry_run else _("Published"),
        "already_published": _("Already published before (skipped)"),
        "unmatched": _("No matching contract"),
        "ambiguous": _("Contract number in several companies"),
        "duplicates": _("Several files for one contract"),
        "rejected": _("Refused (not a PDF, too large, damaged, unsafe name)"),
        "ignored": _("Ignored (folders, system files)"),
    }
    return [
        {"label": labels[name], "value": (counts or {}).get(name, 0), "name": name} for name in COUNT_NAMES
    ]


class BulkDistributionView(StaffView):
    model = BulkDistribution
    permission_required = "add"
    form_class = BulkDistributionForm
    template_name = ADMIN_TEMPLATES + "distribute.html"
    page_title = _("Distribute documents (ZIP)")
    header_icon = "upload"
    index_url_name = "tenantportal_bulkdistribution:index"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_upload_mb"] = portal_settings.DOCUMENTS_BULK_MAX_UPLOAD_MB
        context["max_file_mb"] = portal_settings.DOCUMENTS_MAX_FILE_MB
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        upload = data["zip_file"]
        published_from = data.get("published_from")
        run = services.distribute_zip(
            upload,
            category=data["category"],
            title=data["title"],
            company=data.get("company"),
            document_date=data.get("document_date"),
            published_from=published_from,
            pattern=data["pattern"],
            user=self.request.user,
            dry_run=data["dry_run"],
            notify=data["notify"],
            zip_name=upload.name,
        )
        if run.status == BulkDistribution.Status.FAILED:
            messages.error(self.request, run.error)
        elif run.dry_run:
            messages.success(self.request, _("Checked: nothing was published. See the report below."))
        else:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d document was published.",
                    "%(count)d documents were published.",
                    run.counts["published"],
                )
                % {"count": run.counts["published"]},
            )
        return self.render_to_response(
            self.get_context_data(
                form=self.form_class(initial={**{k: v for k, v in data.items() if k != "zip_file"}}),
                run=run,
                count_rows=count_rows(run.counts, run.dry_run),
                run_url=reverse("tenantportal_bulkdistribution:inspect", args=[run.pk]),
            )
        )


class BulkDistributionInspectView(TenancyInspectView):
    template_name = ADMIN_TEMPLATES + "distribution_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count_rows"] = count_rows(self.object.counts, self.object.dry_run)
        context["problems"] = self.object.problems or []
        return context


class BulkDistributionIndexView(TenancyIndexView):
    def get_add_url(self):
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return reverse("tenantportal_bulkdistribution:add")
        return None


class BulkDistributionViewSet(TenancyModelViewSet):
    model = BulkDistribution
    name = "tenantportal_bulkdistribution"
    url_prefix = "tenantportal/document-distributions"
    icon = "upload"
    menu_label = _("Bulk distribution")
    index_view_class = BulkDistributionIndexView
    inspect_view_class = BulkDistributionInspectView
    inspect_template_name = ADMIN_TEMPLATES + "distribution_inspect.html"
    ordering = "-started_at"
    list_display = [
        "started_at",
        "title",
        "category",
        "company",
        "status",
        Column("published", label=_("Published"), accessor=lambda r: (r.counts or {}).get("published", 0)),
        Column(
            "problems",
            label=_("Reported files"),
            accessor=lambda r: sum(
                (r.counts or {}).get(k, 0) for k in ("unmatched", "ambiguous", "duplicates", "rejected")
            ),
        ),
        "user",
    ]
    list_filter = ["status", "category", "company"]
    search_fields = ["title", "zip_name"]
    list_export = [
        "started_at",
        "finished_at",
        "title",
        "category",
        "company",
        "zip_name",
        "status",
        "counts",
        "user",
    ]
    inspect_view_fields = [
        "started_at",
        "finished_at",
        "user",
        "title",
        "category",
        "company",
        "document_date",
        "published_from",
        "filename_pattern",
        "zip_name",
        "zip_size",
        "dry_run",
        "status",
        "error",
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("category", "company", "user").defer("problems")

    def get_object_queryset(self, queryset):
        return queryset.select_related("category", "company", "user")

    @property
    def add_view(self):
        return self.construct_view(BulkDistributionView)

    without_views = ("edit", "delete", "history", "usage")

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
        ]


# --- Paper post --------------------------------------------------------------------------------


def _address(delivery):
    return ", ".join(delivery.party.address_lines)


class PrintListIndexView(TenancyIndexView):
    page_title = _("Paper post")

    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=DocumentDelivery.objects.pending_post().values("pk"))

    def get_add_url(self):
        if _policy(PrintBatch).user_has_permission(self.request.user, "add"):
            return reverse("tenantportal_printbatch:add")
        return None


class PrintListViewSet(TenancyModelViewSet):
    """Deliveries by paper post not yet printed: the print list (export it, or make a PDF batch)."""

    model = DocumentDelivery
    name = "tenantportal_printlist"
    url_prefix = "tenantportal/paper-post"
    icon = "mail"
    menu_label = _("Paper post")
    index_view_class = PrintListIndexView
    inspect_view_enabled = False
    add_item_label = _("Create print batch")
    ordering = "document__published_from"
    list_display = [
        Column("party", label=field_label(DocumentDelivery, "party")),
        Column("address", label=_("Address"), accessor=_address),
        Column("contract", label=_("Contract"), accessor="document.contract"),
        TitleColumn(
            "document",
            label=field_label(DocumentDelivery, "document"),
            accessor="document",
            get_url=lambda d: document_admin_url("inspect", d.document_id),
        ),
        Column(
            "published", label=field_label(Document, "published_from"), accessor="document.published_from"
        ),
    ]
    list_filter = {"document__company": ["exact"], "document__category": ["exact"]}
    search_fields = ["party__last_name", "party__first_name", "document__title", "document__contract__number"]
    list_export = ["party", "address", "postal_code", "city", "contract", "document", "category", "published"]
    export_headings = {
        "party": field_label(DocumentDelivery, "party"),
        "address": _("Address"),
        "postal_code": _("Postal code"),
        "city": _("City"),
        "contract": _("Contract"),
        "document": field_label(DocumentDelivery, "document"),
        "category": _("Category"),
        "published": field_label(Document, "published_from"),
    }
    export_getters = {
        "party": lambda d: " ".join(d.party.letter_name_lines),
        "address": lambda d: ", ".join(filter(None, [d.party.street, d.party.address_addition])),
        "postal_code": lambda d: d.party.postal_code,
        "city": lambda d: d.party.city,
        "contract": lambda d: d.document.contract.number if d.document.contract_id else "",
        "document": lambda d: d.document.title,
        "category": lambda d: str(d.document.category),
        "published": lambda d: d.document.published_from,
    }

    def get_listing_queryset(self, queryset):
        return queryset.select_related("party", "document__contract", "document__category")

    without_views = ("add", "edit", "delete", "history", "usage")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class PrintBatchForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.all(),
        required=False,
        help_text=_("Empty: all companies."),
    )


class PrintBatchCreateView(StaffView):
    model = PrintBatch
    permission_required = "add"
    form_class = PrintBatchForm
    template_name = ADMIN_TEMPLATES + "print_batch_create.html"
    page_title = _("Create print batch")
    header_icon = "mail"
    index_url_name = "tenantportal_printbatch:index"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_count"] = DocumentDelivery.objects.pending_post().count()
        context["batch_size"] = portal_settings.DOCUMENTS_PRINT_BATCH_SIZE
        return context

    def form_valid(self, form):
        batch = services.create_print_batch(company=form.cleaned_data.get("company"), user=self.request.user)
        if batch is None:
            messages.warning(self.request, _("No documents are waiting for paper post."))
            return redirect("tenantportal_printlist:index")
        messages.success(
            self.request,
            ngettext(
                "Print batch with %(count)d document created.",
                "Print batch with %(count)d documents created.",
                batch.document_count,
            )
            % {"count": batch.document_count},
        )
        return redirect("tenantportal_printbatch:index")


def print_batch_file_view(request, pk):
    policy = _policy(PrintBatch)
    if not policy.user_has_any_permission(request.user, ["add", "view", "change"]):
        raise PermissionDenied
    batch = get_object_or_404(PrintBatch, pk=pk)
    if not batch.file:
        raise Http404
    return private_file_response(
        batch.file.name,
        filename=f"print-batch-{batch.created_at:%Y-%m-%d-%H%M}.pdf",
        content_type="application/pdf",
    )


class PrintBatchIndexView(TenancyIndexView):
    def get_add_url(self):
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            return reverse("tenantportal_printbatch:add")
        return None


class PrintBatchViewSet(TenancyModelViewSet):
    model = PrintBatch
    name = "tenantportal_printbatch"
    url_prefix = "tenantportal/print-batches"
    icon = "print"
    menu_label = _("Print batches")
    index_view_class = PrintBatchIndexView
    inspect_view_enabled = False
    ordering = "-created_at"
    list_display = [
        TitleColumn(
            "created_at",
            label=field_label(PrintBatch, "created_at"),
            get_url=lambda b: reverse("tenantportal_printbatch:file", args=[b.pk]),
        ),
        "company",
        "document_count",
        "page_count",
        "created_by",
    ]
    list_filter = ["company"]
    search_fields = []
    list_export = ["created_at", "company", "document_count", "page_count", "created_by"]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "created_by")

    @property
    def add_view(self):
        return self.construct_view(PrintBatchCreateView)

    without_views = ("edit", "delete", "history", "usage")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("file/<int:pk>/", print_batch_file_view, name="file"),
        ]


def menu_viewsets():
    return [
        DocumentViewSet(),
        BulkDistributionViewSet(),
        PrintListViewSet(),
        PrintBatchViewSet(),
        DocumentCategoryViewSet(),
    ]
