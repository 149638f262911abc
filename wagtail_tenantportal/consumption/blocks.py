"""StreamField block "My consumption" for the host's pages (dashboard, start page)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core.blocks import PortalBlock
from .models import REQUIRED_KINDS, Kind, MeasuringUnit, add_months


class ConsumptionBlock(PortalBlock):
    """The tenant's consumption of the latest month with comparisons and a bar chart per kind.

    Anonymous visitors see a login prompt leading back to the page; sessions that are not
    fully verified see the step they must take. Nothing personal is rendered for them.
    """

    heading = blocks.CharBlock(label=_("heading"), required=False, default=_("My consumption"))
    kinds = blocks.MultipleChoiceBlock(
        label=_("which consumption"),
        choices=Kind.choices,
        default=[str(kind) for kind in REQUIRED_KINDS],
        required=False,
        help_text=_("Empty: every kind of meter the tenant has. Heating and hot water are required by law."),
    )
    months = blocks.IntegerBlock(
        label=_("months in the chart"),
        default=12,
        min_value=0,
        max_value=24,
        help_text=_("How many months the bar chart shows, ending with the latest month (0: no chart)."),
    )
    page = blocks.PageChooserBlock(
        label=_("page with all details"),
        required=False,
        page_type="tenantportal_consumption.ConsumptionPage",
        help_text=_("Empty: the portal's consumption page."),
    )

    class Meta:
        template = "wagtail_tenantportal/consumption/blocks/consumption.html"
        icon = "pick"
        label = _("My consumption")
        description = _(
            "The tenant's heating and hot water consumption of the latest month with comparisons and a chart."
        )

    def details_url(self, value):
        page = value.get("page")
        return (page.specific.url if page else None) or reverse("wagtail_tenantportal:consumption")

    def get_common_context(self, value, request):
        return {"details_url": self.details_url(value)}

    def get_tenant_context(self, value, request):
        from .services import consumption_information

        info = consumption_information(
            request.user, kinds=value.get("kinds") or None, history_months=value.get("months") or 0
        )
        return {"info": info}

    def get_preview_portal_context(self, value, request):
        return {"details_url": "#", "info": sample_information(value.get("kinds"), value.get("months") or 0)}


#: Made-up meters of the sample flat: kind -> (rooms, the last 13 monthly values).
_SAMPLE_SERIES = {
    Kind.HEATING: (
        "Wohnzimmer, Schlafzimmer, Küche",
        [Decimal(v) for v in "610 480 300 150 60 20 10 15 40 190 380 540 620".split()],
    ),
    Kind.HOT_WATER: ("Bad", [Decimal(v) for v in "95 92 90 88 85 80 78 80 84 88 90 94 96".split()]),
    Kind.COLD_WATER: (
        "Bad, Küche",
        [Decimal(v) for v in "3.1 3.0 2.9 3.2 3.4 3.6 3.5 3.3 3.1 3.0 3.2 3.1 3.0".split()],
    ),
    Kind.ELECTRICITY: (
        "Flur",
        [Decimal(v) for v in "190 180 175 160 150 140 140 150 160 175 185 195 200".split()],
    ),
    Kind.GAS: ("Küche", [Decimal(v) for v in "20 20 19 18 18 17 17 18 19 20 21 21 22".split()]),
}


def sample_information(kinds=None, months=12):
    """Made-up figures of a flat in Leipzig (editor previews; no database queries)."""
    from .services import Bar, Comparison, ConsumptionInformation, KindFigures, percent_change

    month = datetime.date(2026, 10, 1)
    unit = SimpleNamespace(pk=0, number="012", property="Lindenstraße 4, Leipzig")
    cards = []
    for kind in kinds or REQUIRED_KINDS:
        location, series = _SAMPLE_SERIES[Kind(kind)]
        display_unit = MeasuringUnit.CUBIC_METRE if kind == Kind.COLD_WATER else MeasuringUnit.KWH
        current = series[-1]
        card = KindFigures(
            unit=unit,
            kind=kind,
            display_unit=display_unit,
            meters=[SimpleNamespace(location=location, serial_number="", get_kind_display=Kind(kind).label)],
            month=month,
            current=current,
        )
        average = current * Decimal("1.1")
        card.previous = Comparison(
            _("Previous month"),
            add_months(month, -1),
            series[-2],
            display_unit,
            percent_change(current, series[-2]),
        )
        card.last_year = Comparison(
            _("Same month last year"),
            add_months(month, -12),
            series[0],
            display_unit,
            percent_change(current, series[0]),
        )
        card.benchmark = Comparison(
            _("Average user"), None, average, display_unit, percent_change(current, average)
        )
        shown = series[-months:] if months else []
        largest = max(shown, default=None)
        card.history = [
            Bar(
                add_months(month, index - len(shown) + 1),
                value,
                display_unit,
                percent=int(value * 100 / largest),
                selected=index == len(shown) - 1,
            )
            for index, value in enumerate(shown)
        ]
        cards.append(card)
    return ConsumptionInformation(month=month, available_months=[month], cards=cards, has_meters=True)


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [("portal_consumption", ConsumptionBlock)]
