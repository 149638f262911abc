"""Staff admin: meters (with monthly values on the inspect page) and comparison values."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.consumption.conftest import BenchmarkFactory, MeterFactory, add_values
from tests.factories import UnitFactory, UserFactory
from wagtail_tenantportal.consumption.models import Kind, Meter

pytestmark = pytest.mark.django_db

METERS = "/admin/tenantportal/meters/"
BENCHMARKS = "/admin/tenantportal/comparison-values/"


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_meter_listing_search_filter_and_constant_queries(staff, unit):
    meter = MeterFactory(unit=unit, location="Wohnzimmer", serial_number="HKV-4711")
    staff.get(METERS)
    with CaptureQueriesContext(connection) as few:
        response = staff.get(METERS)
    assert response.status_code == 200 and "HKV-4711" in response.content.decode()
    for _ in range(20):
        MeterFactory(unit=UnitFactory(), kind=Kind.HOT_WATER)
    with CaptureQueriesContext(connection) as many:
        response = staff.get(METERS)
    assert len(many) == len(few)
    content = staff.get(METERS, {"q": "4711"}).content.decode()
    assert "HKV-4711" in content
    content = staff.get(METERS, {"kind": "hot_water"}).content.decode()
    assert "HKV-4711" not in content
    content = staff.get(METERS, {"company": meter.company_id}).content.decode()
    assert "HKV-4711" in content
    content = staff.get(METERS, {"unit__property": unit.property_id}).content.decode()
    assert "HKV-4711" in content


def test_meter_inspect_shows_the_monthly_values(staff, unit):
    meter = MeterFactory(unit=unit)
    add_values(
        meter, datetime.date(2026, 9, 1), [Decimal("123.456"), 7], estimated=[datetime.date(2026, 10, 1)]
    )
    content = staff.get(f"{METERS}inspect/{meter.pk}/").content.decode()
    assert "Monthly values" in content and "10/2026" in content and "123.456" in content


def test_meter_can_be_added(staff, unit):
    response = staff.post(
        f"{METERS}new/",
        {
            "company": unit.company_id,
            "unit": unit.pk,
            "kind": "heating",
            "erp_id": "Z-NEU",
            "measuring_unit": "kwh",
            "conversion_factor": "",
            "serial_number": "",
            "location": "Küche",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Meter.objects.get(erp_id="Z-NEU").location == "Küche"


def test_benchmark_listing_and_inspect(staff, unit):
    benchmark = BenchmarkFactory(company=unit.company, property=unit.property)
    assert staff.get(BENCHMARKS).status_code == 200
    assert staff.get(BENCHMARKS, {"kind": "heating"}).status_code == 200
    assert staff.get(f"{BENCHMARKS}inspect/{benchmark.pk}/").status_code == 200
    assert staff.get(f"{BENCHMARKS}edit/{benchmark.pk}/").status_code == 200


def test_staff_without_permission_are_refused(client, unit):
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name="Redaktion")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)
    assert client.get(METERS).status_code in (302, 403)
    group.permissions.add(Permission.objects.get(codename="view_meter"))
    assert client.get(METERS).status_code == 200
