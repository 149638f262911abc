"""StreamField blocks of the tickets app, for the host's own pages (render them with
``{% include_block %}``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..blocks import PortalBlock


class DamageReportBlock(PortalBlock):
    """The damage report form (posts to the portal's form view, which shows errors if any)."""

    heading = blocks.CharBlock(label=_("heading"), required=False, default=_("Report damage"))
    intro = blocks.TextBlock(label=_("introduction"), required=False)

    class Meta:
        template = "wagtail_tenantportal/tickets/blocks/damage_report_block.html"
        icon = "warning"
        label = _("Report damage")
        description = _(
            "The damage report form with photos. Visitors are asked to log in and come back to this page."
        )

    def get_portal_context(self, value, request, state):
        from ..accounts import auth
        from . import services
        from .views import default_damage_type, login_prompt_context, ticket_form_context

        if state != auth.OK:
            return {"login_prompt": login_prompt_context(request, state)}
        ticket_type = default_damage_type()
        contracts = services.eligible_contracts(request.user, ticket_type) if ticket_type else []
        if not contracts:
            return {"unavailable": True}
        return ticket_form_context(request, ticket_type, contracts)


class RequestListBlock(PortalBlock):
    """The latest requests of the tenant with their status, and a link to all of them."""

    heading = blocks.CharBlock(label=_("heading"), required=False, default=_("My requests"))
    count = blocks.IntegerBlock(label=_("number of requests shown"), default=5, min_value=1, max_value=20)

    class Meta:
        template = "wagtail_tenantportal/tickets/blocks/request_list_block.html"
        icon = "list-ul"
        label = _("My requests")
        description = _("The latest requests of the logged-in tenant with their status.")

    def get_portal_context(self, value, request, state):
        from ..accounts import auth
        from .models import Ticket
        from .views import LIST_RELATED, login_prompt_context

        if state != auth.OK:
            return {"login_prompt": login_prompt_context(request, state)}
        tickets = (
            Ticket.objects.visible_to(request.user)
            .select_related(*LIST_RELATED)
            .order_by("-created_at", "-pk")[: value.get("count") or 5]
        )
        return {
            "tickets": list(tickets),
            "list_url": reverse("wagtail_tenantportal:ticket_list"),
            "new_url": reverse("wagtail_tenantportal:ticket_new_choose"),
        }


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [
    ("portal_damage_report", DamageReportBlock),
    ("portal_requests", RequestListBlock),
]
