"""StreamField block "My savings" for the host's pages (dashboard, start page)."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import blocks

from ..core.blocks import PortalBlock


@dataclass
class _SampleAccount:
    number: str
    product_name: str
    balance: Decimal
    url: str = "#"


class SavingsBlock(PortalBlock):
    """The logged-in tenant's savings accounts with (optionally) their balances.

    Anonymous visitors see a login prompt leading back to the page; sessions that are not
    fully verified see the step they must take. Nothing personal is rendered for them.
    """

    heading = blocks.CharBlock(
        label=gettext_lazy("heading"), required=False, default=gettext_lazy("My savings")
    )
    intro = blocks.TextBlock(
        label=gettext_lazy("intro text"),
        required=False,
        help_text=gettext_lazy("A sentence above the accounts, e.g. how to pay in."),
    )
    show_balances = blocks.BooleanBlock(
        label=gettext_lazy("show balances"),
        required=False,
        default=True,
        help_text=gettext_lazy("Show the current balance of each account next to it."),
    )

    class Meta:
        template = "wagtail_tenantportal/savings/blocks/my_savings.html"
        icon = "doc-full-inverse"
        label = gettext_lazy("My savings")
        description = gettext_lazy(
            "The savings accounts of the logged-in tenant, with balances if you choose."
        )

    def _common(self, value):
        return {
            "all_url": reverse("wagtail_tenantportal:savings"),
            "show_balances": bool(value.get("show_balances")),
            "prompt_text": _("Please log in to see your savings accounts."),
        }

    def get_common_context(self, value, request):
        return self._common(value)

    def get_tenant_context(self, value, request):
        from .services import open_accounts

        accounts = open_accounts(request.user)
        for account in accounts:
            account.url = reverse("wagtail_tenantportal:savings_account", kwargs={"account_id": account.pk})
        return {"accounts": accounts}

    def get_preview_portal_context(self, value, request):
        context = self._common(value)
        context["accounts"] = [
            _SampleAccount("4711-01", "Spareinlage mit dreimonatiger Kündigungsfrist", Decimal("3250.40")),
            _SampleAccount("4711-02", "Wachstumssparen 5 Jahre", Decimal("10000.00")),
        ]
        return context


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [("portal_savings", SavingsBlock)]
