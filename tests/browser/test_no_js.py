"""Without JavaScript: a browser with JavaScript switched off walks through the flows that
matter to a tenant (login with the security code, damage report with a photo, a reply,
a document download, the month of the consumption page, the year of the savings bookings,
a notice, logout). Every flow is a plain link or form, so each must complete."""

import base64
import datetime
import re
from decimal import Decimal

import pyotp
import pytest
from django.apps import apps

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    NoticeFactory,
    PropertyFactory,
    SavingsAccountFactory,
    SavingsTransactionFactory,
    UnitFactory,
)

from . import a11y, journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "paul.schreiber@example.org"
APPS = ["tickets", "documents", "consumption", "savings", "notices", "dashboard"]


@pytest.fixture
def no_js_page(browser, live_server):
    """A browser tab with JavaScript switched off (the page's scripts never run)."""
    context = browser.new_context(
        viewport=a11y.DESKTOP,
        locale="de-DE",
        base_url=live_server.url,
        accept_downloads=True,
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def tenant_with_data():
    """A verified tenant with an authenticator app, and what the pages show: a notice, a year of
    meter readings, a savings account with bookings in two years, a kind of damage, a document.
    Returns ``(contract, totp, document_title, document_bytes)``."""
    from tests.accounts.flow_helpers import verified_tenant
    from tests.accounts.twofactor_helpers import confirmed_totp
    from tests.browser.test_journey import dripping_tap, publish_document
    from tests.consumption.conftest import MeterFactory, add_values

    company = CompanyFactory(name="Genossenschaft Muldenblick", slug="muldenblick", has_savings_scheme=True)
    contract = ContractFactory(
        unit=UnitFactory(property=PropertyFactory(company=company)), start_date=datetime.date(2019, 1, 1)
    )
    user = verified_tenant(contract, email=EMAIL, password=journey.PASSWORD)
    device = confirmed_totp(user)
    totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode(), digits=device.digits, interval=device.step)

    NoticeFactory(company=company, title="Treppenhausreinigung ab Mai", body="<p>Neue Firma.</p>")
    today = datetime.date.today()
    add_values(
        MeterFactory(unit=contract.unit),
        datetime.date(today.year - 1, today.month, 1),
        [310, 280, 220, 150, 90, 60, 40, 45, 80, 160, 240, 300],
    )
    account = SavingsAccountFactory(company=company)
    account.holders.add(contract.parties.first())
    SavingsTransactionFactory(
        account=account,
        booking_date=datetime.date(2024, 6, 3),
        amount=Decimal("1000.00"),
        balance_after=Decimal("1000.00"),
        text="Einzahlung Juni",
    )
    SavingsTransactionFactory(
        account=account,
        booking_date=datetime.date(2025, 2, 10),
        amount=Decimal("500.00"),
        balance_after=Decimal("1500.00"),
        text="Einzahlung Februar",
    )
    dripping_tap()
    title, content = publish_document(contract)
    return contract, totp, title, content


def main_text(page):
    return page.locator("main").inner_text()


@pytest.mark.skipif(
    not all(apps.is_installed(f"wagtail_tenantportal.{app}") for app in APPS),
    reason="needs the tickets, documents, consumption, savings, notices and dashboard apps",
)
def test_every_flow_works_without_javascript(no_js_page, tenant_with_data, tmp_path):
    from PIL import Image

    from wagtail_tenantportal.savings.models import SavingsAccount
    from wagtail_tenantportal.tickets.models import Ticket

    page = no_js_page
    _contract, totp, document_title, document_content = tenant_with_data

    # JavaScript is really off: a script that would set the title does not run.
    page.goto("data:text/html,<title>aus</title><script>document.title = 'an'</script>")
    assert page.title() == "aus"

    # Login: password, then the code of the authenticator app.
    journey.go(page, "/portal/login/")
    journey.fill(page, "email", EMAIL)
    journey.fill(page, "password", journey.PASSWORD)
    journey.submit(page, journey.form_with(page, "password"))
    journey.expect_path(page, "/portal/2fa/verify/")
    journey.fill(page, "code", journey.next_totp_code(totp))
    journey.submit(page, journey.form_with(page, "code"))
    journey.expect_path(page, "/portal/overview/")

    # Damage report with a photo (a file input needs no script).
    photo = tmp_path / "fenster.jpg"
    Image.new("RGB", (800, 600), (90, 110, 130)).save(photo, "JPEG")
    journey.go(page, "/portal/requests/new/damage_report/")
    form = journey.form_with(page, "damage_kind")
    form.locator("[name='damage_kind']").select_option(label="Wasserhahn tropft")
    journey.fill(page, "description", "Der Wasserhahn im Bad tropft.")
    journey.fill(page, "contact_phone", "0341 555123")
    form.locator("input[name='access_permission']").first.check()
    form.locator("input[name='attachments']").set_input_files(str(photo))
    journey.submit(page, form)
    journey.expect_path(page, journey.REQUEST_DETAIL)
    assert page.locator(".tp-messages[role='status']").is_visible()
    assert page.locator("img.tp-thumbnail").count() == 1
    ticket = Ticket.objects.get()
    assert ticket.attachments.count() == 1

    # A reply to the request, shown in the thread.
    journey.fill(page, "body", "Am Dienstag bin ich ab 14 Uhr zu Hause.")
    journey.submit(page, journey.form_with(page, "body"))
    journey.expect_path(page, f"/portal/requests/{ticket.reference}/")
    assert "Am Dienstag bin ich ab 14 Uhr zu Hause." in page.locator(".tp-thread").inner_text()

    # A document downloads through its link.
    journey.go(page, "/portal/documents/")
    with page.expect_download() as download_info:
        page.locator("a", has_text=document_title).click()
    with open(download_info.value.path(), "rb") as downloaded:
        assert downloaded.read() == document_content

    # Consumption: another month chosen in the GET form.
    journey.go(page, "/portal/consumption/")
    select = page.locator("select[name='month']")
    current = select.input_value()
    values = [option.get_attribute("value") for option in select.locator("option").all()]
    other = next(value for value in values if value != current)
    select.select_option(other)
    journey.submit(page, "form.tp-consumption-filter")
    assert f"month={other}" in page.url
    assert page.locator("select[name='month']").input_value() == other

    # Savings: the bookings of one year.
    account = SavingsAccount.objects.get()
    journey.go(page, f"/portal/savings/{account.pk}/")
    assert "Einzahlung Juni" in main_text(page) and "Einzahlung Februar" in main_text(page)
    page.locator("select[name='year']").select_option("2024")
    journey.submit(page, "form.tp-savings-filter")
    assert "year=2024" in page.url
    table = page.locator("table.tp-savings-table").inner_text()
    assert "Einzahlung Juni" in table and "Einzahlung Februar" not in table
    assert "2024" in page.locator("table.tp-savings-table caption").inner_text()

    # A notice: from the list to its page.
    journey.go(page, "/portal/notices/")
    with page.expect_navigation():
        page.locator("main a", has_text="Treppenhausreinigung ab Mai").click()
    journey.expect_path(page, re.compile(r"/portal/notices/\d+/"))
    assert "Neue Firma." in main_text(page)

    journey.log_out(page, None, check_pages=False)
