"""The figures of the consumption information (HeizkostenV § 6a): this month, previous month,
same month last year, average user, changes in percent; None where data is missing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from tests.consumption.conftest import BenchmarkFactory, MeterFactory, add_values
from wagtail_tenantportal.consumption import services
from wagtail_tenantportal.consumption.models import Benchmark, Kind, MeasuringUnit, MonthlyConsumption

pytestmark = pytest.mark.django_db

D = datetime.date


def card_of(info, kind):
    return next(card for card in info.cards if card.kind == kind)


@pytest.fixture
def heating(unit):
    meter = MeterFactory(unit=unit, kind=Kind.HEATING)
    # January 2025 .. October 2026 (22 months): 100, 110, ..., 310
    add_values(meter, D(2025, 1, 1), [100 + 10 * i for i in range(22)])
    return meter


def test_figures_and_percentages(tenant, heating, unit):
    BenchmarkFactory(company=unit.company, kind=Kind.HEATING, month=D(2026, 10, 1), value=Decimal("6"))
    info = services.consumption_information(tenant, D(2026, 10, 1))
    card = card_of(info, Kind.HEATING)
    assert card.current == Decimal("310")
    assert card.previous.value == Decimal("300") and card.previous.month == D(2026, 9, 1)
    assert card.previous.change == Decimal("3.3")
    assert card.last_year.value == Decimal("190") and card.last_year.month == D(2025, 10, 1)
    assert card.last_year.change == Decimal("63.2")
    # 6 kWh per m² x 60 m² = 360 kWh for the average user
    assert card.benchmark.value == Decimal("360") and card.benchmark.change == Decimal("-13.9")


def test_the_latest_month_with_values_is_the_default(tenant, heating):
    info = services.consumption_information(tenant)
    assert info.month == D(2026, 10, 1)
    assert info.available_months[0] == D(2026, 10, 1) and info.available_months[-1] == D(2025, 1, 1)
    # a month after the latest one falls back to the latest
    assert services.consumption_information(tenant, D(2030, 1, 1)).month == D(2026, 10, 1)


def test_missing_data_stays_none_never_invented(tenant, heating):
    card = card_of(services.consumption_information(tenant, D(2025, 1, 1)), Kind.HEATING)
    assert card.current == Decimal("100")
    assert card.previous.value is None and card.previous.change is None  # before the contract
    assert card.last_year.value is None and card.last_year.change is None
    assert card.benchmark.value is None and card.benchmark.change is None
    assert card.previous.change_text == ""


def test_a_month_is_missing_when_one_of_several_meters_has_no_value(tenant, heating, unit):
    second = MeterFactory(unit=unit, kind=Kind.HEATING, location="Küche")
    add_values(second, D(2026, 9, 1), [50, None])
    card = card_of(services.consumption_information(tenant, D(2026, 10, 1)), Kind.HEATING)
    assert card.current is None
    assert card.previous.value == Decimal("350")  # 300 + 50
    assert card.previous.change is None


def test_heat_cost_allocator_units_are_converted_to_kwh(tenant, unit):
    meter = MeterFactory(
        unit=unit, kind=Kind.HEATING, measuring_unit=MeasuringUnit.HCA_UNITS, conversion_factor=Decimal("8.5")
    )
    add_values(meter, D(2026, 10, 1), [10], estimated=[D(2026, 10, 1)])
    card = card_of(services.consumption_information(tenant), Kind.HEATING)
    assert card.display_unit == MeasuringUnit.KWH
    assert card.current == Decimal("85.0") and card.estimated


def test_unconverted_units_are_shown_as_they_are_and_not_compared_with_kwh(tenant, unit):
    meter = MeterFactory(unit=unit, kind=Kind.HEATING, measuring_unit=MeasuringUnit.HCA_UNITS)
    add_values(meter, D(2026, 10, 1), [10])
    BenchmarkFactory(company=unit.company, kind=Kind.HEATING, month=D(2026, 10, 1))
    card = card_of(services.consumption_information(tenant), Kind.HEATING)
    assert card.display_unit == MeasuringUnit.HCA_UNITS and card.benchmark.value is None


def test_the_propertys_benchmark_wins_and_per_unit_is_absolute(tenant, heating, unit):
    BenchmarkFactory(company=unit.company, kind=Kind.HEATING, month=D(2026, 10, 1), value=Decimal("6"))
    BenchmarkFactory(
        company=unit.company,
        property=unit.property,
        kind=Kind.HEATING,
        month=D(2026, 10, 1),
        value=Decimal("400"),
        basis=Benchmark.Basis.PER_UNIT,
    )
    card = card_of(services.consumption_information(tenant), Kind.HEATING)
    assert card.benchmark.value == Decimal("400") and card.benchmark.change == Decimal("-22.5")


def test_per_m2_without_living_area_gives_no_benchmark(tenant, heating, unit):
    unit.living_area = None
    unit.save()
    BenchmarkFactory(company=unit.company, kind=Kind.HEATING, month=D(2026, 10, 1))
    assert card_of(services.consumption_information(tenant), Kind.HEATING).benchmark.value is None


def test_the_chart_covers_the_last_months_with_gaps_as_no_value(tenant, heating):
    card = card_of(services.consumption_information(tenant, D(2026, 6, 1), history_months=12), Kind.HEATING)
    assert len(card.history) == 12 and card.history[0].month == D(2025, 7, 1)
    # months before the tenant's first value are left out, a gap inside is "no value"
    card = card_of(services.consumption_information(tenant, D(2025, 6, 1), history_months=12), Kind.HEATING)
    assert [bar.month for bar in card.history] == [D(2025, m, 1) for m in range(1, 7)]
    assert card.history[-1].selected and card.history[-1].percent == 100
    assert card.history[0].value == Decimal("100") and card.history[0].percent == 67
    MonthlyConsumption.objects.filter(month=D(2025, 3, 1)).delete()
    card = card_of(services.consumption_information(tenant, D(2025, 6, 1), history_months=12), Kind.HEATING)
    assert card.history[2].value is None and card.history[2].value_text == "no value"


def test_kinds_filter_and_no_meters(tenant, heating):
    assert services.consumption_information(tenant, kinds=[Kind.GAS]).has_meters is False
    assert services.dashboard_summary(tenant).cards[0].kind == Kind.HEATING


def test_percent_change_and_german_texts():
    assert services.percent_change(Decimal(110), Decimal(100)) == Decimal("10.0")
    assert services.percent_change(Decimal(5), Decimal(0)) is None
    assert services.percent_change(None, Decimal(1)) is None
    with translation.override("de"):
        assert services.format_amount(Decimal("1234.4"), MeasuringUnit.KWH) == "1.234\u00a0kWh"
        assert services.format_amount(Decimal("3.256"), MeasuringUnit.CUBIC_METRE) == "3,26\u00a0m³"
        assert services.change_text(Decimal("12.5")).startswith("12,5")
        assert services.format_amount(None, MeasuringUnit.KWH) == "–"


def test_parse_month():
    assert services.parse_month("2026-10") == D(2026, 10, 1)
    assert services.parse_month("10.2026") == D(2026, 10, 1)
    assert services.parse_month("2026-13") is None
    assert services.parse_month("x") is None and services.parse_month(None) is None


def test_the_csv_export_holds_only_the_tenants_own_months(tenant, heating):
    text = services.export_csv(tenant)
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 22
    assert lines[1].split(";")[4] == "01.2025"


def test_versus_text():
    row = services.Comparison("x", D(2025, 10, 1), Decimal(1), MeasuringUnit.KWH, Decimal("-3.0"))
    assert row.versus_text == "3.0 % less than in October 2025"
    row.change = Decimal(0)
    assert row.versus_text == "as much as in October 2025"
    with translation.override("de"):
        row.change = Decimal("12.5")
        assert row.versus_text.startswith("12,5 %") and "Oktober 2025" in row.versus_text
