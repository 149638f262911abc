"""``manage.py tenantportal_import``: summary table, rejected rows, exit status."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from wagtail_tenantportal.tenancy.models import Company, Contract, ImportRun

from .import_helpers import export_dir, replace_in

pytestmark = pytest.mark.django_db


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("tenantportal_import", *args, "--today", "2026-03-15", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def export(tmp_path):
    return export_dir(tmp_path)


def test_imports_a_directory_and_prints_the_summary_table(export):
    out, err = run_command(str(export))

    lines = out.splitlines()
    assert lines[0].split() == ["Entity", "created", "updated", "unchanged", "rejected", "ended", "removed"]
    assert lines[1].split() == ["Companies", "2", "0", "0", "0", "0", "0"]
    assert lines[5].split() == ["Contracts", "5", "0", "0", "0", "0", "0"]
    assert lines[6].split() == ["Contract", "parties", "6", "0", "0", "0", "0", "0"]
    assert lines[-1] == "The import was saved."
    assert err == ""
    assert Contract.objects.count() == 5
    assert ImportRun.objects.get().source == ImportRun.Source.COMMAND


def test_second_run_reports_unchanged(export):
    run_command(str(export))
    out, _err = run_command(str(export))
    assert out.splitlines()[5].split() == ["Contracts", "0", "0", "5", "0", "0", "0"]


def test_rejected_rows_fail_the_command_and_save_nothing(export):
    replace_in(export, "units.csv", "M01,E002,WE01", "M01,E002,WE77")

    with pytest.raises(CommandError, match="Nothing was saved: 4 errors were found"):
        run_command(str(export))

    assert Company.objects.count() == 0
    assert ImportRun.objects.get().committed is False


def test_errors_are_printed_with_file_and_line(export):
    replace_in(export, "units.csv", "M01,E002,WE01", "M01,E002,WE77")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("tenantportal_import", str(export), stdout=out, stderr=err)
    assert "Rejected rows:" in err.getvalue()
    assert "units.csv, line 3: property: no property with ERP id “WE77” in company “M01”" in err.getvalue()
    assert "Units" in out.getvalue()


def test_partial_saves_the_good_rows_and_succeeds(export):
    replace_in(export, "units.csv", "M01,E002,WE01", "M01,E002,WE77")
    out, err = run_command(str(export), "--partial")
    assert out.splitlines()[-1] == "The valid rows were saved; 4 errors were found."
    assert "units.csv, line 3" in err
    assert Company.objects.count() == 2 and Contract.objects.count() == 4


def test_dry_run_saves_nothing(export):
    out, _err = run_command(str(export), "--dry-run")
    assert out.splitlines()[-1] == "Dry run: nothing was saved. No errors were found."
    assert Company.objects.count() == 0
    assert ImportRun.objects.get().dry_run


def test_dry_run_with_errors_fails(export):
    replace_in(export, "rent_components.csv", '"412,50"', "zwölf")
    with pytest.raises(CommandError, match="Dry run: nothing was saved. 1 error was found."):
        run_command(str(export), "--dry-run")


def test_single_files_and_explicit_kind(tmp_path):
    (tmp_path / "firmen.txt").write_text("erp_id;name\nM01;WG Nord\n", encoding="utf-8")
    out, _err = run_command(f"companies={tmp_path / 'firmen.txt'}")
    assert Company.objects.filter(erp_id="M01").exists()
    assert out.splitlines()[1].split()[:2] == ["Companies", "1"]


def test_json_output(export):
    out, _err = run_command(str(export / "companies.csv"), "--json")
    data = json.loads(out)
    assert data["committed"] is True
    assert data["counts"]["companies"]["created"] == 2


def test_unknown_file_name_is_an_error(tmp_path):
    path = tmp_path / "vertraege.csv"
    path.write_text("x")
    with pytest.raises(CommandError, match="Cannot tell what “vertraege.csv” contains"):
        run_command(str(path))


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run_command(str(tmp_path / "contracts.csv"))


def test_directory_without_import_files(tmp_path):
    (tmp_path / "readme.csv").write_text("x")
    err = StringIO()
    with pytest.raises(CommandError, match="No import files found"):
        call_command("tenantportal_import", str(tmp_path), stderr=err)
    assert "Skipped" in err.getvalue()
