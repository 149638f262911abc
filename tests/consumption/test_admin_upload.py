"""The admin upload of consumption CSV files ("Import consumption data"), through the generic upload page."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.consumption.test_import import BENCHMARKS, METERS, VALUES
from tests.factories import CompanyFactory, PropertyFactory, UnitFactory, UserFactory
from wagtail_tenantportal.consumption.models import Benchmark, Meter, MonthlyConsumption

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/tenantportal/consumption-import/"


@pytest.fixture
def unit(db):
    company = CompanyFactory(erp_id="WG1")
    return UnitFactory(property=PropertyFactory(company=company, erp_id="WE1"), erp_id="E1")


def csv_file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client, files, **options):
    data = {"files": [csv_file(name, text) for name, text in files]}
    data.update({name: "on" for name, value in options.items() if value})
    return client.post(UPLOAD_URL, data)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def row(response, entity):
    return next(r for r in response.context["summary_rows"] if r["entity"] == entity)


ALL = [("meters.csv", METERS), ("consumption.csv", VALUES), ("benchmarks.csv", BENCHMARKS)]


def test_url_and_menu_entry(staff_client):
    assert reverse("tenantportal_consumption_import:index") == UPLOAD_URL
    html = staff_client.get(UPLOAD_URL).content.decode()
    assert "meters.csv" in html and "tenantportal_import_consumption" in html
    assert UPLOAD_URL in staff_client.get("/admin/").content.decode()


def test_valid_files_are_saved(staff_client, unit):
    response = upload(staff_client, ALL)
    assert response.context["result"].committed
    assert Meter.objects.count() == 2 and MonthlyConsumption.objects.count() == 3
    assert Benchmark.objects.count() == 2
    assert row(response, "Meters")["created"] == 2 and row(response, "Monthly values")["created"] == 3
    assert [r["entity"] for r in response.context["summary_rows"]] == [
        "Meters",
        "Monthly values",
        "Comparison values",
    ]


def test_dry_run_saves_nothing(staff_client, unit):
    response = upload(staff_client, ALL, dry_run=True)
    assert row(response, "Meters")["created"] == 2
    assert not Meter.objects.exists() and not MonthlyConsumption.objects.exists()
    assert "Dry run: nothing was saved. No errors were found." in response.content.decode()


def test_errors_are_listed(staff_client, unit):
    bad = "company;meter;month;value\nWG1;Z1;10.2026;1\nWG1;ZX;10.2026;1\n"
    response = upload(staff_client, [("meters.csv", METERS), ("consumption.csv", bad)])
    assert not Meter.objects.exists()
    [error] = response.context["error_rows"]
    assert error["file"] == "consumption.csv" and error["line"] == 3 and "ZX" in error["message"]
    assert "data-import-errors" in response.content.decode()

    partial = upload(staff_client, [("meters.csv", METERS), ("consumption.csv", bad)], partial=True)
    assert partial.context["result"].committed and MonthlyConsumption.objects.count() == 1


def test_staff_without_permission_is_refused(client, unit):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(UPLOAD_URL).status_code in (302, 403)
    assert upload(client, ALL).status_code in (302, 403)
    assert not Meter.objects.exists()
    assert UPLOAD_URL not in client.get("/admin/").content.decode()
    editor.user_permissions.add(Permission.objects.get(codename="add_meter"))
    client.force_login(editor)
    assert client.get(UPLOAD_URL).status_code == 200
