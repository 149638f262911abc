from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The cooperative's homepage (the host site's own page type, not the portal's)."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        from wagtail_tenantportal.tenancy.models import Company

        context = super().get_context(request, *args, **kwargs)
        context["companies"] = Company.objects.filter(portal_enabled=True)
        return context


class StandardPage(Page):
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
