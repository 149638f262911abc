"""Self-service certificates: rent certificate and landlord confirmation (§ 19 BMG) as PDFs
with the company letterhead, from contract data, available at once."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests.documents.conftest import body, login, make_tenant, new_contract
from tests.factories import ContractFactory, UnitFactory
from wagtail_tenantportal.documents import certificates, services
from wagtail_tenantportal.documents.models import Document
from wagtail_tenantportal.tenancy.models import Contract, RentComponent, Unit

pytestmark = pytest.mark.django_db

CERTIFICATES_URL = "/portal/documents/certificates/"
TODAY = datetime.date(2026, 11, 21)


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def rented(tenant):
    """Erika's contract with a start date, a flat on the second floor and a current rent."""
    contract = tenant.contract
    contract.start_date = datetime.date(2019, 4, 1)
    contract.save()
    unit = contract.unit
    unit.floor = "2. OG links"
    unit.save()
    for order, (kind, label, amount) in enumerate(
        [
            ("base_rent", "Grundmiete", "512.40"),
            ("operating_costs", "Betriebskostenvorauszahlung", "145.00"),
            ("heating_costs", "Heizkostenvorauszahlung", "88.50"),
        ]
    ):
        RentComponent.objects.create(
            contract=contract,
            kind=kind,
            label=label,
            amount=Decimal(amount),
            valid_from=datetime.date(2025, 1, 1),
            sort_order=order,
        )
    # An older base rent that no longer applies.
    RentComponent.objects.create(
        contract=contract,
        kind="base_rent",
        label="Grundmiete",
        amount=Decimal("480.00"),
        valid_from=datetime.date(2019, 4, 1),
    )
    return tenant


class TestRendering:
    def test_the_rent_certificate_shows_tenants_flat_and_current_rent(self, rented):
        spec = certificates.build(rented.contract, "rent_certificate", today=TODAY)
        text = pdf_text(certificates.render(spec))
        company = rented.contract.company
        assert company.display_name in text  # letterhead
        assert rented.party.full_name in text
        assert "Lindenstraße 7" in text and "2. OG links" in text
        assert "512,40 €" in text and "145,00 €" in text and "88,50 €" in text
        assert "745,90 €" in text  # the total of the current components only
        assert "480,00" not in text
        assert "01.04.2019" in text and "21.11.2026" in text
        assert "100001" in text

    def test_the_landlord_confirmation_has_what_section_19_bmg_requires(self, rented):
        co_tenant = make_tenant(rented.contract)
        spec = certificates.build(rented.contract, "landlord_confirmation", event="move_in", today=TODAY)
        text = pdf_text(certificates.render(spec))
        company = rented.contract.company
        assert "§ 19" in text
        assert company.display_name in text and company.street in text  # name and address of the landlord
        assert "01.04.2019" in text  # date of moving in
        assert "Lindenstraße 7" in text and "04109 Leipzig" in text  # address of the flat
        assert (
            rented.party.full_name in text and co_tenant.party.full_name in text
        )  # persons obliged to register
        assert "§ 54" in text  # the warning about false confirmations

    def test_the_same_data_give_the_same_pdf(self, rented):
        spec = certificates.build(rented.contract, "rent_certificate", today=TODAY)
        assert certificates.render(spec) == certificates.render(spec)

    def test_names_outside_windows_1252_are_transliterated_with_the_standard_fonts(self, rented):
        rented.party.last_name = "Łukasiewicz"
        rented.party.save()
        spec = certificates.build(rented.contract, "rent_certificate", today=TODAY)
        assert "Lukasiewicz" in pdf_text(certificates.render(spec))


class TestEligibility:
    def test_a_parking_contract_gets_no_certificate(self, tenant, property_):
        contract = ContractFactory(
            unit=UnitFactory(property=property_, kind=Unit.Kind.PARKING), kind=Contract.Kind.PARKING
        )
        make_tenant(contract)
        with pytest.raises(services.DocumentRejected, match="request it from us"):
            certificates.build(contract, "rent_certificate", today=TODAY)
        assert certificates.eligible_kinds(contract, TODAY) == {}

    def test_without_rent_data_there_is_no_rent_certificate(self, tenant):
        assert "rent_certificate" not in certificates.eligible_kinds(tenant.contract, TODAY)

    def test_move_out_needs_an_end_date(self, rented):
        assert certificates.eligible_kinds(rented.contract, TODAY)["landlord_confirmation"] == ["move_in"]
        with pytest.raises(services.DocumentRejected):
            certificates.build(rented.contract, "landlord_confirmation", event="move_out", today=TODAY)
        rented.contract.end_date = datetime.date(2026, 12, 31)
        rented.contract.status = Contract.Status.TERMINATED
        rented.contract.save()
        spec = certificates.build(rented.contract, "landlord_confirmation", event="move_out", today=TODAY)
        assert "31.12.2026" in pdf_text(certificates.render(spec))

    def test_an_unknown_kind_is_refused(self, rented):
        with pytest.raises(services.DocumentRejected):
            certificates.build(rented.contract, "tax_certificate", today=TODAY)


