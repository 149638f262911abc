from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from wagtail_tenantportal.blocks import portal_blocks

#: Slugs of the "how the portal works" page of each site (linked from its homepage).
HOWTO_SLUGS = ("mieterportal-so-funktionierts", "serviceportal-so-funktionierts")


class HomePage(Page):
    """The cooperative's homepage (the host site's own page type, not the portal's)."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        from wagtail.models import Site

        from wagtail_tenantportal.tenancy.models import Company

        context = super().get_context(request, *args, **kwargs)
        context["companies"] = Company.objects.filter(portal_enabled=True)
        # The how-to page of this site only: ``{% slugurl %}`` would fall back to the other
        # cooperative's page (and its host) on a site without one.
        context["howto_page"] = (
            StandardPage.objects.live()
            .in_site(Site.find_for_request(request))
            .filter(slug__in=HOWTO_SLUGS)
            .order_by("path")
            .first()
        )
        return context


class StandardPage(Page):
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]


class PortalContentPage(Page):
    """A content page of the host site whose body mixes text with the portal's blocks
    (``portal_blocks()``: overview, notices, contact person, new request …), as the
    quickstart recommends. The demo's "Service für Mieter" page is one."""

    body = StreamField(
        [("text", blocks.RichTextBlock(label="Text")), *portal_blocks()],
        blank=True,
        verbose_name="Inhalt",
        help_text="Text und Bausteine des Mieterportals; Mieter sehen darin ihre eigenen Daten.",
    )

    content_panels = Page.content_panels + [FieldPanel("body")]

    class Meta:
        verbose_name = "Inhaltsseite mit Portal-Bausteinen"


@register_setting(icon="site")
class CooperativeSettings(BaseSiteSetting):
    """Which cooperative a Wagtail site belongs to: its name in the header and the title, its
    address in the footer. Two sites, two cooperatives, one portal installation (the colours
    come from the portal's SITE_THEMES setting)."""

    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name="Genossenschaft",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Name, Anschrift und Telefon im Kopf und Fuß dieser Website.",
    )
    logo_text = models.CharField(
        "Kurzname im Kopf", max_length=60, blank=True, help_text="Zum Beispiel „WG Lindenhof eG“."
    )

    panels = [FieldPanel("company"), FieldPanel("logo_text")]

    class Meta:
        verbose_name = "Genossenschaft dieser Website"
