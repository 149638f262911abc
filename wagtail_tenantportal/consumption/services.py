"""Business logic of the consumption information: what views, page, block, widget and command call.

- :func:`consumption_information` computes the monthly consumption information (UVI,
  HeizkostenV § 6a) of a tenant for one month: per unit and kind this month, the previous
  month, the same month a year earlier and the average user, with the change in percent,
  plus the last months for a chart. Missing data stays ``None``; nothing is estimated here.
- :func:`import_consumption` (in ``importer.py``) reads meters, monthly values and benchmarks
  from CSV files.

Everything a tenant sees goes through ``Meter.objects.visible_to`` and
``MonthlyConsumption.objects.visible_to``; the functions run a fixed number of queries
whatever the number of meters and months.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from ..core.exports import neutralise_row
from .forms import MonthForm
from .importer import ConsumptionImportResult, ImportFile, import_consumption  # noqa: F401  (public API)
from .models import (
    REQUIRED_KINDS,
    Benchmark,
    Kind,
    MeasuringUnit,
    Meter,
    MonthlyConsumption,
    add_months,
)

#: Months in the chart unless a block says otherwise.
DEFAULT_HISTORY_MONTHS = 12

#: Decimal places shown per display unit.
_PLACES = {MeasuringUnit.KWH: 0, MeasuringUnit.CUBIC_METRE: 2, MeasuringUnit.HCA_UNITS: 1}


def unit_label(measuring_unit):
    return str(MeasuringUnit(measuring_unit).label)


def format_amount(value, measuring_unit):
    """``value`` with its unit, localised (German: "1.234 kWh", "3,25 m³"); "–" for None."""
    if value is None:
        return "–"
    places = _PLACES.get(measuring_unit, 1)
    number = formats.number_format(
        Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP),
        places,
        use_l10n=True,
        force_grouping=True,
    )
    return f"{number}\u00a0{unit_label(measuring_unit)}"


def percent_change(value, reference):
    """Change from ``reference`` to ``value`` in percent, one decimal; None when either is missing
    or the reference is zero (no meaningful percentage)."""
    if value is None or reference is None or reference == 0:
        return None
    change = (Decimal(value) - Decimal(reference)) * 100 / Decimal(reference)
    return change.quantize(Decimal("0.1"), ROUND_HALF_UP)


def change_text(change):
    """The change in words, so that nobody depends on colour: "12,5 % more", "3,0 % less"."""
    if change is None:
        return ""
    if change == 0:
        return _("the same")
    amount = formats.number_format(abs(change), 1, use_l10n=True)
    if change > 0:
        return _("%(percent)s %% more") % {"percent": amount}
    return _("%(percent)s %% less") % {"percent": amount}


def parse_month(value):
    """``"2026-10"`` (or ``"10.2026"``) -> ``date(2026, 10, 1)``; None for anything else."""
    value = (value or "").strip()
    try:
        if len(value) == 7 and value[4] == "-":
            return datetime.date(int(value[:4]), int(value[5:]), 1)
        if "." in value:
            month, year = value.split(".")
            if len(year) == 4:
                return datetime.date(int(year), int(month), 1)
    except ValueError:
        pass
    return None


@dataclass
class Comparison:
    """One row of a card: a period (or the average user) with its value and the change of this month against it."""

    label: str
    month: datetime.date | None
    value: Decimal | None
    display_unit: str
    change: Decimal | None = None  # this month compared with this row, in percent
    estimated: bool = False

    @property
    def value_text(self):
        return format_amount(self.value, self.display_unit)

    @property
    def change_text(self):
        return change_text(self.change)

    @property
    def versus_text(self):
        """The change against this row's month in one sentence part, e.g. "12,5 % more than in October 2025"."""
        if self.change is None or self.month is None:
            return ""
        month = formats.date_format(self.month, "F Y")
        if self.change == 0:
            return _("as much as in %(month)s") % {"month": month}
        amount = formats.number_format(abs(self.change), 1, use_l10n=True)
        if self.change > 0:
            return _("%(percent)s %% more than in %(month)s") % {"percent": amount, "month": month}
        return _("%(percent)s %% less than in %(month)s") % {"percent": amount, "month": month}


@dataclass
class Bar:
    """One month of the chart; ``percent`` is the bar's length relative to the largest value."""

    month: datetime.date
    value: Decimal | None
    display_unit: str
    estimated: bool = False
    percent: int = 0
    selected: bool = False

    @property
    def value_text(self):
        return format_amount(self.value, self.display_unit) if self.value is not None else _("no value")


