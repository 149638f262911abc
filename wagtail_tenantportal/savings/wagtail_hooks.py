"""Admin wiring of the savings: viewsets in the "Tenant portal" menu group, dashboard widget."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from ..core.widgets import HOOK_NAME, Widget, widget_function
from .admin_views import menu_viewsets


@hooks.register("register_log_actions")
def register_savings_log_actions(actions):
    from . import exemptions

    actions.register_action(
        exemptions.ACTION_REQUESTED,
        gettext_lazy("Request exemption order"),
        gettext_lazy("Exemption order requested"),
    )
    actions.register_action(
        exemptions.ACTION_CONFIRMED,
        gettext_lazy("Confirm exemption order"),
        gettext_lazy("Exemption order confirmed"),
    )
    actions.register_action(
        exemptions.ACTION_REJECTED,
        gettext_lazy("Reject exemption order"),
        gettext_lazy("Exemption order rejected"),
    )


@hooks.register("register_tenantportal_admin_viewset", order=500)
def register_savings_viewsets():
    return menu_viewsets()


def _savings_widget(accounts, url):
    return Widget(
        key="savings",
        title=_("My savings"),
        template="wagtail_tenantportal/savings/widgets/savings.html",
        context={"accounts": accounts, "total_balance": sum((a.balance for a in accounts), Decimal("0.00"))},
        url=url,
        url_label=_("All my savings"),
        order=60,
    )


def _sample_savings_widget():
    """Made-up accounts for the editor's preview of the dashboard (no tenant data)."""
    from .blocks import SavingsBlock

    block = SavingsBlock()
    accounts = block.get_preview_portal_context(block.get_default(), None)["accounts"]
    return _savings_widget(accounts, reverse("wagtail_tenantportal:savings"))


@hooks.register(HOOK_NAME)
@widget_function("savings", gettext_lazy("My savings"), sample=_sample_savings_widget)
def savings_widget(request):
    """The open savings accounts with balances; None when the tenant has none (2 queries)."""
    from .services import open_accounts

    accounts = open_accounts(request.user, timezone.localdate())
    if not accounts:
        return None
    for account in accounts:
        account.url = reverse("wagtail_tenantportal:savings_account", kwargs={"account_id": account.pk})
    return _savings_widget(accounts, reverse("wagtail_tenantportal:savings"))
