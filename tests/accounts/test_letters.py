"""Letters: one page per party with name, code and contract number; batch queries; rollback."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import codes, services
from wagtail_tenantportal.accounts.letters import (
    DEFAULT_BODY,
    LetterRenderer,
    fill_placeholders,
    salutation,
    unknown_placeholders,
)
from wagtail_tenantportal.accounts.models import (
    AccountParty,
    CompanyLetterSettings,
    PortalAccount,
    RegistrationCode,
)
from wagtail_tenantportal.tenancy.models import Contract, Party

from .conftest import make_tenant, pdf_pages

pytestmark = pytest.mark.django_db


def print_letters(parties, **kwargs):
    out = io.BytesIO()
    batch = services.issue_letters(parties, out, **kwargs)
    return batch, out.getvalue()


def test_one_page_per_party_with_name_code_and_contract_number(company, property_):
    tenants = [make_tenant(company, property=property_, last_name=f"Lindner{i}") for i in range(3)]
    parties = services.select_parties(company=company)
    batch, data = print_letters(parties, user=UserFactory())
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = pdf_pages(data)
    assert batch.count == len(pages) == 3
    codes_by_party = {record.party_id: record for record in batch.codes}
    for party, contract in tenants:
        page = next(text for text in pages if party.last_name in text)
        assert contract.number in page
        record = codes_by_party[party.pk]
        # The plain code is only in the PDF; the record holds its hash.
        printed = [token for token in page.split() if codes.is_well_formed(codes.normalise(token))]
        assert any(codes.hash_code(token) == record.code_hash for token in printed)
        assert record.letter_printed_at is not None
    assert ModelLogEntry.objects.filter(action=services.ACTION_ISSUED).count() == 3


def test_letters_name_the_party_on_the_address_field_and_the_company(company):
    party, _contract = make_tenant(company, last_name="Łukasiewicz", first_name="Zoë", street="Am Bach 3")
    _batch, data = print_letters([party])
    text = pdf_pages(data)[0]
    assert "Lukasiewicz" in text  # transliterated for the standard fonts, not a black box
    assert "Zoë" in text
    assert "Am Bach 3" in text
    assert "WG Lindenhof eG · Hauptstraße 1 · 04109 Leipzig" in text
    assert "Amtsgericht Leipzig" in text


def test_parties_without_a_current_contract_are_skipped(company):
    party, _ = make_tenant(company)
    ended_party, ended_contract = make_tenant(company)
    Contract.objects.filter(pk=ended_contract.pk).update(status=Contract.Status.ENDED)
    batch, data = print_letters([party, ended_party])
    assert batch.count == 1 and batch.skipped == [ended_party]
    assert len(pdf_pages(data)) == 1
    assert not RegistrationCode.objects.filter(party=ended_party).exists()


def test_printing_again_revokes_the_codes_of_the_first_run(company):
    party, contract = make_tenant(company)
    first, _ = print_letters([party])
    second, _ = print_letters([party])
    assert RegistrationCode.objects.get(pk=first.codes[0].pk).status == RegistrationCode.Status.REVOKED
    assert RegistrationCode.objects.get(pk=second.codes[0].pk).status == RegistrationCode.Status.ACTIVE


def test_queries_do_not_grow_with_the_number_of_letters(company, property_):
    for _ in range(3):
        make_tenant(company, property=property_)
    small = list(Party.objects.filter(company=company).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as few:
        print_letters(small, user=UserFactory())
    for _ in range(12):
        make_tenant(company, property=property_)
    large = list(Party.objects.filter(company=company).values_list("pk", flat=True))
    user = UserFactory()
    with CaptureQueriesContext(connection) as many:
        batch, _ = print_letters(large, user=user)
    assert batch.count == 15
    assert len(many) == len(few)
    assert len(many) <= 15


def test_nothing_is_issued_when_rendering_fails(company, monkeypatch):
    party, _ = make_tenant(company)

    def broken(self, letter):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(LetterRenderer, "add", broken)
    with pytest.raises(RuntimeError):
        print_letters([party])
    assert not RegistrationCode.objects.exists()
    assert not ModelLogEntry.objects.filter(action=services.ACTION_ISSUED).exists()


def test_selection_filters(company):
    other_property_party, _ = make_tenant(company)
    registered, _ = make_tenant(company)
    account = PortalAccount.objects.create(user=UserFactory())
    AccountParty.objects.create(account=account, party=registered)
    with_code, with_code_contract = make_tenant(company)
    services.issue_code(with_code, with_code_contract)
    parking_party, parking_contract = make_tenant(company)
    Contract.objects.filter(pk=parking_contract.pk).update(kind=Contract.Kind.PARKING)

    everyone = set(services.select_parties(company=company))
    assert {other_property_party, registered, with_code, parking_party} <= everyone
    assert registered not in set(services.select_parties(company=company, unregistered=True))
    assert with_code not in set(services.select_parties(company=company, skip_active_codes=True))
    assert parking_party not in set(
        services.select_parties(company=company, contract_kind=Contract.Kind.RENTAL)
    )
    prop = other_property_party.contracts.get().unit.property
    assert list(services.select_parties(property=prop)) == [other_property_party]


def test_company_texts_replace_the_default(company):
    party, contract = make_tenant(company, last_name="Schröder")
    CompanyLetterSettings.objects.create(
        company=company,
        subject="Willkommen im {portal_name}",
        body="{salutation}\n\nIhr Vertrag {contract_number} ist freigeschaltet bis {valid_until}.",
        closing="Ihre {company_name}",
        portal_url="https://mieter.lindenhof.example/start/",
    )
    batch, data = print_letters([party])
    text = pdf_pages(data)[0]
    assert "Willkommen im Mieterportal" in text
    assert f"Ihr Vertrag {contract.number} ist freigeschaltet" in text
    assert "Ihre Wohnungsgenossenschaft Lindenhof eG" in text
    assert "https://mieter.lindenhof.example/start/" in text
    assert batch.count == 1


def test_placeholders():
    values = {"name": "Erika Muster", "code": "ABCD"}
    assert (
        fill_placeholders("Hallo {name}, {code}! {unknown}", values) == "Hallo Erika Muster, ABCD! {unknown}"
    )
    assert fill_placeholders("{name.__class__}", values) == "{name.__class__}"
    assert unknown_placeholders("{name} {oops} {oops} {portal_url}") == ["oops"]
    assert unknown_placeholders(str(DEFAULT_BODY)) == []


def test_unknown_placeholders_are_rejected_in_the_settings(company):
    from django.core.exceptions import ValidationError

    settings = CompanyLetterSettings(company=company, body="Hallo {vorname}")
    with pytest.raises(ValidationError) as exc:
        settings.full_clean()
    assert "body" in exc.value.message_dict


@pytest.mark.parametrize(
    ("salutation_value", "kind", "expected"),
    [
        (Party.Salutation.MS, Party.Kind.PERSON, "Dear Ms Dr. Muster,"),
        (Party.Salutation.MR, Party.Kind.PERSON, "Dear Mr Dr. Muster,"),
        (Party.Salutation.FAMILY, Party.Kind.HOUSEHOLD, "Dear Muster family,"),
        (Party.Salutation.COMPANY, Party.Kind.ORGANISATION, "Dear Sir or Madam,"),
        (Party.Salutation.DIVERSE, Party.Kind.PERSON, "Hello Dr. Alex Muster,"),
    ],
)
def test_salutation(salutation_value, kind, expected):
    party = Party(salutation=salutation_value, kind=kind, title="Dr.", first_name="Alex", last_name="Muster")
    assert salutation(party) == expected


def test_registration_address(settings, company):
    settings.WAGTAIL_TENANTPORTAL = {
        "PORTAL_BASE_URL": "https://www.lindenhof.example/",
        "REGISTRATION_PATH": "/mieter/registrieren/",
    }
    assert services.registration_url(company) == "https://www.lindenhof.example/mieter/registrieren/"
    assert (
        services.registration_url(company, contract_number="100/1")
        == "https://www.lindenhof.example/mieter/registrieren/"
    )
    settings.WAGTAIL_TENANTPORTAL = {
        "PORTAL_BASE_URL": "https://www.lindenhof.example",
        "REGISTRATION_PATH": "/mieter/registrieren/",
        "REGISTRATION_URL_WITH_CONTRACT": True,
    }
    assert services.registration_url(company, contract_number="100/1") == (
        "https://www.lindenhof.example/mieter/registrieren/?contract=100%2F1"
    )
    settings.WAGTAIL_TENANTPORTAL = {}
    assert services.registration_url(company).startswith("http://testserver/")


def test_one_qr_code_per_address_is_embedded(company):
    parties = [make_tenant(company)[0] for _ in range(4)]
    out = io.BytesIO()
    services.issue_letters(parties, out)
    data = out.getvalue()
    # One form XObject per company (letterhead) and one per distinct QR address.
    assert data.count(b"/FormXob.") >= 2
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        names |= set(page["/Resources"]["/XObject"].keys())
    assert len(names) == 2


def test_the_company_logo_is_embedded_once(company):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    company.logo = Image.objects.create(title="Logo", file=get_test_image_file(size=(400, 120)))
    company.save()
    parties = [make_tenant(company)[0] for _ in range(3)]
    _batch, one = print_letters(parties[:1])
    _batch, three = print_letters(parties)
    assert len(pdf_pages(three)) == 3
    # The image (and its transparency mask, if any) is stored once, however many pages.
    assert one.count(b"/Subtype /Image") >= 1
    assert three.count(b"/Subtype /Image") == one.count(b"/Subtype /Image")


def return_address_lines(data):
    """``[(text, x_mm, right_mm, size)]``: the text drawn in the zone above the address field of
    the first page, measured in the PDF (position and font size as the PDF says)."""
    from pypdf import PdfReader
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from wagtail_tenantportal.core.letterhead import ADDRESS_FIELD, ADDRESS_ZONE_TOP, y

    found = []

    def visit(text, cm, tm, font, size):
        x, baseline = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        in_field = x < (ADDRESS_FIELD[0] + ADDRESS_FIELD[2]) * mm  # not the information block beside it
        if text.strip() and in_field and y(ADDRESS_ZONE_TOP) < baseline < y(ADDRESS_FIELD[1]):
            width = stringWidth(text.strip(), "Helvetica", size)
            found.append((text.strip(), x / mm, (x + width) / mm, size))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(
    ("name", "short_name", "street", "expected_lines"),
    [
        # The usual case: name and address fit at a smaller size, on one line.
        ("Wohnungsgenossenschaft Lindenhof", "", "Lindenhofstraße 12", 1),
        # Too long for one line even at 6 pt: the short name is used.
        (
            "Wohnungsbaugenossenschaft Am Wasserturm Prenzlauer Berg",
            "WBG Am Wasserturm",
            "Prenzlauer Allee 123",
            1,
        ),
        # No short name: two lines, nothing cut off.
        ("Wohnungsbaugenossenschaft Am Wasserturm Prenzlauer Berg", "", "Prenzlauer Allee 123", 2),
    ],
)
def test_the_return_address_fits_the_address_field_and_is_never_cut(name, short_name, street, expected_lines):
    from tests.factories import CompanyFactory
    from wagtail_tenantportal.core.letterhead import ADDRESS_FIELD

    company = CompanyFactory(
        name=name, short_name=short_name, legal_form="eG", street=street, postal_code="04177", city="Leipzig",
        sender_line="",
    )  # fmt: skip
    party, _contract = make_tenant(company)
    _batch, data = print_letters([party])
    lines = return_address_lines(data)
    assert len(lines) == expected_lines, lines
    text = " ".join(line[0] for line in lines)
    assert "…" not in text and "..." not in text
    assert text.endswith(f"{street} · 04177 Leipzig")
    assert text.startswith(short_name or company.display_name)
    left, width = ADDRESS_FIELD[0], ADDRESS_FIELD[2]
    for _text, x, right, size in lines:
        assert round(x, 3) >= left + 5 and right <= left + width - 5, (
            x,
            right,
        )  # inside the window, 5 mm margins
        assert size >= 6  # DIN 5008: legible


def test_letters_point_to_each_companys_own_site(company):
    """Two companies, two sites: each letter (and its QR code) names its own company's host."""
    from wagtail.models import Page, Site

    from tests.factories import CompanyFactory

    root = Page.get_first_root_node()
    elsteraue_home = root.add_child(instance=Page(title="Elsteraue", slug="elsteraue-home"))
    lindenhof_site = Site.objects.create(
        hostname="www.wg-lindenhof.de", port=443, root_page=root.get_children().first()
    )
    elsteraue_site = Site.objects.create(
        hostname="www.bauverein-elsteraue.de", port=443, root_page=elsteraue_home
    )
    company.site = lindenhof_site
    company.save()
    elsteraue = CompanyFactory(name="Bauverein Elsteraue", slug="elsteraue", site=elsteraue_site)
    lindenhof_party, _ = make_tenant(company, last_name="Lindner")
    elsteraue_party, _ = make_tenant(elsteraue, last_name="Elster")
    _batch, data = print_letters([lindenhof_party, elsteraue_party])
    pages = {("Lindner" if "Lindner" in page else "Elster"): page for page in pdf_pages(data)}
    assert "https://www.wg-lindenhof.de/portal/register/" in pages["Lindner"]
    assert "https://www.bauverein-elsteraue.de/portal/register/" in pages["Elster"]
    assert "bauverein-elsteraue" not in pages["Lindner"] and "wg-lindenhof" not in pages["Elster"]
    assert "testserver" not in data.decode("latin-1")  # not the portal-wide fallback
