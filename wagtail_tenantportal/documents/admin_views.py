"""Staff admin of the documents (Wagtail viewsets in the "Tenant portal" menu group).

- Documents: listing with filters and export; upload for one party, contract, property or
  company; inspect page with deliveries and read receipts (who opened what); withdrawal
  (kept for audit); the file itself, where every view is written to the audit log.
- Bulk distribution: ZIP upload with the match report; past runs with their reports
  (``admin_distribution``).
- Paper post: documents for tenants without e-delivery consent (exportable print list) and
  PDF print batches (``admin_post``).
- Document categories (editors add their own).

Views are thin: they call ``services``. Listings use a fixed number of queries; every view
of a document takes it from the viewset's ``get_queryset``.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column, Table, TitleColumn
from wagtail.admin.widgets.button import HeaderButton

from ..admin.utils import count_subquery, field_label
from ..admin.viewsets import InspectSection, PortalInspectView, PortalModelViewSet
from ..core.downloads import private_file_response
from . import services
from .admin_common import (
    ADMIN_TEMPLATES,
    AddPermittedIndexView,
    StaffView,
    document_admin_url,
    document_status,
    permission_policy,
)
from .admin_distribution import BulkDistributionViewSet
from .admin_post import PrintBatchViewSet, PrintListViewSet
from .files import DocumentRejected
from .models import Document, DocumentCategory, DocumentDelivery, DocumentReceipt

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

    #: Callable ``(request) -> queryset``: the document viewset's ``get_queryset``.
    base_queryset = None

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(self.base_queryset(request), pk=pk)

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


class DocumentFileView(View):
    """The file of a document for staff; every call is written to the audit log."""

    #: Callable ``(request) -> queryset``: the document viewset's ``get_queryset``.
    base_queryset = None

    def get(self, request, pk):
        policy = permission_policy(Document)
        if not policy.user_has_any_permission(request.user, ["view", "change"]):
            raise PermissionDenied
        document = get_object_or_404(self.base_queryset(request), pk=pk)
        try:
            response = private_file_response(
                document.file.name, filename=document.download_filename, content_type=document.content_type
            )
        except FileNotFoundError:
            raise Http404("The file of this document is missing from the private storage.") from None
        services.log_staff_view(document, request.user)
        return response


class DocumentInspectView(PortalInspectView):
    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except (ValueError, TypeError):
            raise Http404 from None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        policy = permission_policy(Document)
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


def _target_label(document):
    return document.target


class DocumentViewSet(PortalModelViewSet):
    model = Document
    name = "tenantportal_document"
    url_prefix = "tenantportal/documents"
    icon = "doc-full"
    menu_label = _("Documents")
    index_view_class = AddPermittedIndexView
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
            opened_count=count_subquery(DocumentReceipt, "document")
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
        return self.construct_view(DocumentWithdrawView, base_queryset=self.get_queryset)

    @property
    def file_view(self):
        return DocumentFileView.as_view(base_queryset=self.get_queryset)

    without_views = ("delete",)

    def get_urlpatterns(self):
        patterns = [p for p in super().get_urlpatterns() if p.name not in ("delete",)]
        return patterns + [
            path("withdraw/<int:pk>/", self.withdraw_view, name="withdraw"),
            path("file/<int:pk>/", self.file_view, name="file"),
        ]


# --- Categories --------------------------------------------------------------------------------


class DocumentCategoryViewSet(PortalModelViewSet):
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
        return queryset.annotate(document_count=count_subquery(Document, "category"))


def menu_viewsets():
    from .admin_requests import DocumentRequestTypeViewSet, DocumentRequestViewSet

    return [
        DocumentRequestViewSet(),
        DocumentRequestTypeViewSet(),
        DocumentViewSet(),
        BulkDistributionViewSet(),
        PrintListViewSet(),
        PrintBatchViewSet(),
        DocumentCategoryViewSet(),
    ]
