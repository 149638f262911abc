"""StreamField blocks of the tickets app, for the host's own pages (render them with
``{% include_block %}``). Data comes from ``services``, the ticket form from ``presentation``
(imported late: host page models import the blocks while the models load); no ORM here."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core.blocks import PortalBlock

# -- sample data for the editor's preview (made up; no tenant data is read) --------------------


def _sample_contract():
    from ..tenancy.models import Company, Contract, Property, Unit

    company = Company(name="Wohnungsgenossenschaft Lindenhof", legal_form="eG", emergency_phone="0341 123456")
    estate = Property(name="Lindenhof", street="Lindenstraße 12", postal_code="04109", city="Leipzig")
    unit = Unit(property=estate, number="12-03", floor="2. OG links")
    return Contract(number="10-0815-01", company=company, unit=unit)


def _sample_damage_report_context(ticket_type):
    """The damage form as a tenant with one contract sees it: the site's own damage report type
    and damage kinds (set-up data, not tenant data), or made-up ones if there are none yet."""
    from . import services
    from .forms import TicketForm
    from .models import DamageCategory, DamageKind, DamageLocation, TicketType

    if ticket_type is None:
        ticket_type = TicketType(code="damage_report", name="Damage report", kind=TicketType.Kind.DAMAGE)
        kinds = []
    else:
        kinds = services.damage_kinds_for([])
    if not kinds:  # the taxonomy is German editor content, so are these samples
        kitchen = DamageLocation(name="Küche")
        plumbing = DamageCategory(name="Sanitär", location=kitchen)
        kinds = [
            DamageKind(pk=1, name="Wasserhahn tropft", category=plumbing),
            DamageKind(pk=2, name="Abfluss verstopft", category=plumbing),
            DamageKind(
                pk=3,
                name="Rohrbruch / Wasser tritt aus",
                category=plumbing,
                urgency=DamageKind.Urgency.ALWAYS,
                hint="Drehen Sie, wenn möglich, den Absperrhahn der Wohnung zu.",
            ),
        ]
    contracts = [_sample_contract()]
    form = TicketForm(ticket_type=ticket_type, contracts=contracts, damage_kinds=kinds)
    return {
        "form": form,
        "ticket_type": ticket_type,
        "contracts": contracts,
        "urgent_kinds": getattr(form, "urgent_kinds", []),
        "emergency_phones": services.emergency_phones(contracts),
        "form_action": "#",
    }


def _sample_tickets():
    """Five made-up requests of one tenant, newest first, in every kind of status."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from .models import DamageCategory, TicketStatus, TicketType

    now = timezone.now()
    statuses = {
        "new": TicketStatus(code="new", name="New"),
        "in_progress": TicketStatus(code="in_progress", name="In progress"),
        "awaiting_tenant": TicketStatus(
            code="awaiting_tenant", name="Awaiting your reply", awaiting_tenant=True
        ),
        "done": TicketStatus(code="done", name="Done", is_closed=True),
    }
    damage = TicketType(code="damage_report", name="Damage report", kind=TicketType.Kind.DAMAGE)
    general = TicketType(code="general_contact", name="General contact request")
    contract = _sample_contract()
    rows = [
        (2, "2026-00412", "Wasserhahn tropft", damage, "Sanitär", "new"),
        (9, "2026-00377", "Frage zur Betriebskostenabrechnung", general, None, "awaiting_tenant"),
        (16, "2026-00351", "Heizkörper im Bad bleibt kalt", damage, "Heizung", "in_progress"),
        (40, "2026-00298", "Neuer Schlüssel für den Fahrradkeller", general, None, "done"),
        (75, "2026-00201", "Klingel defekt", damage, "Elektrik", "done"),
    ]
    return [
        SimpleNamespace(
            created_at=now - timedelta(days=days),
            reference=reference,
            subject=subject,
            ticket_type=ticket_type,
            damage_category=DamageCategory(name=category) if category else None,
            contract=contract,
            status=statuses[status],
            get_absolute_url="#",
            has_new_reply=status == "awaiting_tenant",
            has_new_status=status == "in_progress",
        )
        for days, reference, subject, ticket_type, category, status in rows
    ]


