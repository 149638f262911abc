"""Staff admin of portal accounts, and the accounts app's viewsets of this admin part
(``admin_viewsets``: registrations to match, see ``admin_claims``, and portal accounts).

Portal accounts: their parties, consents (kind, version, time), two-factor state (devices by
type, confirmed), email confirmation and last login; actions: deactivate a link to a party,
reset two-factor, send the confirmation mail again (``staff.py``).

Views are thin (reads from ``services``, actions from ``staff``); every action is written
to Wagtail's audit log. Permissions (Django model permissions, assignable to groups):

- ``view_portalaccount`` (or change): the accounts listing;
- ``change_portalaccount``: the account actions.

Staff see the accounts of the tenants of the companies they work for (linked to one of
their parties, or registered with one of them) and, on an account's page, only the links
and registrations of those companies (``core.scope``).
"""

import django_filters
from django.contrib.admin.utils import quote
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from ..admin.viewsets import PortalIndexView, PortalInspectView, PortalModelViewSet
from ..core.phones import format_phone
from ..tenancy.models import Company
from . import services, staff
from .admin_claims import TEMPLATE_DIR, RegistrationClaimViewSet, require_permissions, user_email
from .admin_views import CONFIRM_TEMPLATE
from .models import AccountParty, PortalAccount

PERM_CHANGE_ACCOUNT = "tenantportal_accounts.change_portalaccount"

ACCOUNTS = "tenantportal_portalaccount"


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


class AccountIndexView(PortalIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("user")
            .prefetch_related(services.active_links_prefetch(self.request.user))
        )

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


class AccountInspectView(PortalInspectView):
    template_name = TEMPLATE_DIR + "account_inspect.html"

    def get_object(self, queryset=None):
        account = services.get_portal_account(self.pk, self.request.user)
        if account is None:
            raise Http404
        return account

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
            numbers = [format_phone(number) for number in self.object.phone_numbers]
            return {"label": _("Phone numbers"), "value": ", ".join(numbers) or "–"}
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
            devices=staff.account_devices(account.user),
            **services.account_details(account, self.request.user),
            waits_for_confirmation=staff.can_resend_verification(account),
        )
        return context

    @cached_property
    def header_more_buttons(self):
        account = self.object
        account.two_factor_devices = staff.two_factor_devices([account.user_id])[account.user_id]
        return account_buttons(self.request.user, account)


class AccountActionView(WagtailAdminTemplateMixin, TemplateView):
    """GET: a confirmation page; POST: ``perform``. Needs ``change_portalaccount``."""

    template_name = CONFIRM_TEMPLATE
    header_icon = "user"
    index_url_name = f"{ACCOUNTS}:index"
    submit_label = _("Confirm")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = self.get_object(kwargs["pk"])
        if self.object is None:
            raise Http404
        self.account = self.object if isinstance(self.object, PortalAccount) else self.object.account

    def get_object(self, pk):
        """The object of the action (the account, or e.g. one of its party links), or None."""
        return services.get_portal_account(pk, self.request.user)

    def dispatch(self, request, *args, **kwargs):
        require_permissions(request, PERM_CHANGE_ACCOUNT)
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

    def get_object(self, pk):
        return services.get_party_link(pk, self.request.user)

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


class PortalAccountViewSet(PortalModelViewSet):
    model = PortalAccount
    name = ACCOUNTS
    url_prefix = "tenantportal/accounts"
    icon = "group"
    menu_label = _("Portal accounts")
    index_view_class = AccountIndexView
    inspect_view_class = AccountInspectView
    inspect_template_name = TEMPLATE_DIR + "account_inspect.html"
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
    # The id in "link/<pk>/deactivate/" is a party link's: checked against the links of
    # the user's companies.
    object_querysets = {"deactivate_link": "get_link_queryset"}

    def get_link_queryset(self, request):
        return AccountParty.objects.for_staff(request.user)

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
