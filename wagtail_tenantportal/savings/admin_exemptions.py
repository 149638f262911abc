"""Staff admin of the exemption order requests tenants send from the portal.

The listing shows pending requests first (filter by status, company, year); a pending request
is confirmed (``exemptions.confirm_request``: checked again against the allowance, then written
into the exemption orders) or rejected with a reason the tenant sees. Staff reach the requests
of their companies only (``core.scope``); a foreign id gives 404. Permission to decide:
``change_exemptionrequest``.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn

from ..admin import decisions as admin_decisions
from ..admin.viewsets import PortalModelViewSet
from . import exemptions
from .models import ExemptionRequest

NAME = "tenantportal_exemptionrequest"
PERM_DECIDE = "tenantportal_savings.change_exemptionrequest"


def is_open(req):
    return req.status == ExemptionRequest.Status.PENDING


def decision_buttons(user, req, priority=10):
    return admin_decisions.decision_buttons(
        user,
        req,
        viewset_name=NAME,
        permission=PERM_DECIDE,
        is_open=is_open(req),
        actions=[("confirm", _("Confirm"), "check"), ("reject", _("Reject"), "cross")],
        priority=priority,
    )


class DecisionView(admin_decisions.DecisionView):
    permission = PERM_DECIDE
    viewset_name = NAME

    def load(self, user, pk):
        return exemptions.staff_request(user, pk)

    def is_open(self, obj):
        return is_open(obj)


class ConfirmView(DecisionView):
    page_title = _("Confirm exemption order request")
    submit_label = _("Confirm")
    done_message = _("The request is confirmed and the exemption order is on file.")

    def message(self):
        req = self.object
        if req.action == ExemptionRequest.Action.WITHDRAW:
            return _("The exemption order of %(party)s for %(year)s is withdrawn.") % {
                "party": req.party,
                "year": req.year,
            }
        return _(
            "%(party)s: exemption order of %(amount)s € for %(year)s. It replaces the orders on file for "
            "that year. Please enter it in the ERP as well."
        ) % {"party": req.party, "amount": req.amount, "year": req.year}

    def decide(self, form):
        exemptions.confirm_request(self.object, self.request.user)


class RejectView(DecisionView):
    page_title = _("Reject exemption order request")
    submit_label = _("Reject")
    done_message = _("The request was rejected.")
    form_class = admin_decisions.ReasonForm

    def message(self):
        return _("The orders on file stay as they are; the tenant sees the reason.")

    def decide(self, form):
        exemptions.reject_request(self.object, self.request.user, note=form.cleaned_data["reason"])


class ExemptionRequestViewSet(PortalModelViewSet):
    model = ExemptionRequest
    name = NAME
    url_prefix = "tenantportal/exemption-requests"
    icon = "doc-full"
    menu_label = _("Exemption order requests")
    without_views = ("add", "edit", "delete", "usage")
    list_display = [
        Column("party", label=_("Account holder"), sort_key="party__last_name"),
        "year",
        Column("action", label=_("Action"), accessor="get_action_display"),
        "amount",
        BooleanColumn("joint", label=_("Joint")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("created_at", label=_("Submitted"), sort_key="created_at"),
        "company",
    ]
    list_filter = ["status", "company", "year"]
    search_fields = ["party__last_name", "party__first_name", "party__erp_id"]
    list_export = [
        "company",
        "party",
        "party.erp_id",
        "year",
        "action",
        "amount",
        "joint",
        "partner",
        "status",
    ]
    export_headings = {"party.erp_id": _("ERP id of the party")}
    inspect_view_fields = [
        "party",
        "company",
        "year",
        "action",
        "amount",
        "joint",
        "partner",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "note",
        "order",
    ]

    def get_object_actions(self, user, obj, priority=10):
        return decision_buttons(user, obj, priority=priority)

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "party").in_work_order()

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "party", "partner", "decided_by", "order")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("confirm/<int:pk>/", ConfirmView.as_view(), name="confirm"),
            path("reject/<int:pk>/", RejectView.as_view(), name="reject"),
        ]
