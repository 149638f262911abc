"""Staff admin of code requests (tenants asking online for a registration code): the list with
each row's actions, the request's page, and the actions themselves: **send letter** (a new code
and its letter to the address on file, ``services.handle_code_request``), **reject** with a
reason (``services.reject_code_request``: audited, mailed to the requester where the matched
party has an address) and **mark handled**. Staff see and act on the requests of their
companies only (the viewset's scope and ``services.get_open_code_request``): another
company's request is a 404.

Permissions: ``change_coderequest`` to reject or mark handled; sending a letter also needs
``add_registrationcode``.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.widgets.button import Button

from ..admin.viewsets import PortalIndexView, PortalModelViewSet
from . import services
from .admin_views import PERM_HANDLE_REQUEST, PERM_ISSUE, CodeActionView, letters_filename, pdf_response
from .models import CodeRequest


class CodeRequestIndexView(PortalIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().for_listing()


def request_buttons(user, instance, priority=10):
    buttons = []
    if instance.handled:
        return buttons
    if instance.matched and user.has_perm(PERM_ISSUE) and user.has_perm(PERM_HANDLE_REQUEST):
        buttons.append(
            Button(
                _("Send letter"),
                url=reverse("tenantportal_coderequest:send", args=[quote(instance.pk)]),
                icon_name="mail",
                priority=priority,
            )
        )
    if user.has_perm(PERM_HANDLE_REQUEST):
        buttons.append(
            Button(
                _("Reject"),
                url=reverse("tenantportal_coderequest:reject", args=[quote(instance.pk)]),
                icon_name="cross",
                priority=priority + 2,
            )
        )
        buttons.append(
            Button(
                _("Mark as handled"),
                url=reverse("tenantportal_coderequest:handled", args=[quote(instance.pk)]),
                icon_name="check",
                priority=priority + 1,
            )
        )
    return buttons


class SendRequestedLetterView(CodeActionView):
    permission = PERM_ISSUE
    index_url_name = "tenantportal_coderequest:index"
    index_label = _("Code requests")
    page_title = _("Send registration letter")
    submit_label = _("Issue a new code and print the letter")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERM_HANDLE_REQUEST):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk):
        return services.get_open_code_request(pk, self.request.user)

    def message(self):
        if not self.object.matched:
            return _(
                "The details of this request match no party. Check them and send a letter from the party."
            )
        return _(
            "A new code is issued for %(party)s (contract %(contract)s) and the letter is printed to the "
            "address on file, not to any address given in the request. The request is marked handled."
        ) % {"party": self.object.party, "contract": self.object.contract.number}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_submit"] = self.object.matched
        return context

    def perform(self):
        request_obj, user = self.object, self.request.user
        if not request_obj.matched:
            messages.error(self.request, self.message())
            return redirect(self.index_url_name)
        return pdf_response(
            lambda out: services.handle_code_request(request_obj, out, user=user),
            letters_filename(request_obj.party.erp_id or request_obj.party_id),
        )


class MarkRequestHandledView(CodeActionView):
    permission = PERM_HANDLE_REQUEST
    index_url_name = "tenantportal_coderequest:index"
    index_label = _("Code requests")
    page_title = _("Mark code request as handled")
    submit_label = _("Mark as handled")

    def get_object(self, pk):
        return services.get_open_code_request(pk, self.request.user)

    def message(self):
        return _("No letter is sent. Use this when the request was handled otherwise.")

    def perform(self):
        services.mark_request_handled(self.object, user=self.request.user)
        messages.success(self.request, _("The request was marked as handled."))
        return redirect(self.index_url_name)


class RejectCodeRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Recorded in the history; mailed to the requester if their party has an email address."),
    )


class RejectCodeRequestView(MarkRequestHandledView):
    """Refuse a code request with a reason (``services.reject_code_request``)."""

    template_name = "wagtail_tenantportal/admin/accounts/form.html"
    page_title = _("Reject code request")
    submit_label = _("Reject")

    def message(self):
        return _("No letter is sent. The requester is told the reason by mail if we have an address.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RejectCodeRequestForm())
        context["cancel_url"] = reverse(self.index_url_name)
        return context

    def perform(self):
        form = RejectCodeRequestForm(self.request.POST)
        if form.is_valid():
            try:
                mailed = services.reject_code_request(
                    self.object, reason=form.cleaned_data["reason"], user=self.request.user
                )
            except forms.ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    self.request,
                    _("The request was rejected and the requester informed by mail.")
                    if mailed
                    else _("The request was rejected. There is no email address to inform the requester."),
                )
                return redirect(self.index_url_name)
        return self.render_to_response(self.get_context_data(form=form))


class CodeRequestViewSet(PortalModelViewSet):
    model = CodeRequest
    name = "tenantportal_coderequest"
    url_prefix = "tenantportal/code-requests"
    icon = "mail"
    menu_label = _("Code requests")
    index_view_class = CodeRequestIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["handled", "company"]
    search_fields = ["last_name", "contract_number", "party__last_name", "party__erp_id"]
    search_backend_name = None
    list_display = [
        TitleColumn("party", label=_("Party"), accessor=lambda r: r.party or _("(no match)")),
        Column("contract_number", label=_("Contract number as entered")),
        Column("last_name", label=_("Name as entered")),
        Column("company", label=_("Company")),
        DateColumn("requested_at", label=_("Requested"), sort_key="requested_at"),
        BooleanColumn("handled", label=_("Handled")),
    ]
    inspect_view_fields = [
        "party",
        "contract",
        "company",
        "contract_number",
        "last_name",
        "message",
        "requested_at",
        "handled",
        "handled_at",
        "handled_by",
        "code",
    ]

    without_views = ("add", "edit", "delete", "usage")

    def get_object_actions(self, user, obj, priority=10):
        return request_buttons(user, obj, priority=priority)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("send/<int:pk>/", SendRequestedLetterView.as_view(), name="send"),
            path("handled/<int:pk>/", MarkRequestHandledView.as_view(), name="handled"),
            path("reject/<int:pk>/", RejectCodeRequestView.as_view(), name="reject"),
        ]
