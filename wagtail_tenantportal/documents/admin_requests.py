"""Staff admin of the document requests: the catalogue per company, and the requests.

- "Requestable documents": the catalogue staff keep per company (name, description, category of
  the document it leads to, active, order); an action adds the standard German entries.
- "Document requests": open ones first (filter by status, company); a request is fulfilled by
  uploading the PDF (``doc_requests.fulfil_request``: published for the contract with the
  documents' one road, so delivery and e-delivery mail are the usual ones) or rejected with a
  reason the tenant sees. Permission: ``change_documentrequest``.

Staff reach the catalogue and requests of their companies only (``core.scope``); other ids 404.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from ..admin import decisions as admin_decisions
from ..admin.viewsets import PortalModelViewSet
from ..core.scope import companies as staff_companies
from . import doc_requests
from .admin_common import AddPermittedIndexView
from .files import DocumentRejected
from .models import DocumentRequest, DocumentRequestType

NAME = "tenantportal_documentrequest"
PERM_DECIDE = "tenantportal_documents.change_documentrequest"
PERM_CATALOGUE = "tenantportal_documents.add_documentrequesttype"


class CatalogueIndexView(AddPermittedIndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm(PERM_CATALOGUE):
            buttons.append(
                HeaderButton(
                    _("Add the standard documents"),
                    url=reverse("tenantportal_documentrequesttype:standard"),
                    icon_name="list-ul",
                )
            )
        return buttons


class DocumentRequestTypeViewSet(PortalModelViewSet):
    model = DocumentRequestType
    name = "tenantportal_documentrequesttype"
    url_prefix = "tenantportal/document-request-types"
    icon = "list-ul"
    menu_label = _("Requestable documents")
    index_view_class = CatalogueIndexView
    ordering = "sort_order"
    list_display = ["name", "category", "active", "sort_order", "company"]
    list_filter = ["company", "active"]
    search_fields = ["name", "description"]
    list_export = ["company", "name", "description", "category", "active", "sort_order"]
    inspect_view_enabled = False
    panels = [
        FieldPanel("company"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("category"),
        FieldPanel("active"),
        FieldPanel("sort_order"),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "category")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("standard/", StandardCatalogueView.as_view(), name="standard"),
        ]


class StandardCatalogueView(WagtailAdminTemplateMixin, TemplateView):
    """Adds the standard entries to the catalogue of each company the user works for."""

    template_name = admin_decisions.FORM_TEMPLATE
    page_title = _("Add the standard documents")
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERM_CATALOGUE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=forms.Form(),
            message=_(
                "Adds %(names)s to the list of each of your companies that lacks them. You can rename, "
                "deactivate or delete them afterwards."
            )
            % {"names": ", ".join(f"„{name}“" for name, _d, _c in doc_requests.STANDARD_CATALOGUE)},
            submit_label=_("Add"),
            cancel_url=reverse("tenantportal_documentrequesttype:index"),
        )
        return context

    def post(self, request, *args, **kwargs):
        added = sum(doc_requests.standard_catalogue(company) for company in staff_companies(request.user))
        messages.success(request, _("%(count)d entries added.") % {"count": added})
        return redirect("tenantportal_documentrequesttype:index")


def is_open(req):
    return req.status == DocumentRequest.Status.OPEN


def decision_buttons(user, req, priority=10):
    return admin_decisions.decision_buttons(
        user,
        req,
        viewset_name=NAME,
        permission=PERM_DECIDE,
        is_open=is_open(req),
        actions=[("fulfil", _("Upload the document"), "upload"), ("reject", _("Reject"), "cross")],
        priority=priority,
    )


class FulfilForm(forms.Form):
    upload = forms.FileField(label=_("Document (PDF)"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the name of the requested document."),
    )


class DecisionView(admin_decisions.DecisionView):
    permission = PERM_DECIDE
    viewset_name = NAME

    def load(self, user, pk):
        return doc_requests.staff_request(user, pk)

    def is_open(self, obj):
        return is_open(obj)


class FulfilView(DecisionView):
    form_class = FulfilForm
    page_title = _("Upload the requested document")
    submit_label = _("Publish for the tenant")
    done_message = _("The document was published for the contract; the request is fulfilled.")

    def message(self):
        req = self.object
        return _(
            "“%(type)s” for contract %(contract)s. The PDF is published in the category “%(category)s” "
            "for the contract; tenants who receive documents in the portal get the usual mail."
        ) % {"type": req.request_type, "contract": req.contract.number, "category": req.request_type.category}

    def decide(self, form):
        try:
            doc_requests.fulfil_request(
                self.object,
                form.cleaned_data["upload"],
                title=form.cleaned_data["title"],
                user=self.request.user,
            )
        except DocumentRejected as error:  # the file: shown on the form
            raise ValidationError({"upload": [error.message]}) from None


class RejectView(DecisionView):
    form_class = admin_decisions.ReasonForm
    page_title = _("Reject document request")
    submit_label = _("Reject")
    done_message = _("The request was rejected.")

    def message(self):
        return _("The tenant sees the reason with the request.")

    def decide(self, form):
        doc_requests.reject_request(self.object, self.request.user, form.cleaned_data["reason"])


class DocumentRequestViewSet(PortalModelViewSet):
    model = DocumentRequest
    name = NAME
    url_prefix = "tenantportal/document-requests"
    icon = "doc-full"
    menu_label = _("Document requests")
    without_views = ("add", "edit", "delete", "usage")
    list_display = [
        Column("request_type", label=_("Document")),
        Column("contract", label=_("Contract")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("created_at", label=_("Requested"), sort_key="created_at"),
        BooleanColumn("has_note", label=_("Remark"), accessor=lambda r: bool(r.note)),
        "company",
    ]
    list_filter = ["status", "company"]
    search_fields = ["contract__number", "request_type__name", "note"]
    list_export = [
        "company",
        "request_type",
        "contract",
        "note",
        "status",
        "created_at",
        "decided_at",
        "reason",
    ]
    inspect_view_fields = [
        "request_type",
        "contract",
        "company",
        "note",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "reason",
        "document",
    ]

    def get_object_actions(self, user, obj, priority=10):
        return decision_buttons(user, obj, priority=priority)

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "contract", "request_type").in_work_order()

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "contract", "request_type", "decided_by", "document")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("fulfil/<int:pk>/", FulfilView.as_view(), name="fulfil"),
            path("reject/<int:pk>/", RejectView.as_view(), name="reject"),
        ]
