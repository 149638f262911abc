"""The tenant's journey through the portal in a real browser, with axe-core on every page state."""

import pytest

from tests.factories import CompanyFactory, ContractFactory, PartyFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.accounts import services as account_services
from wagtail_tenantportal.tenancy.models import Company, ContractParty

from . import journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "erika.mueller@example.org"


@pytest.fixture
def letter():
    """A tenant's registration letter: (contract, plain code, last name) of a company that
    requires two-factor authentication."""
    company = CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        two_factor_policy=Company.TwoFactorPolicy.REQUIRED,
    )
    unit = UnitFactory(property=PropertyFactory(company=company, street="Lindenstraße 7"))
    contract = ContractFactory(unit=unit)
    party = PartyFactory(company=company, first_name="Erika", last_name="Müller")
    ContractParty.objects.create(contract=contract, party=party)
    code = account_services.issue_code(party, contract).code
    return contract, code, "Müller"


def test_tenant_journey(page, a11y_checker, letter):
    contract, code, last_name = letter

    journey.register_with_code(
        page, a11y_checker, contract=contract, code=code, last_name=last_name, email=EMAIL
    )
    journey.verify_email(page, a11y_checker, email=EMAIL)
    totp = journey.enrol_totp(page, a11y_checker)
    journey.check_contact_data(page, a11y_checker)
    journey.see_account(page, a11y_checker, contract=contract, email=EMAIL)
    journey.log_out(page, a11y_checker)

    journey.log_in_with_totp(page, a11y_checker, email=EMAIL, totp=totp)
    journey.see_account(page, a11y_checker, contract=contract, email=EMAIL, state="account: after login")
    journey.log_out(page, a11y_checker, check_pages=False)

    a11y_checker.assert_no_violations()
