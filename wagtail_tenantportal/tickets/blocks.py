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


def ticket_type_choices():
    """``[(code, name)]`` of the active types tenants may file (for the editor's choice)."""
    from .models import TicketType

    types = TicketType.objects.active().filter(show_in_portal=True).order_by("sort_order", "pk")
    return [(ticket_type.code, ticket_type.label) for ticket_type in types]


class NewRequestBlock(PortalBlock):
    """The block "Submit a request": the kinds of request a tenant can file (damage report,
    general contact request, …) as large buttons, each leading to its form.

    Only types that apply to one of the tenant's current contracts are shown, optionally
    only those the editor chose. Visitors see a login prompt leading back to this page,
    sessions with a missing step that step.
    """

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Submit a request"),
        help_text=_("Shown above the buttons. Empty: no heading."),
    )
    intro = blocks.TextBlock(
        label=_("introduction"),
        required=False,
        help_text=_("E.g. what tenants can report here and when to call instead (emergencies)."),
    )
    ticket_types = blocks.MultipleChoiceBlock(
        label=_("kinds of request offered"),
        choices=ticket_type_choices,
        required=False,
        help_text=_("Offer only these. None chosen: every kind the tenant may file."),
    )

    class Meta:
        template = "wagtail_tenantportal/tickets/blocks/new_request_block.html"
        icon = "plus"
        label = _("Submit a request")
        description = _(
            "Large buttons for the kinds of request a tenant can file (damage, questions, appointments…)."
        )

    def get_portal_context(self, value, request, state):
        from ..accounts import auth
        from . import services

        if state != auth.OK:
            return {"step": auth.visitor_step(request, state, request.get_full_path())}
        contracts = services.eligible_contracts(request.user)
        types = services.portal_types_for(request.user, contracts)
        chosen = set(value.get("ticket_types") or ())
        if chosen:
            types = [ticket_type for ticket_type in types if ticket_type.code in chosen]
        return {
            "ticket_types": [
                {
                    "label": ticket_type.label,
                    "description": ticket_type.description,
                    "url": reverse("wagtail_tenantportal:ticket_new", args=(ticket_type.code,)),
                }
                for ticket_type in types
            ],
            "has_contracts": bool(contracts),
            "list_url": reverse("wagtail_tenantportal:ticket_list"),
        }

    def get_preview_portal_context(self, value, request):
        samples = [
            ("Schadensmeldung", "Etwas ist kaputt oder funktioniert nicht, z. B. Heizung, Wasser, Fenster."),
            ("Allgemeine Kontaktanfrage", "Eine Frage oder ein Hinweis an Ihre Kundenbetreuung."),
            ("Terminanfrage", "Sie möchten einen Termin mit uns vereinbaren."),
            ("Dokumentenanforderung", "Sie benötigen eine Bescheinigung oder eine Kopie."),
        ]
        return {
            "ticket_types": [{"label": label, "description": text, "url": "#"} for label, text in samples],
            "has_contracts": True,
            "list_url": "#",
        }


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [
    ("portal_damage_report", DamageReportBlock),
    ("portal_requests", RequestListBlock),
    ("portal_new_request", NewRequestBlock),
]
