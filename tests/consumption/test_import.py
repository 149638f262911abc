"""CSV import of meters, monthly values and benchmarks: idempotent upsert, per-row errors, formats."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CompanyFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.consumption.importer import consumption_file, import_consumption
from wagtail_tenantportal.consumption.models import Benchmark, Kind, MeasuringUnit, Meter, MonthlyConsumption

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def company(db):
    return CompanyFactory(erp_id="WG1")


@pytest.fixture
def unit(company):
    return UnitFactory(property=PropertyFactory(company=company, erp_id="WE1"), erp_id="E1")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


METERS = (
    "company;erp_id;unit;kind;measuring_unit;conversion_factor;serial_number;location\n"
    "WG1;Z1;E1;Heizung;Einheiten;8,5;HKV-001;Wohnzimmer\n"
    "WG1;Z2;E1;Warmwasser;m³;;WW-1;Bad\n"
)
VALUES = (
    "company;meter;month;value;estimated\n"
    "WG1;Z1;09.2026;12,5;nein\n"
    "WG1;Z1;2026-10;14;ja\n"
    "WG1;Z2;01.10.2026;3,25;\n"
)
BENCHMARKS = (
    "company,property,kind,month,value,measuring_unit,basis\n"
    'WG1,,heating,10.2026,"1,8",kWh,pro m²\n'
    "WG1,WE1,heating,10.2026,95,kWh,Wohnung\n"
)


def run(tmp_path, files, **kwargs):
    return import_consumption(
        [consumption_file(write(tmp_path, name, text)) for name, text in files], **kwargs
    )


def test_import_creates_everything_and_is_idempotent(tmp_path, unit):
    files = [("benchmarks.csv", BENCHMARKS), ("consumption.csv", VALUES), ("meters.csv", METERS)]
    result = run(tmp_path, files)
    assert result.committed and not result.errors
    assert (result.counts["meters"].created, result.counts["consumption"].created) == (2, 3)
    assert result.counts["benchmarks"].created == 2
    hkv = Meter.objects.get(erp_id="Z1")
    assert (hkv.kind, hkv.measuring_unit, hkv.conversion_factor) == (
        Kind.HEATING,
        MeasuringUnit.HCA_UNITS,
        Decimal("8.5"),
    )
    assert hkv.unit == unit and hkv.location == "Wohnzimmer"
    october = MonthlyConsumption.objects.get(meter=hkv, month=D(2026, 10, 1))
    assert october.estimated and october.value == Decimal("14") and october.month_end == D(2026, 10, 31)
    assert MonthlyConsumption.objects.get(meter__erp_id="Z2").value == Decimal("3.25")
    assert Benchmark.objects.get(property__isnull=True).basis == Benchmark.Basis.PER_M2
    assert Benchmark.objects.get(property=unit.property).basis == Benchmark.Basis.PER_UNIT

    again = run(tmp_path, files)
    assert again.committed
    assert [c.unchanged for c in again.counts.values()] == [2, 3, 2]
    assert [c.created + c.updated for c in again.counts.values()] == [0, 0, 0]
    assert MonthlyConsumption.objects.count() == 3


def test_changed_values_are_updated(tmp_path, unit):
    run(tmp_path, [("meters.csv", METERS), ("consumption.csv", VALUES)])
    result = run(tmp_path, [("consumption.csv", VALUES.replace("12,5;nein", "13,0;nein"))])
    assert (result.counts["consumption"].updated, result.counts["consumption"].unchanged) == (1, 2)
    assert MonthlyConsumption.objects.get(meter__erp_id="Z1", month=D(2026, 9, 1)).value == Decimal("13")


def test_rejected_rows_are_reported_and_nothing_is_saved(tmp_path, unit):
    bad = (
        "company;meter;month;value;estimated\n"
        "WG1;Z1;13.2026;1;nein\n"
        "WG1;Z1;15.10.2026;1;nein\n"
        "WG1;ZX;10.2026;1;nein\n"
        "WG1;Z1;10.2026;minus;nein\n"
        "WG1;Z1;10.2026;-4;vielleicht\n"
        "WG9;Z1;10.2026;1;ja\n"
        "WG1;Z2;10.2026;1\n"
        "WG1;Z1;11.2026;1;ja\n"
        "WG1;Z1;11.2026;2;ja\n"
    )
    result = run(tmp_path, [("meters.csv", METERS), ("consumption.csv", bad)])
    assert not result.committed
    lines = {error.line: error.message for error in result.errors}
    assert sorted(lines) == [2, 3, 4, 5, 6, 7, 8, 10]
    assert "is not a month" in lines[2]
    assert "not the first day of a month" in lines[3]
    assert "no meter with ERP id “ZX”" in lines[4]
    assert "is not a number" in lines[5]
    assert "must not be negative" in lines[6] and "is not yes or no" in lines[6]
    assert "no company with ERP id “WG9”" in lines[7]
    assert "the row has 4 cells" in lines[8]
    assert "the same record as line 9" in lines[10]
    assert str(result.errors[0]).startswith("consumption.csv, line 2:")
    assert not Meter.objects.exists() and not MonthlyConsumption.objects.exists()


def test_partial_saves_the_valid_rows(tmp_path, unit):
    bad = "company;meter;month;value\nWG1;Z1;10.2026;1\nWG1;ZX;10.2026;1\n"
    result = run(tmp_path, [("meters.csv", METERS), ("consumption.csv", bad)], partial=True)
    assert result.committed and len(result.errors) == 1
    assert MonthlyConsumption.objects.count() == 1


def test_dry_run_saves_nothing(tmp_path, unit):
    result = run(tmp_path, [("meters.csv", METERS), ("consumption.csv", VALUES)], dry_run=True)
    assert not result.committed and not result.errors
    assert result.counts["consumption"].created == 3
    assert not Meter.objects.exists()


def test_windows_1252_and_comma_separated(tmp_path, unit):
    text = "company,erp_id,unit,kind,location\nWG1,Z7,E1,Kaltwasser,Küche\n"
    path = write(tmp_path, "meters.csv", text, encoding="cp1252")
    result = import_consumption([consumption_file(path)])
    assert result.committed, result.errors
    assert Meter.objects.get(erp_id="Z7").location == "Küche"


def test_unit_of_another_company_is_not_found(tmp_path, unit):
    other = CompanyFactory(erp_id="WG2")
    text = "company;erp_id;unit;kind\nWG2;Z1;E1;heating\n"
    result = run(tmp_path, [("meters.csv", text)])
    assert "no unit with ERP id “E1”" in result.errors[0].message
    assert not Meter.objects.filter(company=other).exists()


def test_unknown_and_missing_columns_reject_the_file(tmp_path, unit):
    result = run(tmp_path, [("meters.csv", "company;erp_id;zimmer\nWG1;Z1;x\n")])
    assert result.errors[0].line is None
    assert "Unknown columns: zimmer" in result.errors[0].message
    assert "Required columns missing: unit, kind" in result.errors[0].message


def test_unknown_file_names_are_refused(tmp_path):
    with pytest.raises(ValueError):
        consumption_file(write(tmp_path, "zaehler.csv", "x"))


def test_two_files_of_one_kind_are_refused_and_nothing_is_saved(tmp_path, unit):
    first = consumption_file(write(tmp_path, "meters.csv", METERS))
    (tmp_path / "more").mkdir()
    second = consumption_file(write(tmp_path / "more", "meters.csv", METERS))
    result = import_consumption([first, second])
    assert not result.committed
    assert any("both contain meters" in error.message for error in result.errors)
    assert not Meter.objects.exists()


def test_command(tmp_path, unit, capsys):
    meters = write(tmp_path, "meters.csv", METERS)
    values = write(tmp_path, "werte.csv", VALUES)
    call_command("tenantportal_import_consumption", str(meters), f"consumption={values}", "--dry-run")
    assert "Dry run" in capsys.readouterr().out and not Meter.objects.exists()
    call_command("tenantportal_import_consumption", str(meters), f"consumption={values}")
    assert MonthlyConsumption.objects.count() == 3
    bad = write(tmp_path, "consumption.csv", "company;meter;month;value\nWG1;ZX;10.2026;1\n")
    with pytest.raises(CommandError):
        call_command("tenantportal_import_consumption", str(bad))
    assert "no meter with ERP id" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("tenantportal_import_consumption", str(tmp_path / "fehlt.csv"))
