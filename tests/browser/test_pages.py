"""axe-core on the portal's other page states: the editors' page types (as made by
``tenantportal_setup_pages``) for visitors and for a logged-in tenant, and the portal pages the
journey does not pass (password, email, consents, further contract, mail settings, ...)."""

import pytest
from django.apps import apps

from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.page_setup import setup_portal_pages

from . import journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "jonas.becker@example.org"

#: Forms anybody may open: (path, state name).
ANONYMOUS_PAGES = [
    ("/portal/password/reset/", "password reset: form"),
    ("/portal/verify/resend/", "email verification: send again"),
    ("/portal/register/request-code/", "registration: request a code"),
]

#: Pages of a logged-in tenant: (path, state name, app that brings it or None).
TENANT_PAGES = [
    ("/portal/account/email/", "account: change email", None),
    ("/portal/password/change/", "account: change password", None),
    ("/portal/account/consents/", "account: consents", None),
    ("/portal/account/add-contract/", "account: add a contract", None),
    ("/portal/logout/everywhere/", "logout: all devices", None),
    ("/portal/2fa/", "two-factor: optional", None),
    ("/portal/requests/new/general_contact/", "requests: general request form", "tickets"),
    ("/portal/requests/notifications/", "requests: mail settings", "tickets"),
    ("/portal/documents/", "documents: none yet", "documents"),
    ("/portal/documents/certificates/", "documents: certificates", "documents"),
]


def installed(app):
    return app is None or apps.is_installed(f"wagtail_tenantportal.{app}")


@pytest.fixture
def tenant():
    """A verified tenant (company without a two-factor requirement) with a known password."""
    from tests.accounts.flow_helpers import verified_tenant

    company = CompanyFactory(name="Bauverein Elsteraue", slug="elsteraue")
    contract = ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company)))
    return verified_tenant(contract, email=EMAIL, password=journey.PASSWORD)


def log_in(page):
    journey.go(page, "/portal/login/")
    journey.fill(page, "email", EMAIL)
    journey.fill(page, "password", journey.PASSWORD)
    journey.submit(page, journey.form_with(page, "password"))
    journey.expect_path(page, "/portal/overview/")


def test_page_types_and_other_portal_pages(page, a11y_checker, tenant):
    portal_pages = [result.page for result in setup_portal_pages()]
    assert portal_pages

    for portal_page in portal_pages:
        journey.go(page, portal_page.url)
        a11y_checker.check(page, f"page {portal_page.slug}: visitor")
    for path, state in ANONYMOUS_PAGES:
        journey.go(page, path)
        a11y_checker.check(page, state)

    log_in(page)
    for portal_page in portal_pages:
        journey.go(page, portal_page.url)
        if journey.path_of(page) == portal_page.url:  # login and registration lead on to the account
            a11y_checker.check(page, f"page {portal_page.slug}: tenant")
    for path, state, app in TENANT_PAGES:
        if installed(app):
            journey.go(page, path)
            journey.expect_path(page, path)
            a11y_checker.check(page, state)

    a11y_checker.assert_no_violations()