def damage_type_choices():
    """``[(code, name)]`` of the active damage report types tenants may file (block setting;
    migrations refer to this function by its path)."""
    from . import services

    return [(ticket_type.code, ticket_type.label) for ticket_type in services.damage_report_types()]


def damage_type_for(code):
    """The active damage report type ``code`` names, else the first one (None if there is none)."""
    from . import services

    return services.damage_type_for(code)


class DamageReportBlock(PortalBlock):
    """The damage report form (posts to the portal's form view, which shows errors if any).

    ``damage_type`` picks one of several damage report types (empty or no longer active: the
    first one); ``emergency_text`` is shown to everybody, also to visitors who are not logged in.
    """

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Report damage"),
        help_text=_("Title of the block. Empty: no title."),
    )
    intro = blocks.TextBlock(
        label=_("introduction"),
        required=False,
        help_text=_("Shown above the form, e.g. which damage tenants report here and which they do not."),
    )
    damage_type = blocks.ChoiceBlock(
        label=_("type of damage report"),
        choices=damage_type_choices,
        required=False,
        help_text=_(
            "Which damage report form is shown (request types are set up under Tenant portal → "
            "Request types). Empty: the first one."
        ),
    )
    emergency_text = blocks.TextBlock(
        label=_("hint for emergencies"),
        required=False,
        help_text=_(
            "Shown highlighted to everybody, also to visitors who are not logged in, e.g. "
            "“Burst pipe or no heating at the weekend? Call 0341 123456.” The emergency numbers of "
            "the landlords are shown anyway when a tenant chooses urgent damage."
        ),
    )

    class Meta:
        template = "wagtail_tenantportal/tickets/blocks/damage_report_block.html"
        icon = "warning"
        label = _("Report damage")
        description = _(
            "The damage report form with photos. Visitors are asked to log in and come back to this page."
        )

    def get_tenant_context(self, value, request):
        from . import services
        from .presentation import ticket_form_context

        ticket_type = damage_type_for(value.get("damage_type"))
        contracts = services.eligible_contracts(request.user, ticket_type) if ticket_type else []
        if not contracts:
            return {"unavailable": True}
        return ticket_form_context(request, ticket_type, contracts)

    def get_preview_portal_context(self, value, request):
        return _sample_damage_report_context(damage_type_for(value.get("damage_type")))


class RequestListBlock(PortalBlock):
    """The latest requests of the tenant with their status, and a link to all of them."""

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("My requests"),
        help_text=_("Title of the block. Empty: no title."),
    )
    count = blocks.IntegerBlock(
        label=_("number of requests shown"),
        default=5,
        min_value=1,
        max_value=20,
        help_text=_("The newest first; “All my requests” leads to the full list."),
    )
    open_only = blocks.BooleanBlock(
        label=_("only open requests"),
        required=False,
        default=False,
        help_text=_("On: requests that are done or rejected are left out."),
    )

    class Meta:
        template = "wagtail_tenantportal/tickets/blocks/request_list_block.html"
        icon = "list-ul"
        label = _("My requests")
        description = _("The latest requests of the logged-in tenant with their status.")

    def get_tenant_context(self, value, request):
        from . import services

        tickets = services.latest_requests(
            request.user, count=value.get("count") or 5, open_only=bool(value.get("open_only"))
        )
        return {
            "tickets": tickets,
            "list_url": reverse("wagtail_tenantportal:ticket_list"),
            "new_url": reverse("wagtail_tenantportal:ticket_new_choose"),
        }

    def get_preview_portal_context(self, value, request):
        tickets = _sample_tickets()
        if value.get("open_only"):
            tickets = [ticket for ticket in tickets if not ticket.status.is_closed]
        return {
            "tickets": tickets[: value.get("count") or 5],
            "list_url": "#",
            "new_url": "#",
        }


def ticket_type_choices():
    """``[(code, name)]`` of the active types tenants may file (for the editor's choice;
    migrations refer to this function by its path)."""
    from . import services

    return [(ticket_type.code, ticket_type.label) for ticket_type in services.portal_ticket_types()]


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

    def get_tenant_context(self, value, request):
        from . import services

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
