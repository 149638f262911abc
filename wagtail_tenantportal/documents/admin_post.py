"""Staff admin of the paper post: the print list (deliveries by post not printed yet,
exportable) and the PDF print batches made of it."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn

from ..admin.utils import field_label
from ..admin.viewsets import PortalIndexView, PortalModelViewSet
from ..core.conf import portal_settings
from ..core.downloads import private_file_response
from ..tenancy.models import Company
from . import services
from .admin_common import (
    ADMIN_TEMPLATES,
    AddPermittedIndexView,
    StaffView,
    document_admin_url,
    permission_policy,
    require_company_choice,
)
from .models import Document, DocumentDelivery, PrintBatch


def _address(delivery):
    return ", ".join(delivery.party.address_lines)


class PrintListIndexView(PortalIndexView):
    page_title = _("Paper post")

    def get_add_url(self):
        if permission_policy(PrintBatch).user_has_permission(self.request.user, "add"):
            return reverse("tenantportal_printbatch:add")
        return None


class PrintListViewSet(PortalModelViewSet):
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

    def get_queryset(self, request):
        # The print list: paper deliveries of published documents not printed yet.
        return (
            super().get_queryset(request).filter(pk__in=DocumentDelivery.objects.pending_post().values("pk"))
        )

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

    def get_form(self, form_class=None):
        return require_company_choice(super().get_form(form_class), self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_count"] = services.pending_post_count(self.request.user)
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


class PrintBatchFileView(View):
    """The PDF of a print batch, for staff who may create, view or change batches."""

    #: Callable ``(request) -> queryset``: the print batch viewset's ``get_queryset``.
    base_queryset = None

    def get(self, request, pk):
        policy = permission_policy(PrintBatch)
        if not policy.user_has_any_permission(request.user, ["add", "view", "change"]):
            raise PermissionDenied
        batch = get_object_or_404(self.base_queryset(request), pk=pk)
        if not batch.file:
            raise Http404
        return private_file_response(
            batch.file.name,
            filename=f"print-batch-{batch.created_at:%Y-%m-%d-%H%M}.pdf",
            content_type="application/pdf",
        )


class PrintBatchViewSet(PortalModelViewSet):
    model = PrintBatch
    name = "tenantportal_printbatch"
    url_prefix = "tenantportal/print-batches"
    icon = "print"
    menu_label = _("Print batches")
    index_view_class = AddPermittedIndexView
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
            path("file/<int:pk>/", PrintBatchFileView.as_view(base_queryset=self.get_queryset), name="file"),
        ]
