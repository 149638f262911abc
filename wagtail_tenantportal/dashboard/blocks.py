"""StreamField block "Portal overview" for the host's pages (e.g. the site's start page)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core.blocks import PortalBlock


def _widget_choices():
    from ..core.widgets import widget_choices

    return widget_choices()


class DashboardBlock(PortalBlock):
    """The dashboard widgets (requests, documents, notices, …) of the logged-in tenant as cards.

    Anonymous visitors see a login prompt leading back to the page; sessions that are not
    fully verified see the step they must take. Nothing personal is rendered for them.
    """

    heading = blocks.CharBlock(label=_("heading"), required=False, default=_("My overview"))
    widgets = blocks.MultipleChoiceBlock(
        label=_("what to show"),
        choices=_widget_choices,
        required=False,
        help_text=_("Choose the boxes tenants see. None chosen: all of them."),
    )

    class Meta:
        template = "wagtail_tenantportal/dashboard/blocks/dashboard.html"
        icon = "home"
        label = _("Portal overview")
        description = _("What is new for the logged-in tenant: requests, documents, notices and more.")

    def get_tenant_context(self, value, request):
        from .services import dashboard_context

        return dashboard_context(request, list(value.get("widgets") or []) or None)

    def get_preview_portal_context(self, value, request):
        from .services import sample_dashboard_context

        return sample_dashboard_context(list(value.get("widgets") or []) or None)


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [("portal_dashboard", DashboardBlock)]
