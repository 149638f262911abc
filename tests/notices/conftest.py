"""Fixtures of the notice-board tests, named after what they give."""

import pytest

from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory, UserFactory


@pytest.fixture
def company(db):
    return CompanyFactory(name="WG Lindenhof")


@pytest.fixture
def building(company):
    return PropertyFactory(company=company, street="Lindenstraße 5")


@pytest.fixture
def other_building(company):
    return PropertyFactory(company=company, street="Ahornweg 2")


def contract_in(building, **kwargs):
    return ContractFactory(unit=UnitFactory(property=building), **kwargs)


@pytest.fixture
def contract(building):
    return contract_in(building)


@pytest.fixture
def tenant(contract):
    return verified_portal_user(contract)


@pytest.fixture
def tenant_client(client, tenant):
    client.force_login(tenant)
    return client


@pytest.fixture
def stranger(db):
    """A tenant of another company."""
    return verified_portal_user(ContractFactory())


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True, username="redaktion", email="redaktion@example.org")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
