"""Staff admin of the tenants' bank-details changes: a listing (pending first), the inspect page
with the old and the new account, and the two decisions: approve (the contract is debited from
the new account) or reject with a reason the tenant reads. Writes go through ``services``;
each is in Wagtail's audit log (the request's history).

Permissions: ``view_bankdetailschange`` to list and inspect, ``change_bankdetailschange`` to
decide. Staff see the requests of the companies they work for only (``core.scope``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn

from ..admin import decisions as admin_decisions
from ..admin.viewsets import PortalInspectView, PortalModelViewSet
from . import services
from .bank_models import BankDetailsChange

NAME = "tenantportal_bankdetailschange"
PERM_DECIDE = "tenantportal_tenancy.change_bankdetailschange"


def decision_buttons(user, change, priority=10):
    """Approve and reject, for a pending request and staff who may decide."""
    return admin_decisions.decision_buttons(
        user,
        change,
        viewset_name=NAME,
        permission=PERM_DECIDE,
        is_open=change.is_pending,
        actions=[("approve", _("Approve"), "tick"), ("reject", _("Reject"), "cross")],
        priority=priority,
    )


class BankChangeInspectView(PortalInspectView):
    def get_iban_display_value(self):
        return self.object.iban_display

    def get_context_for_field(self, field_name):
        if field_name == "current_account":
            contract = self.object.contract
            value = " · ".join(filter(None, [contract.account_holder, contract.iban_display])) or "–"
            return {"label": _("Account on file"), "value": value}
        return super().get_context_for_field(field_name)

    def get_field_label(self, field_name, field):
        if field_name == "current_account":
            return _("Account on file")
        return super().get_field_label(field_name, field)


class DecisionView(admin_decisions.DecisionView):
    """A pending bank-details change of the user's companies (404 for any other)."""

    permission = PERM_DECIDE
    viewset_name = NAME
    decided_message = _("This request has been decided already.")

    def load(self, user, pk):
        return services.staff_bank_change(pk, user)

    def is_open(self, obj):
        return obj.is_pending

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAME}:index"), "label": _("Bank details changes")},
            {"url": self.inspect_url(), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def decide(self, form):
        try:
            self.decide_change(form)
        except services.AlreadyDecided:  # a colleague was quicker (another tab)
            raise ValidationError(self.decided_message) from None


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The tenant reads it on the contract's page, e.g. 'The account holder is not a party to the contract.'"
        ),
    )


class ApproveView(DecisionView):
    page_title = _("Approve bank details change")
    submit_label = _("Approve")
    done_message = _("The new bank details apply to the contract now.")

    def message(self):
        change = self.object
        return _(
            "From now on contract %(number)s is debited from %(iban)s (%(holder)s, %(bank)s). "
            "Please check the mandate and update the ERP if it does not hear of the change itself."
        ) % {
            "number": change.contract.number,
            "iban": change.iban_display,
            "holder": change.account_holder,
            "bank": change.bank_name or change.bic or "–",
        }

    def decide_change(self, form):
        services.approve_bank_details_change(self.object, self.request.user)


class RejectView(DecisionView):
    page_title = _("Reject bank details change")
    form_class = RejectForm
    submit_label = _("Reject")
    done_message = _("The request was rejected.")

    def message(self):
        return _("The contract keeps the account on file. The tenant sees the reason on the contract's page.")

    def decide_change(self, form):
        services.reject_bank_details_change(
            self.object, self.request.user, reason=form.cleaned_data["reason"]
        )


class BankDetailsChangeViewSet(PortalModelViewSet):
    model = BankDetailsChange
    name = NAME
    url_prefix = "tenantportal/bank-details"
    icon = "doc-full"
    menu_label = _("Bank details changes")
    inspect_view_class = BankChangeInspectView
    list_display = [
        "__str__",
        Column("contract", label=_("Contract"), accessor="contract.number"),
        "account_holder",
        "bank_name",
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("created_at", label=_("Requested"), sort_key="created_at"),
        DateColumn("decided_at", label=_("Decided"), sort_key="decided_at"),
        "company",
    ]
    list_filter = ["status", "company"]
    search_fields = ["contract__number", "account_holder", "iban", "bank_name"]
    list_export = [
        "contract",
        "company",
        "account_holder",
        "iban",
        "bic",
        "bank_name",
        "get_status_display",
        "created_at",
        "decided_at",
        "decided_by",
        "reason",
    ]
    inspect_view_fields = [
        "contract",
        "company",
        "current_account",
        "account_holder",
        "iban",
        "bic",
        "bank_name",
        "mandate_text",
        "requested_by",
        "created_at",
        "status",
        "decided_at",
        "decided_by",
        "reason",
    ]
    without_views = ("add", "edit", "delete", "usage")

    def get_object_actions(self, user, obj, priority=10):
        return decision_buttons(user, obj, priority=priority)

    def get_listing_queryset(self, queryset):
        # Pending requests first (the work), then the newest.
        pending_first = Case(
            When(status=BankDetailsChange.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return queryset.select_related("contract", "company").order_by(pending_first, "-created_at", "-pk")

    def get_object_queryset(self, queryset):
        return queryset.select_related("contract", "company", "requested_by", "decided_by")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("approve/<int:pk>/", ApproveView.as_view(), name="approve"),
            path("reject/<int:pk>/", RejectView.as_view(), name="reject"),
        ]


class PendingBankChangesPanel(Component):
    """The admin's start page: how many bank-details changes wait for a decision (shown only
    when some do, to staff who may decide them; one query)."""

    name = "tenantportal_bank_details"
    order = 95
    template_name = "wagtail_tenantportal/admin/bank_details_panel.html"

    def __init__(self, count):
        self.count = count

    def get_context_data(self, parent_context=None):
        return {"count": self.count, "url": reverse(f"{NAME}:index") + "?status=pending"}


def pending_panel(user):
    """The panel for ``user``, or None (no permission, nothing waiting)."""
    if not user.has_perm(PERM_DECIDE):
        return None
    count = services.pending_count(user)
    return PendingBankChangesPanel(count) if count else None
