"""Staff admin of "verify later" registrations waiting for a match.

Staff search the parties of the claim's company by name, address, ERP id or contract
number, pick one and confirm (``flows.match_claim`` issues the activation code), then print
the activation letter to the party's address on file; or reject the registration with a
reason (``flows.reject_claim``; the tenant is told by mail). Reads come from ``services``,
staff actions from ``flows`` and ``staff``; every action is written to Wagtail's audit log.

Permissions (Django model permissions, assignable to groups):

- ``view_registrationclaim`` (or change): the registrations listing;
- ``change_registrationclaim``: reject; with ``add_registrationcode`` also match and print.

Staff see and match the registrations of the companies they work for only (``core.scope``).
"""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from ..admin.viewsets import PortalIndexView, PortalInspectView, PortalModelViewSet
from ..core.adapter import get_adapter
from . import flows, services, staff
from .admin_views import CONFIRM_TEMPLATE, PERM_ISSUE, pdf_response
from .models import RegistrationClaim

PERM_CHANGE_CLAIM = "tenantportal_accounts.change_registrationclaim"

TEMPLATE_DIR = "wagtail_tenantportal/admin/accounts/"
CLAIMS = "tenantportal_registrationclaim"


def require_permissions(request, *permissions):
    """Raise 403 unless the user has every one of ``permissions`` (Django permission strings)."""
    if not all(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied


def user_email(user):
    """The user's email address as the adapter reads it."""
    return get_adapter().user_email(user)


class ClaimState(django_filters.ChoiceFilter):
    CHOICES = [
        ("awaiting", _("Waiting for a match")),
        ("unconfirmed", _("Email address not confirmed yet")),
        ("matched", _("Matched, activation code not entered yet")),
        ("activated", _("Activated")),
        ("rejected", _("Rejected")),
    ]

    def __init__(self, **kwargs):
        super().__init__(choices=self.CHOICES, empty_label=_("All"), **kwargs)

    def filter(self, queryset, value):
        return queryset.in_state(value)


class ClaimFilterSet(WagtailFilterSet):
    state = ClaimState(label=_("State"))

    class Meta:
        model = RegistrationClaim
        fields = ["state", "company"]


def claim_buttons(user, claim, priority=10):
    """Match / reject (pending) or print the activation letter (matched, not activated)."""
    buttons = []
    Status = RegistrationClaim.Status
    can_issue = user.has_perm(PERM_CHANGE_CLAIM) and user.has_perm(PERM_ISSUE)
    if claim.status == Status.PENDING:
        if can_issue:
            buttons.append(
                Button(
                    _("Match to a party"),
                    url=reverse(f"{CLAIMS}:match", args=[quote(claim.pk)]),
                    icon_name="link",
                    priority=priority,
                )
            )
        if user.has_perm(PERM_CHANGE_CLAIM):
            buttons.append(
                Button(
                    _("Reject"),
                    url=reverse(f"{CLAIMS}:reject", args=[quote(claim.pk)]),
                    icon_name="cross",
                    priority=priority + 1,
                )
            )
    elif claim.status == Status.MATCHED and claim.activated_at is None and can_issue:
        buttons.append(
            Button(
                _("Print activation letter"),
                url=reverse(f"{CLAIMS}:print", args=[quote(claim.pk)]),
                icon_name="doc-full",
                priority=priority,
            )
        )
    return buttons


class ClaimIndexView(PortalIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().in_work_order()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.extend(claim_buttons(self.request.user, instance, priority=40))
        return buttons


class ClaimInspectView(PortalInspectView):
    def get_object(self, queryset=None):
        claim = services.get_claim(self.pk, self.request.user)
        if claim is None:
            raise Http404
        return claim

    def get_fields(self):
        return [
            "first_name",
            "last_name",
            "street",
            "postal_code",
            "city",
            "phone",
            "contract_number",
            "company",
            "email",
            "email_confirmed",
            "created_at",
            "status",
            "party",
            "decided_at",
            "decided_by",
            "activated_at",
            "note",
        ]

    def get_field_label(self, field_name, field):
        if field_name == "email":
            return _("Email address")
        if field_name == "email_confirmed":
            return _("Email address confirmed")
        return super().get_field_label(field_name, field)

    def get_context_for_field(self, field_name):
        if field_name == "email":
            return {"label": _("Email address"), "value": user_email(self.object.account.user)}
        if field_name == "email_confirmed":
            confirmed = self.object.account.email_verified_at
            return {"label": _("Email address confirmed"), "value": confirmed or _("not yet")}
        return super().get_context_for_field(field_name)

    def get_status_display_value(self):
        return self.object.get_status_display()

    @cached_property
    def header_more_buttons(self):
        return claim_buttons(self.request.user, self.object)


class ClaimActionMixin(WagtailAdminTemplateMixin):
    """Loads the claim (``pk``), checks ``permissions`` and the claim's ``statuses``."""

    permissions = (PERM_CHANGE_CLAIM,)
    header_icon = "user"
    #: The claim must be in one of these statuses (and not activated).
    statuses = (RegistrationClaim.Status.PENDING,)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.claim = services.get_claim(kwargs["pk"], request.user)
        if self.claim is None:
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        require_permissions(request, *self.permissions)
        if self.claim.status not in self.statuses or self.claim.activated_at is not None:
            messages.warning(request, _("This registration has been dealt with already."))
            return redirect(f"{CLAIMS}:inspect", quote(self.claim.pk))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.claim)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{CLAIMS}:index"), "label": _("Registrations to match")},
            {"url": reverse(f"{CLAIMS}:inspect", args=[quote(self.claim.pk)]), "label": str(self.claim)},
            {"url": "", "label": self.get_page_title()},
        ]

    def inspect_url(self):
        return reverse(f"{CLAIMS}:inspect", args=[quote(self.claim.pk)])


class PartySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search parties"),
        required=False,
        max_length=200,
        help_text=_(
            "Name, street, postal code, city, ERP id or contract number. Several words narrow the search."
        ),
    )


class MatchClaimView(ClaimActionMixin, TemplateView):
    """Search the parties of the claim's company, pick one, confirm the match."""

    permissions = (PERM_CHANGE_CLAIM, PERM_ISSUE)
    template_name = TEMPLATE_DIR + "match_claim.html"
    page_title = _("Match registration to a party")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.claim
        data = self.request.GET if "q" in self.request.GET else {"q": claim.last_name}
        form = PartySearchForm(data)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        context.update(
            claim=claim,
            email=user_email(claim.account.user),
            search_form=form,
            query=query,
            candidates=services.search_parties(claim.company, query) if query else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        claim = self.claim
        party = services.company_party(claim.company, request.POST.get("party"))
        if party is None:
            messages.error(request, _("Please choose a party of %(company)s.") % {"company": claim.company})
            return redirect(request.get_full_path())
        if request.POST.get("confirm") != "1":
            context = self.get_context_data(**kwargs)
            context.update(
                party=party,
                party_contracts=services.current_contracts_of(party),
                taken=services.party_has_account(party),
            )
            return self.render_to_response(context)
        try:
            flows.match_claim(claim, party, request.user)
        except ValueError:
            messages.error(
                request,
                _("%(party)s has no current contract, so no activation letter can be sent.")
                % {"party": party},
            )
            return redirect(request.get_full_path())
        messages.success(
            request,
            _("The registration is matched to %(party)s. Please print the activation letter now.")
            % {"party": party},
            buttons=[
                messages.button(
                    reverse(f"{CLAIMS}:print", args=[quote(claim.pk)]), _("Print activation letter")
                )
            ],
        )
        return redirect(self.inspect_url())


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For the record; the tenant is told by mail that the registration could not be confirmed."
        ),
    )


class RejectClaimView(ClaimActionMixin, TemplateView):
    template_name = TEMPLATE_DIR + "form.html"
    page_title = _("Reject registration")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RejectForm())
        context.update(
            message=_(
                "The registration of %(claim)s cannot be matched to a party of %(company)s. The account "
                "stays without access to contract data."
            )
            % {"claim": self.claim, "company": self.claim.company},
            submit_label=_("Reject"),
            cancel_url=self.inspect_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        flows.reject_claim(self.claim, request.user, note=form.cleaned_data["reason"])
        messages.success(request, _("The registration was rejected."))
        return redirect(self.inspect_url())


class PrintActivationLetterView(ClaimActionMixin, TemplateView):
    permissions = (PERM_CHANGE_CLAIM, PERM_ISSUE)
    statuses = (RegistrationClaim.Status.MATCHED,)
    template_name = CONFIRM_TEMPLATE
    page_title = _("Print activation letter")
    index_url_name = f"{CLAIMS}:index"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.claim,
            message=_(
                "A new activation code is issued for %(party)s and the letter is printed to the address on "
                "file. Codes of earlier letters stop working."
            )
            % {"party": self.claim.party},
            submit_label=_("Issue the code and print the letter"),
        )
        return context

    def post(self, request, *args, **kwargs):
        claim, user = self.claim, request.user
        filename = (
            f"aktivierungsbrief-{claim.party.erp_id or claim.party_id}-{timezone.localdate():%Y-%m-%d}.pdf"
        )
        try:
            return pdf_response(
                lambda out: staff.print_activation_letter(claim, out, user=user, request=request), filename
            )
        except ValueError:
            messages.error(
                request, _("The party has no current contract, so no activation letter can be sent.")
            )
            return redirect(self.inspect_url())


class RegistrationClaimViewSet(PortalModelViewSet):
    model = RegistrationClaim
    name = CLAIMS
    url_prefix = "tenantportal/registrations"
    icon = "user"
    menu_label = _("Registrations to match")
    index_view_class = ClaimIndexView
    inspect_view_class = ClaimInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = ClaimFilterSet
    search_fields = ["last_name", "first_name", "street", "city", "postal_code", "contract_number"]
    search_backend_name = None
    list_display = [
        "__str__",
        Column("company", label=_("Company")),
        Column("email", label=_("Email address"), accessor=lambda c: user_email(c.account.user)),
        BooleanColumn(
            "email_confirmed",
            label=_("Email confirmed"),
            accessor=lambda c: c.account.email_verified_at is not None,
        ),
        Column("contract_number", label=_("Contract number as entered")),
        DateColumn("created_at", label=_("Registered"), sort_key="created_at"),
        Column("status", label=_("Status"), accessor="get_status_display"),
    ]
    list_export = [
        "first_name",
        "last_name",
        "street",
        "postal_code",
        "city",
        "phone",
        "contract_number",
        "company",
        "created_at",
        "get_status_display",
        "party",
        "decided_at",
        "activated_at",
    ]

    without_views = ("add", "edit", "delete", "usage")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("match/<int:pk>/", MatchClaimView.as_view(), name="match"),
            path("reject/<int:pk>/", RejectClaimView.as_view(), name="reject"),
            path("print/<int:pk>/", PrintActivationLetterView.as_view(), name="print"),
        ]
