"""The "My consumption" page type (Mein Verbrauch), imported from ``models.py``.

It shows the same as the portal view ``consumption/``: the monthly consumption information
with a month selection. Visitors without a full portal session see a prompt leading back
here. Sites customise it by subclassing and overriding ``get_tenant_context``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core.pages import TenantDataPageMixin


class ConsumptionPage(TenantDataPageMixin, Page):
    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the figures, e.g. how often the meters are read and whom to ask."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/consumption/pages/consumption_page.html"

    class Meta:
        verbose_name = _("my consumption page")
        verbose_name_plural = _("my consumption pages")

    def get_tenant_context(self, request):
        """The figures and month selection for a verified tenant (see
        ``services.consumption_page_context``)."""
        from .services import consumption_page_context  # late: models.py imports this module

        return consumption_page_context(request.user, request.GET.get("month"))
