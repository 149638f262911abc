"""Fixtures and builders of the consumption tests (kept here, next to the tests that use them)."""

import datetime
from decimal import Decimal

import factory
import pytest

from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.consumption.models import (
    Benchmark,
    Kind,
    MeasuringUnit,
    Meter,
    MonthlyConsumption,
    add_months,
    last_of_month,
)


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    unit = factory.SubFactory(UnitFactory)
    company = factory.SelfAttribute("unit.company")
    erp_id = factory.Sequence(lambda n: f"Z{n:05d}")
    kind = Kind.HEATING
    measuring_unit = MeasuringUnit.KWH
    serial_number = factory.Sequence(lambda n: f"SN{n:06d}")
    location = "Wohnzimmer"


class BenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benchmark

    company = factory.SubFactory(CompanyFactory)
    kind = Kind.HEATING
    month = datetime.date(2026, 10, 1)
    value = Decimal("2.0")
    basis = Benchmark.Basis.PER_M2


def add_values(meter, first_month, values, estimated=()):
    """Monthly values for ``meter`` from ``first_month`` on (bulk, like the import)."""
    rows = []
    for index, value in enumerate(values):
        month = add_months(first_month, index)
        if value is None:
            continue
        rows.append(
            MonthlyConsumption(
                meter=meter,
                month=month,
                month_end=last_of_month(month),
                value=Decimal(str(value)),
                estimated=month in estimated,
            )
        )
    MonthlyConsumption.objects.bulk_create(rows)
    return rows


@pytest.fixture
def unit(db):
    return UnitFactory(property=PropertyFactory(), living_area=Decimal("60.00"))


@pytest.fixture
def tenant(unit):
    """A verified tenant whose rental contract of ``unit`` started on 1 January 2025."""
    contract = ContractFactory(unit=unit, start_date=datetime.date(2025, 1, 1))
    user = verified_portal_user(contract)
    user.contract = contract
    return user


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do
