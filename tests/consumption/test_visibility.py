"""Who sees which meters and months: only the tenant's own months, never a neighbour's or a
previous tenant's consumption."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import verified_portal_user
from tests.consumption.conftest import MeterFactory, add_values
from tests.factories import ContractFactory, UnitFactory
from wagtail_tenantportal.consumption.models import Meter, MonthlyConsumption
from wagtail_tenantportal.tenancy.models import Contract

pytestmark = pytest.mark.django_db

D = datetime.date


def visible_months(user, meter=None):
    qs = MonthlyConsumption.objects.visible_to(user)
    if meter is not None:
        qs = qs.filter(meter=meter)
    return sorted(qs.values_list("month", flat=True))


@pytest.fixture
def meter(unit):
    meter = MeterFactory(unit=unit)
    add_values(meter, D(2024, 1, 1), range(1, 37))  # January 2024 .. December 2026
    return meter


@pytest.fixture
def previous_and_new_tenant(unit):
    """The previous tenant moved out on 14 March 2025, the new one moved in on 15 March 2025."""
    old = ContractFactory(
        unit=unit, start_date=D(2023, 6, 1), end_date=D(2025, 3, 14), status=Contract.Status.ENDED
    )
    new = ContractFactory(unit=unit, start_date=D(2025, 3, 15))
    return verified_portal_user(old), verified_portal_user(new)


def test_a_tenant_sees_the_meters_of_their_units_only(tenant, meter):
    other = MeterFactory(unit=UnitFactory())
    assert list(Meter.objects.visible_to(tenant)) == [meter]
    assert other not in Meter.objects.visible_to(tenant)


def test_a_tenant_sees_only_months_of_their_own_contract(tenant, meter):
    months = visible_months(tenant)
    assert months[0] == D(2025, 1, 1)  # contract started 1 January 2025
    assert months[-1] == D(2026, 12, 1)
    assert D(2024, 12, 1) not in months


def test_the_previous_tenants_months_are_not_visible_to_the_new_tenant(previous_and_new_tenant, meter):
    old, new = previous_and_new_tenant
    new_months = visible_months(new)
    # March 2025 is shared by both tenancies: neither of them sees it.
    assert new_months[0] == D(2025, 4, 1)
    assert D(2025, 3, 1) not in new_months and D(2025, 2, 1) not in new_months
    old_months = visible_months(old)
    assert old_months[0] == D(2024, 1, 1)  # the first value there is
    assert old_months[-1] == D(2025, 2, 1)
    assert not set(old_months) & set(new_months)


def test_an_ended_contract_without_end_date_shows_nothing_after_it(unit, meter):
    contract = ContractFactory(unit=unit, start_date=D(2024, 1, 1), status=Contract.Status.ENDED)
    assert visible_months(verified_portal_user(contract)) == []


def test_a_contract_without_start_date_shows_nothing(unit, meter):
    contract = ContractFactory(unit=unit, start_date=None)
    user = verified_portal_user(contract)
    assert list(Meter.objects.visible_to(user)) == [meter]
    assert visible_months(user) == []


def test_a_contract_ending_on_the_last_day_of_a_month_includes_that_month(unit, meter):
    contract = ContractFactory(unit=unit, start_date=D(2024, 2, 1), end_date=D(2024, 4, 30))
    assert visible_months(verified_portal_user(contract)) == [D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1)]


def test_neighbours_and_anonymous_users_see_nothing(tenant, meter):
    neighbour_contract = ContractFactory(unit=UnitFactory(property=meter.unit.property))
    neighbour = verified_portal_user(neighbour_contract)
    assert visible_months(neighbour) == []
    assert not Meter.objects.visible_to(neighbour).exists()
    assert visible_months(AnonymousUser()) == []
    assert not Meter.objects.visible_to(AnonymousUser()).exists()


def test_visible_to_is_one_query(tenant, meter):
    with CaptureQueriesContext(connection) as queries:
        list(MonthlyConsumption.objects.visible_to(tenant))
        list(Meter.objects.visible_to(tenant))
    assert len(queries) == 2


def test_saving_normalises_the_month_and_sets_its_last_day(meter):
    value = MonthlyConsumption.objects.create(meter=meter, month=D(2027, 2, 14), value=5)
    assert (value.month, value.month_end) == (D(2027, 2, 1), D(2027, 2, 28))
