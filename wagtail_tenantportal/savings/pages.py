"""The "My savings" page type (Meine Spareinlagen), imported from ``models.py``.

Editors place it anywhere in the page tree. It shows the tenant's savings accounts with
balance and interest rate and links to each account's transactions; visitors who are not
logged in see a login prompt that leads back here, half-verified sessions the step they must
take. Sites customise it by subclassing and overriding ``get_tenant_context``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core.pages import TenantDataPageMixin


class SavingsPage(TenantDataPageMixin, Page):
    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the accounts, e.g. how to pay in or give notice."),
    )
    show_balances = models.BooleanField(
        _("show balances"), default=True, help_text=_("Show the current balance of each account.")
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("show_balances")]
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/savings/pages/savings_page.html"

    class Meta:
        verbose_name = _("my savings page")
        verbose_name_plural = _("my savings pages")

    def get_tenant_context(self, request):
        """The account overview for a verified tenant (see ``services.overview_context``)."""
        from .services import overview_context

        return overview_context(request.user)
