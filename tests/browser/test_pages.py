"""axe-core on the portal's other page states: the editors' page types (as made by
``tenantportal_setup_pages``) for visitors and for a logged-in tenant, and the portal pages the
journey does not pass (password, email, consents, further contract, mail settings, ...)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps

from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.page_setup import setup_portal_pages

from . import journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "jonas.becker@example.org"

#: Forms anybody may open: (path, state name). Two landlords use the portal (``tenant`` and
#: ``verify_later_company``), so the registration starts with the choice of the landlord.
ANONYMOUS_PAGES = [
    ("/portal/password/reset/", "password reset: form"),
    ("/portal/verify/resend/", "email verification: send again"),
    ("/portal/register/request-code/", "registration: request a code"),
    ("/portal/register/", "registration: choose the landlord"),
    ("/portal/register/?company=auenblick", "registration: without a letter (checked later)"),
]

#: Pages of a logged-in tenant: (path, state name, app that brings it or None).
TENANT_PAGES = [
    ("/portal/account/email/", "account: change email", None),
    ("/portal/password/change/", "account: change password", None),
    ("/portal/account/consents/", "account: consents", None),
    ("/portal/account/add-contract/", "account: add a contract", None),
    ("/portal/logout/everywhere/", "logout: all devices", None),
    ("/portal/2fa/", "two-factor: optional", None),
    ("/portal/account/data/", "account: my data (export)", None),
    ("/portal/account/delete/", "account: delete the account", None),
    ("/portal/requests/new/general_contact/", "requests: general request form", "tickets"),
    ("/portal/requests/notifications/", "requests: mail settings", "tickets"),
    ("/portal/requests/", "requests: list with an unread reply", "tickets"),
    ("/portal/requests/messages/", "messages: inbox with an unread reply", "tickets"),
    ("/portal/requests/messages/new/", "messages: write to my contact person", "tickets"),
    ("/portal/documents/requests/", "documents: request a document", "documents"),
    ("/portal/documents/", "documents: none yet", "documents"),
    ("/portal/documents/certificates/", "documents: certificates", "documents"),
    (
        "/portal/overview/",
        "overview: with requests, documents, notices, contact, consumption, savings",
        "dashboard",
    ),
    ("/portal/notices/", "notices: list", "notices"),
    ("/portal/contracts/", "contracts: list", "tenancy"),
    ("/portal/consumption/", "consumption: latest month", "consumption"),
    ("/portal/savings/", "savings: accounts", "savings"),
    ("/portal/savings/exemption-orders/", "savings: exemption orders", "savings"),
]


def installed(app):
    return app is None or apps.is_installed(f"wagtail_tenantportal.{app}")


@pytest.fixture
def tenant():
    """A verified tenant (company without a two-factor requirement) with a known password,
    and data for every page: a notice, a meter with a year of values, a savings account."""
    from tests.accounts.flow_helpers import verified_tenant

    company = CompanyFactory(
        name="Bauverein Elsteraue", slug="elsteraue", has_savings_scheme=True, emergency_phone="0341 999 222"
    )
    contract = ContractFactory(
        unit=UnitFactory(property=PropertyFactory(company=company)), start_date=datetime.date(2020, 1, 1)
    )
    user = verified_tenant(contract, email=EMAIL, password=journey.PASSWORD)
    add_tenant_data(contract, user)
    return user


@pytest.fixture
def verify_later_company():
    """A second landlord whose tenants register first and get the activation code later."""
    from wagtail_tenantportal.tenancy.models import Company

    return CompanyFactory(
        name="Wohnungsgenossenschaft Auenblick",
        slug="auenblick",
        registration_flow=Company.RegistrationFlow.VERIFY_LATER,
    )


def add_tenant_data(contract, user=None):
    """What the overview, requests, notices, consumption and savings pages show (apps that are
    installed): the rent in parts with long German names, a request with an unread staff
    reply, a notice, a year of consumption, a savings account."""
    from wagtail_tenantportal.tenancy.models import RentComponent

    party = contract.parties.first()
    for order, (kind, label, amount) in enumerate(
        [
            (RentComponent.Kind.BASE_RENT, "Grundmiete", "512.40"),
            (RentComponent.Kind.OPERATING_COSTS, "Betriebskostenvorauszahlung", "148.00"),
            (RentComponent.Kind.HEATING_COSTS, "Heizkostenvorauszahlung", "96.50"),
            (RentComponent.Kind.SURCHARGE, "Zuschlag Balkon und Einbauküche", "25.00"),
        ]
    ):
        RentComponent.objects.create(
            contract=contract,
            kind=kind,
            label=label,
            amount=Decimal(amount),
            valid_from=datetime.date(2020, 1, 1),
            sort_order=order,
        )
    if installed("tickets") and user is not None:
        from tests.browser.test_journey import dripping_tap
        from tests.factories import UserFactory
        from wagtail_tenantportal.tickets import services as ticket_services
        from wagtail_tenantportal.tickets.models import TicketMessage, TicketType

        ticket = ticket_services.submit_ticket(
            contract=contract,
            ticket_type=TicketType.objects.get(code="general_contact"),
            user=user,
            subject="Frage zur Nebenkostenabrechnung",
            description="Bitte erklären Sie mir die Position Hauswart.",
        )
        staff = UserFactory(is_staff=True, username="sachbearbeiterin", email="team@example.org")
        dripping_tap()
        ticket_services.post_message(
            ticket, user=staff, body="Gern, die Aufstellung liegt bei.", role=TicketMessage.Role.STAFF
        )
    if installed("documents"):
        from wagtail_tenantportal.documents import doc_requests

        doc_requests.standard_catalogue(contract.company)  # the documents a tenant may request
    if installed("notices"):
        from tests.factories import NoticeFactory

        NoticeFactory(company=contract.company, title="Wasser abgestellt am Montag", important=True)
    if installed("consumption"):
        from tests.consumption.conftest import MeterFactory, add_values

        meter = MeterFactory(unit=contract.unit)
        today = datetime.date.today()
        first = datetime.date(today.year - 1, today.month, 1)
        add_values(meter, first, [310, 280, 220, 150, 90, 60, 40, 45, 80, 160, 240, 300])
    if installed("savings"):
        from tests.factories import SavingsAccountFactory, SavingsTransactionFactory

        account = SavingsAccountFactory(company=contract.company)
        account.holders.add(party)
        SavingsTransactionFactory(
            account=account, amount=Decimal("2500.00"), balance_after=Decimal("2500.00")
        )


def detail_pages():
    """(path, state) of the detail pages of the tenant's contract, notice and savings account."""
    from django.urls import reverse

    from wagtail_tenantportal.tenancy.models import Contract

    pages = [
        (
            reverse("wagtail_tenantportal:contract_detail", args=[Contract.objects.get().pk]),
            "contracts: detail with rent and contact persons",
        ),
        (
            reverse("wagtail_tenantportal:contract_bank_details", args=[Contract.objects.get().pk]),
            "contracts: bank details form",
        ),
    ]
    if installed("tickets"):
        from wagtail_tenantportal.tickets.models import Ticket

        ticket = Ticket.objects.get()
        pages.append((ticket.get_absolute_url(), "requests: detail with a staff reply"))
    if installed("notices"):
        from wagtail_tenantportal.notices.models import Notice

        pages.append(
            (reverse("wagtail_tenantportal:notice_detail", args=[Notice.objects.get().pk]), "notices: detail")
        )
    if installed("savings"):
        from wagtail_tenantportal.savings.models import SavingsAccount

        account = SavingsAccount.objects.get()
        pages.append(
            (reverse("wagtail_tenantportal:savings_account", args=[account.pk]), "savings: account bookings")
        )
    return pages


