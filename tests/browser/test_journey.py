"""The tenant's journey through the portal in a real browser, with axe-core on every page state."""

import io

import pytest
from django.apps import apps

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PartyFactory,
    PropertyFactory,
    UnitFactory,
    UserFactory,
)
from wagtail_tenantportal.accounts import services as account_services
from wagtail_tenantportal.tenancy.models import Company, ContractParty

from . import journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "erika.mueller@example.org"
TICKETS = "wagtail_tenantportal.tickets"
DOCUMENTS = "wagtail_tenantportal.documents"


@pytest.fixture
def letter():
    """A tenant's registration letter: (contract, plain code, last name) of a company that
    requires two-factor authentication."""
    company = CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        two_factor_policy=Company.TwoFactorPolicy.REQUIRED,
        emergency_phone="0341 999 111",
    )
    unit = UnitFactory(property=PropertyFactory(company=company, street="Lindenstraße 7"))
    contract = ContractFactory(unit=unit)
    party = PartyFactory(company=company, first_name="Erika", last_name="Müller")
    ContractParty.objects.create(contract=contract, party=party)
    code = account_services.issue_code(party, contract).code
    return contract, code, "Müller"


@pytest.fixture
def photo(tmp_path):
    """A photo of the damage, as a phone would take it."""
    from PIL import Image

    path = tmp_path / "wasserhahn.jpg"
    Image.new("RGB", (1600, 1200), (120, 140, 160)).save(path, "JPEG", quality=85)
    return path


def dripping_tap():
    """The damage taxonomy the form offers (editors set it up in the admin): a dripping tap in
    the bathroom (returned) and, urgent, a burst pipe in the bathroom and in the kitchen."""
    from wagtail_tenantportal.tickets.models import DamageCategory, DamageKind, DamageLocation

    bathroom = DamageLocation.objects.create(name="Bad", sort_order=1)
    plumbing = DamageCategory.objects.create(location=bathroom, name="Sanitär")
    tap = DamageKind.objects.create(category=plumbing, name="Wasserhahn tropft", sort_order=1)
    kitchen = DamageCategory.objects.create(
        location=DamageLocation.objects.create(name="Küche", sort_order=2), name="Sanitär"
    )
    for category in (plumbing, kitchen):
        DamageKind.objects.create(
            category=category,
            name="Rohrbruch / Wasser tritt aus",
            urgency=DamageKind.Urgency.ALWAYS,
            hint="Drehen Sie den Absperrhahn der Wohnung zu und rufen Sie sofort den Notdienst an.",
            sort_order=2,
        )
    return tap


def staff_changes_status(reference, *, comment):
    """A staff member moves the request on ("in progress", with a comment for the tenant), as
    the staff admin does; the tenant gets a mail. Returns the new status."""
    from wagtail_tenantportal.tickets import services as ticket_services
    from wagtail_tenantportal.tickets.models import Ticket, TicketStatus

    staff = UserFactory(is_staff=True, is_superuser=True, email="hausmeister@lindenhof.example")
    status = TicketStatus.objects.get(code="in_progress")
    ticket_services.change_status(
        Ticket.objects.get(reference=reference), status, user=staff, comment=comment
    )
    assert [m for m in journey.mails_to(EMAIL) if reference in m.subject + m.body], "no status mail"
    return status


def publish_document(contract):
    """Staff publish an operating cost statement (a real PDF) for the contract; returns
    ``(title, bytes)``."""
    from reportlab.pdfgen import canvas

    from wagtail_tenantportal.documents import services as document_services

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, f"Betriebskostenabrechnung 2025, Vertrag {contract.number}")
    pdf.save()
    content = buffer.getvalue()
    title = "Betriebskostenabrechnung 2025"
    document_services.publish(
        io.BytesIO(content),
        target=contract,
        category="operating_cost_statement",
        title=title,
        filename="betriebskosten-2025.pdf",
    )
    return title, content


@pytest.mark.skipif(not apps.is_installed(TICKETS), reason="the tickets app is not installed")
@pytest.mark.skipif(not apps.is_installed(DOCUMENTS), reason="the documents app is not installed")
def test_tenant_journey(page, a11y_checker, letter, photo):
    contract, code, last_name = letter
    check = a11y_checker

    # Register with the letter, confirm the address, set up the authenticator app.
    journey.register_with_code(page, check, contract=contract, code=code, last_name=last_name, email=EMAIL)
    journey.verify_email(page, check, email=EMAIL)
    totp = journey.enrol_totp(page, check)
    journey.check_contact_data(page, check)
    journey.see_account(page, check, contract=contract, email=EMAIL)
    journey.log_out(page, check)

    # Log in with password and app code.
    journey.log_in_with_totp(page, check, email=EMAIL, totp=totp)
    journey.see_account(page, check, contract=contract, email=EMAIL, state="account: after login")

    # Report damage with a photo; staff move it on; the tenant sees the new status.
    reference = journey.report_damage_with_photo(page, check, damage_kind=dripping_tap(), photo=photo)
    comment = "Der Installateur kommt am Donnerstag zwischen 8 und 12 Uhr."
    status = staff_changes_status(reference, comment=comment)
    journey.see_status_change(page, check, reference=reference, status=status, comment=comment)

    # A document for the contract: listed, downloaded, then shown as opened.
    title, content = publish_document(contract)
    journey.download_document(page, check, title=title, content=content)

    journey.log_out(page, check, check_pages=False)
    check.assert_no_violations()
