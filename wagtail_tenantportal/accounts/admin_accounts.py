"""Staff admin of portal accounts and of "verify later" registrations waiting for a match.

Registrations to match: staff search the parties of the claim's company by name, address,
ERP id or contract number, pick one and confirm (``flows.match_claim`` issues the activation
code), then print the activation letter to the party's address on file; or reject the
registration with a reason (``flows.reject_claim``; the tenant is told by mail).

Portal accounts: their parties, consents (kind, version, time), two-factor state (devices by
type, confirmed), email confirmation and last login; actions: deactivate a link to a party,
reset two-factor, send the confirmation mail again (``staff.py``).

Views are thin; every action is written to Wagtail's audit log. Permissions (Django model
permissions, assignable to groups):

- ``view_registrationclaim`` (or change): the registrations listing;
- ``change_registrationclaim``: reject; with ``add_registrationcode`` also match and print;
- ``view_portalaccount`` (or change): the accounts listing;
- ``change_portalaccount``: the account actions.
"""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from ..admin.viewsets import WithoutViewsMixin
from ..core.adapter import get_adapter
from ..tenancy.models import Company, Contract, ContractParty, Party
from . import flows, staff
from .admin_views import CONFIRM_TEMPLATE, PERM_ISSUE, pdf_response
from .models import AccountParty, PortalAccount, RegistrationClaim

PERM_CHANGE_CLAIM = "tenantportal_accounts.change_registrationclaim"
PERM_CHANGE_ACCOUNT = "tenantportal_accounts.change_portalaccount"

TEMPLATE_DIR = "wagtail_tenantportal/admin/accounts/"
CLAIMS = "tenantportal_registrationclaim"
ACCOUNTS = "tenantportal_portalaccount"