def all_blocks_page(parent):
    """A host page with every portal block (``portal_blocks()``) as editors would place them."""
    from tests.testapp.models import AllBlocksPage
    from wagtail_tenantportal.blocks import portal_blocks

    body = [("text", "<p>Willkommen im Mieterportal.</p>")] + [(name, {}) for name, _b in portal_blocks()]
    page = AllBlocksPage(title="Alle Bausteine", slug="alle-bausteine", body=body)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def log_in(page):
    journey.go(page, "/portal/login/")
    journey.fill(page, "email", EMAIL)
    journey.fill(page, "password", journey.PASSWORD)
    journey.submit(page, journey.form_with(page, "password"))
    # the overview: the site's dashboard page once the page types exist, else the portal's own
    journey.expect_path(page, re.compile(r"(/portal)?/overview/"))


def test_page_types_and_other_portal_pages(page, a11y_checker, tenant, verify_later_company):
    portal_pages = [result.page for result in setup_portal_pages()]
    assert portal_pages
    blocks_page = all_blocks_page(portal_pages[0].get_parent())
    journey.go(page, blocks_page.url)
    a11y_checker.check(page, "host page with every portal block: visitor")

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
    for path, state in detail_pages():
        journey.go(page, path)
        journey.expect_path(page, path)
        a11y_checker.check(page, state)
    journey.go(page, blocks_page.url)
    a11y_checker.check(page, "host page with every portal block: tenant")

    if installed("tickets"):
        damage_report_with_two_contracts(page, a11y_checker, tenant)
    a11y_checker.assert_no_violations()


def damage_report_with_two_contracts(page, a11y_checker, user):
    """A tenant with two flats chooses the contract: nothing is preselected, and sending
    without a choice asks for it."""
    from tests.conftest import verified_portal_user
    from wagtail_tenantportal.tenancy.models import Contract

    flat = Contract.objects.get()
    verified_portal_user(ContractFactory(unit=UnitFactory(property=flat.unit.property)), user=user)
    path = "/portal/requests/new/damage_report/"
    journey.go(page, path)
    contract = page.locator("select[name='contract']")
    assert contract.input_value() == ""
    assert contract.locator("option").first.get_attribute("value") == ""
    a11y_checker.check(page, "damage report: two contracts")
    journey.submit(page, journey.form_with(page, "damage_kind"))
    journey.expect_path(page, path)
    assert page.locator("[name='contract'][aria-invalid='true']").count() == 1
    a11y_checker.check(page, "damage report: two contracts, errors")