class TestGenerate:
    def test_a_certificate_becomes_a_document_of_the_contract_at_once(self, rented):
        document = services.generate_certificate(
            rented.contract, "rent_certificate", user=rented.user, today=TODAY
        )
        assert document.source == Document.Source.GENERATED and document.category.key == "rent_certificate"
        assert document.contract == rented.contract and document.published_from <= document.created_at
        assert Document.objects.visible_to(rented.user).filter(pk=document.pk).exists()
        assert not document.deliveries.exists()  # no paper post, no mail for what the tenant made

    def test_asking_twice_on_one_day_gives_the_same_document(self, rented):
        first = services.generate_certificate(rented.contract, "rent_certificate", today=TODAY)
        second = services.generate_certificate(rented.contract, "rent_certificate", today=TODAY)
        assert first == second and Document.objects.count() == 1
        later = services.generate_certificate(
            rented.contract, "rent_certificate", today=TODAY + datetime.timedelta(days=1)
        )
        assert later != first


class TestCertificateViews:
    def test_the_page_offers_what_the_contract_allows(self, client, rented):
        response = login(client, rented).get(CERTIFICATES_URL)
        content = response.content.decode()
        assert response.status_code == 200
        assert 'name="kind" value="rent_certificate"' in content
        assert 'name="event" value="move_in"' in content
        assert 'name="event" value="move_out"' not in content

    def test_generate_then_download(self, client, rented):
        login(client, rented)
        response = client.post(CERTIFICATES_URL, {"contract": rented.contract.pk, "kind": "rent_certificate"})
        assert response.status_code == 302
        document = Document.objects.get()
        assert response["Location"].endswith(f"?ready={document.uuid}")
        page = client.get(response["Location"])
        assert f"/portal/documents/{document.uuid}/" in page.content.decode()
        download = client.get(f"/portal/documents/{document.uuid}/")
        assert body(download).startswith(b"%PDF") and download["Content-Disposition"].startswith(
            "attachment;"
        )

    def test_another_tenants_contract_is_404(self, client, rented, stranger):
        login(client, stranger)
        response = client.post(CERTIFICATES_URL, {"contract": rented.contract.pk, "kind": "rent_certificate"})
        assert response.status_code == 404
        assert not Document.objects.exists()

    @pytest.mark.parametrize("contract", ["", "abc", "99999"])
    def test_bad_contract_ids_are_404(self, client, rented, contract):
        response = login(client, rented).post(
            CERTIFICATES_URL, {"contract": contract, "kind": "rent_certificate"}
        )
        assert response.status_code == 404

    def test_a_contract_that_does_not_qualify_gets_a_message(self, client, tenant):
        login(client, tenant)
        response = client.post(
            CERTIFICATES_URL, {"contract": tenant.contract.pk, "kind": "rent_certificate"}, follow=True
        )
        assert response.status_code == 200
        assert "request it from us" in response.content.decode()
        assert not Document.objects.exists()

    def test_a_ready_id_of_someone_else_shows_nothing(self, client, rented, stranger):
        document = services.generate_certificate(rented.contract, "rent_certificate", today=TODAY)
        response = login(client, stranger).get(f"{CERTIFICATES_URL}?ready={document.uuid}")
        assert str(document.uuid) not in response.content.decode()
        assert login(client, stranger).get(f"{CERTIFICATES_URL}?ready=nonsense").status_code == 200

    def test_anonymous_visitors_are_sent_to_the_login(self, client, rented):
        response = client.get(CERTIFICATES_URL)
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
        assert client.post(CERTIFICATES_URL, {"contract": rented.contract.pk}).status_code == 302
        assert not Document.objects.exists()


def test_a_new_contract_without_data_has_no_options(property_):
    contract = new_contract(property_, start_date=None)
    assert certificates.eligible_kinds(contract, TODAY) == {}


def test_refusals_speak_the_language_of_the_request_not_of_the_letters(tenant, settings):
    from django.utils import translation

    settings.WAGTAIL_TENANTPORTAL = {"LETTER_LANGUAGE": "de"}
    with translation.override("en"), pytest.raises(services.DocumentRejected) as raised:
        certificates.build(tenant.contract, "rent_certificate", today=TODAY)
    assert "request it from us" in str(raised.value.message)