def _require(request, *permissions):
    if not all(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied


def user_email(user):
    return get_adapter().user_email(user)


# --- Registrations waiting for a match ------------------------------------------------------------


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
        Status = RegistrationClaim.Status
        if value == "awaiting":
            return queryset.awaiting_match()
        if value == "unconfirmed":
            return queryset.filter(status=Status.PENDING, account__email_verified_at__isnull=True)
        if value == "matched":
            return queryset.awaiting_activation()
        if value == "activated":
            return queryset.filter(activated_at__isnull=False)
        if value == "rejected":
            return queryset.filter(status=Status.REJECTED)
        return queryset


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


class ClaimIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("account__user", "company", "party")
            # Work first: confirmed and waiting, then waiting for the tenant, then the rest.
            .annotate(
                _work_order=Case(
                    When(
                        status=RegistrationClaim.Status.PENDING,
                        account__email_verified_at__isnull=False,
                        then=Value(0),
                    ),
                    When(status=RegistrationClaim.Status.PENDING, then=Value(1)),
                    When(status=RegistrationClaim.Status.MATCHED, activated_at__isnull=True, then=Value(2)),
                    default=Value(3),
                    output_field=IntegerField(),
                )
            )
            .order_by("_work_order", "created_at", "pk")
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.extend(claim_buttons(self.request.user, instance, priority=40))
        return buttons


class ClaimInspectView(InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(
            RegistrationClaim.objects.select_related(
                "account__user", "company", "party", "code", "decided_by"
            ),
            pk=self.pk,
        )

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
        self.claim = get_object_or_404(
            RegistrationClaim.objects.select_related("account__user", "company", "party", "code"),
            pk=kwargs["pk"],
        )

    def dispatch(self, request, *args, **kwargs):
        _require(request, *self.permissions)
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


def search_parties(company, query, limit=30):
    """Parties of ``company`` matching every word of ``query`` in a name, address, ERP id or
    contract number (case-insensitive), with their current contracts and whether one of
    them already has an active portal account. At most ``limit`` (by name)."""
    parties = Party.objects.filter(company=company)
    for term in query.split()[:6]:
        matching_contracts = ContractParty.objects.filter(contract__number__icontains=term).values("party_id")
        parties = parties.filter(
            Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(street__icontains=term)
            | Q(postal_code__icontains=term)
            | Q(city__icontains=term)
            | Q(erp_id__iexact=term)
            | Q(pk__in=matching_contracts)
        )
    current = Contract.objects.current().select_related("unit")
    return list(
        parties.order_by("last_name", "first_name", "pk").prefetch_related(
            Prefetch(
                "contract_parties",
                queryset=ContractParty.objects.filter(contract__in=current).select_related("contract__unit"),
                to_attr="current_links",
            ),
            Prefetch(
                "account_links",
                queryset=AccountParty.objects.filter(active=True).select_related("account__user"),
                to_attr="active_account_links",
            ),
        )[:limit]
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
            candidates=search_parties(claim.company, query) if query else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        claim = self.claim
        party = Party.objects.filter(company=claim.company, pk=request.POST.get("party") or None).first()
        if party is None:
            messages.error(request, _("Please choose a party of %(company)s.") % {"company": claim.company})
            return redirect(request.get_full_path())
        if request.POST.get("confirm") != "1":
            context = self.get_context_data(**kwargs)
            context.update(
                party=party, party_contracts=Contract.objects.current().filter(contract_parties__party=party)
            )
            context["taken"] = AccountParty.objects.filter(party=party, active=True).exists()
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


class RegistrationClaimViewSet(WithoutViewsMixin, ModelViewSet):
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


# --- Portal accounts -----------------------------------------------------------------------------


def active_links_prefetch():
    return Prefetch(
        "party_links",
        queryset=AccountParty.objects.filter(active=True)
        .select_related("party__company")
        .order_by("party__last_name", "pk"),
        to_attr="active_links",
    )


def two_factor_summary(devices):
    """Short text of a ``staff.two_factor_devices`` entry, e.g. "App, email (8 backup codes)"."""
    methods = []
    if devices.get("totp"):
        methods.append(str(_("authenticator app")))
    if devices.get("email"):
        methods.append(str(_("codes by email")))
    if not methods:
        return str(_("off"))
    text = ", ".join(methods)
    if devices.get("backup_codes"):
        text += " " + str(_("(%(count)s backup codes)") % {"count": devices["backup_codes"]})
    return text


class AccountFilterSet(WagtailFilterSet):
    company = django_filters.ModelChoiceFilter(
        label=_("Company"), queryset=Company.objects.all(), method="filter_company", empty_label=_("All")
    )
    email_confirmed = django_filters.ChoiceFilter(
        label=_("Email address confirmed"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        method="filter_email_confirmed",
        empty_label=_("All"),
    )

    class Meta:
        model = PortalAccount
        fields = ["company", "email_confirmed"]

    def filter_company(self, queryset, name, value):
        if not value:
            return queryset
        linked = AccountParty.objects.filter(party__company=value).values("account_id")
        return queryset.filter(pk__in=linked)

    def filter_email_confirmed(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(email_verified_at__isnull=(value == "no"))
        return queryset


class AccountIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user").prefetch_related(active_links_prefetch())

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        query = Q()
        fields = {f"user__{user_model.USERNAME_FIELD}", f"user__{user_model.get_email_field_name()}"}
        fields |= {"party_links__party__last_name", "party_links__party__erp_id", "phone", "mobile"}
        for field in fields:
            query |= Q(**{f"{field}__icontains": self.search_query})
        # The links are a to-many join: filter by id so that an account appears once.
        return queryset.filter(pk__in=PortalAccount.objects.filter(query).values("pk"))

    def get_table(self, object_list):
        accounts = list(object_list)
        devices = staff.two_factor_devices([account.user_id for account in accounts])
        for account in accounts:
            account.two_factor_devices = devices.get(account.user_id, {})
        return super().get_table(accounts)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.extend(account_buttons(self.request.user, instance, priority=40))
        return buttons


def account_buttons(user, account, priority=10):
    buttons = []
    if not user.has_perm(PERM_CHANGE_ACCOUNT):
        return buttons
    devices = getattr(account, "two_factor_devices", None)
    if devices is None or any(devices.values()):
        buttons.append(
            Button(
                _("Reset two-factor"),
                url=reverse(f"{ACCOUNTS}:reset_two_factor", args=[quote(account.pk)]),
                icon_name="key",
                priority=priority,
            )
        )
    if account.email_verified_at is None:
        buttons.append(
            Button(
                _("Send confirmation mail again"),
                url=reverse(f"{ACCOUNTS}:resend_verification", args=[quote(account.pk)]),
                icon_name="mail",
                priority=priority + 1,
            )
        )
    return buttons


class AccountInspectView(InspectView):
    template_name = TEMPLATE_DIR + "account_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(PortalAccount.objects.select_related("user"), pk=self.pk)

    def get_fields(self):
        return [
            "user",
            "email",
            "email_verified_at",
            "created_at",
            "last_login_at",
            "contact_checked_at",
            "phones",
        ]

    def get_context_for_field(self, field_name):
        if field_name == "email":
            return {"label": _("Email address"), "value": user_email(self.object.user)}
        if field_name == "phones":
            return {"label": _("Phone numbers"), "value": ", ".join(self.object.phone_numbers) or "–"}
        context = super().get_context_for_field(field_name)
        if context.get("value") is None:
            context["value"] = "–"
        return context

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        can_change = self.request.user.has_perm(PERM_CHANGE_ACCOUNT)
        context.update(
            account=account,
            can_change=can_change,
            links=account.party_links.select_related("party__company").order_by(
                "-active", "party__last_name"
            ),
            consents=account.consents.order_by("kind", "-given_at"),
            devices=account_devices(account.user),
            claims=account.claims.select_related("company", "party").order_by("-created_at"),
            waits_for_confirmation=staff.can_resend_verification(account),
        )
        return context

    @cached_property
    def header_more_buttons(self):
        account = self.object
        account.two_factor_devices = staff.two_factor_devices([account.user_id])[account.user_id]
        return account_buttons(self.request.user, account)


def account_devices(user):
    """The user's two-factor devices as dicts (``kind``, ``name``, ``confirmed``, ``detail``)."""
    from django.apps import apps

    if not apps.is_installed("django_otp"):
        return []
    from django_otp.plugins.otp_email.models import EmailDevice
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = []
    for device in TOTPDevice.objects.filter(user=user).order_by("pk"):
        devices.append(
            {"kind": _("Authenticator app"), "name": device.name, "confirmed": device.confirmed, "detail": ""}
        )
    for device in EmailDevice.objects.filter(user=user).order_by("pk"):
        devices.append(
            {"kind": _("Codes by email"), "name": device.name, "confirmed": device.confirmed, "detail": ""}
        )
    for device in StaticDevice.objects.filter(user=user).order_by("pk").prefetch_related("token_set"):
        detail = _("%(count)s unused codes") % {"count": len(device.token_set.all())}
        devices.append(
            {"kind": _("Backup codes"), "name": device.name, "confirmed": device.confirmed, "detail": detail}
        )
    return devices


class AccountActionView(WagtailAdminTemplateMixin, TemplateView):
    """GET: a confirmation page; POST: ``perform``. Needs ``change_portalaccount``."""

    template_name = CONFIRM_TEMPLATE
    header_icon = "user"
    index_url_name = f"{ACCOUNTS}:index"
    submit_label = _("Confirm")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        self.account = self.object if isinstance(self.object, PortalAccount) else self.object.account

    def get_queryset(self):
        return PortalAccount.objects.select_related("user")

    def dispatch(self, request, *args, **kwargs):
        _require(request, PERM_CHANGE_ACCOUNT)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.account)

    def inspect_url(self):
        return reverse(f"{ACCOUNTS}:inspect", args=[quote(self.account.pk)])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Portal accounts")},
            {"url": self.inspect_url(), "label": str(self.account)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, message=self.message(), submit_label=self.submit_label)
        return context

    def post(self, request, *args, **kwargs):
        self.perform()
        return redirect(self.inspect_url())


class DeactivateLinkView(AccountActionView):
    page_title = _("Deactivate link to a party")
    submit_label = _("Deactivate")

    def get_queryset(self):
        return AccountParty.objects.select_related("account__user", "party__company")

    def message(self):
        return _(
            "%(account)s can no longer see the contracts and data of %(party)s (%(company)s). The link stays "
            "on record; a new registration letter can link the party again."
        ) % {"account": self.account, "party": self.object.party, "company": self.object.party.company}

    def perform(self):
        if staff.deactivate_party_link(self.object, user=self.request.user):
            messages.success(
                self.request, _("The link to %(party)s was deactivated.") % {"party": self.object.party}
            )
        else:
            messages.warning(self.request, _("The link was inactive already."))


class ResetTwoFactorView(AccountActionView):
    page_title = _("Reset two-factor authentication")
    submit_label = _("Remove all methods")

    def message(self):
        return _(
            "All two-factor methods of %(account)s are removed (authenticator app, codes by email, backup "
            "codes) and all their sessions end. The tenant is told by mail. Do this only after you have made "
            "sure who is asking, e.g. by calling back the number on file."
        ) % {"account": self.account}

    def perform(self):
        staff.reset_two_factor(self.account, user=self.request.user, request=self.request)
        messages.success(self.request, _("Two-factor authentication was reset."))


class ResendVerificationView(AccountActionView):
    page_title = _("Send confirmation mail again")
    submit_label = _("Send")

    def message(self):
        return _(
            "A new email with a confirmation link and code goes to the address the account waits to confirm. "
            "Earlier links and codes stop working."
        )

    def perform(self):
        if staff.resend_verification(self.account, user=self.request.user, request=self.request):
            messages.success(self.request, _("The confirmation mail was sent."))
        else:
            messages.warning(self.request, _("This account waits for no confirmation."))


class PortalAccountViewSet(WithoutViewsMixin, ModelViewSet):
    model = PortalAccount
    name = ACCOUNTS
    url_prefix = "tenantportal/accounts"
    icon = "group"
    menu_label = _("Portal accounts")
    index_view_class = AccountIndexView
    inspect_view_class = AccountInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = AccountFilterSet
    search_fields = ["user"]  # enables the search box; AccountIndexView.search_queryset does the work
    search_backend_name = None
    list_display = [
        "user",
        Column(
            "parties",
            label=_("Parties"),
            accessor=lambda a: (
                "; ".join(f"{link.party} ({link.party.company})" for link in a.active_links) or "–"
            ),
        ),
        BooleanColumn(
            "email_verified", label=_("Email confirmed"), accessor=lambda a: a.email_verified_at is not None
        ),
        Column(
            "two_factor", label=_("Two-factor"), accessor=lambda a: two_factor_summary(a.two_factor_devices)
        ),
        DateColumn("last_login_at", label=_("Last login"), sort_key="last_login_at"),
        DateColumn("created_at", label=_("Registered"), sort_key="created_at"),
    ]

    without_views = ("add", "edit", "delete", "usage")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("link/<int:pk>/deactivate/", DeactivateLinkView.as_view(), name="deactivate_link"),
            path("two-factor/<int:pk>/reset/", ResetTwoFactorView.as_view(), name="reset_two_factor"),
            path(
                "verification/<int:pk>/resend/", ResendVerificationView.as_view(), name="resend_verification"
            ),
        ]


def admin_viewsets():
    """The viewsets of this module, for the "Tenant portal" menu group."""
    return [RegistrationClaimViewSet(), PortalAccountViewSet()]