@dataclass
class KindFigures:
    """The consumption information of one kind in one unit (one card)."""

    unit: object
    kind: str
    display_unit: str
    meters: list = field(default_factory=list)
    month: datetime.date | None = None
    current: Decimal | None = None
    estimated: bool = False
    previous: Comparison | None = None
    last_year: Comparison | None = None
    benchmark: Comparison | None = None
    history: list = field(default_factory=list)

    @property
    def key(self):
        """Unique per page: kind, display unit and unit id (for HTML ids)."""
        return f"{self.kind}-{self.display_unit}-{self.unit.pk}"

    @property
    def kind_label(self):
        return Kind(self.kind).label

    @property
    def unit_label(self):
        return unit_label(self.display_unit)

    @property
    def current_text(self):
        return format_amount(self.current, self.display_unit)

    @property
    def comparisons(self):
        return [row for row in (self.previous, self.last_year, self.benchmark) if row is not None]

    @property
    def change_previous(self):
        return self.previous.change if self.previous else None

    @property
    def change_last_year(self):
        return self.last_year.change if self.last_year else None

    @property
    def change_benchmark(self):
        return self.benchmark.change if self.benchmark else None


@dataclass
class ConsumptionInformation:
    """What :func:`consumption_information` returns."""

    month: datetime.date | None
    available_months: list
    cards: list  # [KindFigures], by unit then kind
    has_meters: bool

    @property
    def units(self):
        """``[(unit, [cards])]`` in order, for tenants with more than one unit."""
        grouped = {}
        for card in self.cards:
            grouped.setdefault(card.unit.pk, (card.unit, []))[1].append(card)
        return list(grouped.values())


def _kind_order(kind):
    return list(Kind.values).index(kind)


def consumption_information(user, month=None, *, kinds=None, history_months=DEFAULT_HISTORY_MONTHS):
    """The consumption information of ``user`` for ``month`` (default: the latest month with values).

    ``kinds`` limits the kinds (default: all); ``history_months`` is the number of months of the
    chart, ending with ``month``. Runs at most four queries (meters, months with values, values,
    benchmarks), whatever the amount of data. Values the user may not see (months outside their
    own contracts) are treated as missing; a month's total of a kind is ``None`` unless every
    meter of that kind in the unit has a value for it.
    """
    meters = Meter.objects.visible_to(user).select_related("unit__property")
    if kinds:
        meters = meters.filter(kind__in=list(kinds))
    meters = list(meters.order_by("unit__number", "unit_id", "kind", "location", "pk"))
    if not meters:
        return ConsumptionInformation(month=None, available_months=[], cards=[], has_meters=False)
    meter_ids = [meter.pk for meter in meters]
    visible = MonthlyConsumption.objects.visible_to(user).filter(meter_id__in=meter_ids)
    available = list(visible.order_by("-month").values_list("month", flat=True).distinct())
    if not available:
        month = None
    elif month is None or month > available[0]:
        month = available[0]
    if month is None:
        cards = [_card(group, None, {}, {}, 0) for group in _groups(meters)]
        return ConsumptionInformation(month=None, available_months=[], cards=cards, has_meters=True)

    history_months = max(int(history_months or 0), 0)
    first = min(add_months(month, -12), add_months(month, -(history_months - 1)) if history_months else month)
    values = {}
    for meter_id, value_month, value, estimated in visible.filter(
        month__gte=first, month__lte=month
    ).values_list("meter_id", "month", "value", "estimated"):
        values[(meter_id, value_month)] = (value, estimated)

    companies = {meter.company_id for meter in meters}
    properties = {meter.unit.property_id for meter in meters}
    benchmark_rows = Benchmark.objects.filter(
        Q(property__isnull=True) | Q(property_id__in=properties),
        company_id__in=companies,
        kind__in={meter.kind for meter in meters},
        month=month,
    )
    benchmarks = {}
    for row in benchmark_rows:
        benchmarks[(row.company_id, row.property_id, row.kind)] = row

    earliest = available[-1]
    cards = [_card(group, month, values, benchmarks, history_months, earliest) for group in _groups(meters)]
    return ConsumptionInformation(month=month, available_months=available, cards=cards, has_meters=True)


def _groups(meters):
    """Meters grouped by unit, kind and display unit, in the order of the cards."""
    groups = {}
    for meter in meters:
        groups.setdefault((meter.unit_id, meter.kind, meter.display_unit), []).append(meter)
    return sorted(
        groups.items(),
        key=lambda item: (item[1][0].unit.number, item[0][0], _kind_order(item[0][1]), item[0][2]),
    )


