"""The "My consumption" page type (Mein Verbrauch), imported from ``models.py``.

It shows the same as the portal view ``consumption/``: the monthly consumption information
with a month selection. Visitors without a full portal session see a prompt leading back
here. Sites customise it by subclassing and overriding ``get_consumption_context``.
"""

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..context import portal_context


class ConsumptionPage(Page):
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

    def get_consumption_context(self, request):
        """The figures and month selection for a verified tenant (see ``views.consumption_context``)."""
        from .views import consumption_context

        return consumption_context(request)

    def get_context(self, request, *args, **kwargs):
        from ..accounts.auth import OK, portal_state, visitor_step

        context = super().get_context(request, *args, **kwargs)
        context.update(portal_context(request))
        state = portal_state(request)
        context["portal_state"] = state
        if state == OK:
            context.update(self.get_consumption_context(request))
        else:
            context["step"] = visitor_step(request, state, request.get_full_path())
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if isinstance(response, TemplateResponse):
            add_never_cache_headers(response)  # personal data: never from a cache
        return response