def _total(meters, month, values):
    """(sum in the display unit, any estimated) or (None, False) when a meter lacks the month."""
    total = Decimal(0)
    estimated = False
    for meter in meters:
        entry = values.get((meter.pk, month))
        if entry is None:
            return None, False
        total += meter.to_display(entry[0])
        estimated = estimated or entry[1]
    return total, estimated


def _benchmark_for(unit, kind, display_unit, benchmarks, company_id):
    row = benchmarks.get((company_id, unit.property_id, kind)) or benchmarks.get((company_id, None, kind))
    if row is None or row.measuring_unit != display_unit:
        return None
    return row.for_unit(unit)


def _card(group, month, values, benchmarks, history_months, earliest=None):
    (_unit_id, kind, display_unit), meters = group
    unit = meters[0].unit
    card = KindFigures(unit=unit, kind=kind, display_unit=display_unit, meters=meters, month=month)
    if month is None:
        return card
    card.current, card.estimated = _total(meters, month, values)
    previous_month = add_months(month, -1)
    last_year_month = add_months(month, -12)
    previous, previous_estimated = _total(meters, previous_month, values)
    last_year, last_year_estimated = _total(meters, last_year_month, values)
    card.previous = Comparison(
        _("Previous month"),
        previous_month,
        previous,
        display_unit,
        percent_change(card.current, previous),
        previous_estimated,
    )
    card.last_year = Comparison(
        _("Same month last year"),
        last_year_month,
        last_year,
        display_unit,
        percent_change(card.current, last_year),
        last_year_estimated,
    )
    average = _benchmark_for(unit, kind, display_unit, benchmarks, meters[0].company_id)
    card.benchmark = Comparison(
        _("Average user"), None, average, display_unit, percent_change(card.current, average)
    )
    bars = []
    for offset in range(history_months - 1, -1, -1):
        bar_month = add_months(month, -offset)
        if earliest and bar_month < earliest:
            continue  # before the first month the tenant has values for (e.g. before moving in)
        value, estimated = _total(meters, bar_month, values)
        bars.append(Bar(bar_month, value, display_unit, estimated, selected=bar_month == month))
    largest = max((bar.value for bar in bars if bar.value is not None), default=None)
    for bar in bars:
        if bar.value is not None and largest:
            bar.percent = int((bar.value * 100 / largest).to_integral_value(ROUND_HALF_UP))
    card.history = bars
    return card


def overview_context(user, month_param=None, *, kinds=None, history_months=DEFAULT_HISTORY_MONTHS):
    """Template context of the tenant's consumption page (view and page type)."""
    info = consumption_information(user, parse_month(month_param), kinds=kinds, history_months=history_months)
    return {
        "info": info,
        "selected_month": info.month,
        "month_options": [(m.strftime("%Y-%m"), m) for m in info.available_months],
        "show_unit_headings": len(info.units) > 1,
    }


def consumption_page_context(user, month_param=None):
    """Context of the consumption page (portal view and page type): ``overview_context`` for
    the month ``month_param`` (``"2026-10"``; default the latest) plus ``month_form`` and the
    ``export_url`` of the CSV download."""
    context = overview_context(user, month_param)
    context["month_form"] = MonthForm(context["month_options"], context["selected_month"])
    context["export_url"] = reverse("wagtail_tenantportal:consumption_export")
    return context


def dashboard_summary(user):
    """Heating and hot water of the latest month against the same month a year earlier, or None without meters."""
    info = consumption_information(user, kinds=REQUIRED_KINDS, history_months=0)
    if not info.has_meters:
        return None
    return info


# --- CSV download of the tenant's own values --------------------------------------------------


def export_rows(user):
    """The user's visible monthly values, oldest first, for the CSV download (one query)."""
    return (
        MonthlyConsumption.objects.visible_to(user)
        .select_related("meter__unit")
        .order_by("meter__unit__number", "meter__kind", "meter_id", "month")
    )


def export_csv(user):
    """The CSV text (``;``-separated, German numbers) of the user's visible monthly values;
    text a spreadsheet would run as a formula is written as text (``core.exports``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            _("Unit"),
            _("Meter"),
            _("Kind"),
            _("Location"),
            _("Month"),
            _("Consumption"),
            _("Unit of measure"),
            _("Estimated"),
        ]
    )
    for row in export_rows(user):
        meter = row.meter
        writer.writerow(
            neutralise_row(
                [
                    meter.unit.number,
                    meter.serial_number or meter.erp_id,
                    meter.get_kind_display(),
                    meter.location,
                    row.month.strftime("%m.%Y"),
                    formats.number_format(row.value, 3, use_l10n=True),
                    meter.get_measuring_unit_display(),
                    _("yes") if row.estimated else _("no"),
                ]
            )
        )
    return buffer.getvalue()
