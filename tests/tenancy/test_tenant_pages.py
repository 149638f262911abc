"""The tenant's "My contracts": the portal views (``/portal/contracts/``) and the page type
``ContractsPage``: what a tenant sees (German money, masked IBAN, contact persons), that
other tenants' ids answer 404, prompts for visitors, and a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Site

from tests.accounts.flow_helpers import PASSWORD, login, verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp
from tests.conftest import verified_portal_user
from tests.factories import ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.tenancy.models import (
    ContactPerson,
    ContactResponsibility,
    Contract,
    RentComponent,
    Topic,
)
from wagtail_tenantportal.tenancy.pages import ContractsPage
from wagtail_tenantportal.tenancy.services import contact_person_for, responsible_contacts
from wagtail_tenantportal.tenancy.validators import mask_iban

pytestmark = pytest.mark.django_db

LIST_URL = "/portal/contracts/"
IBAN = "DE89 3704 0044 0532 0130 00"


def components(contract, base="1000.00", operating="184.56", heating="50.00"):
    old = datetime.date(2020, 1, 1)
    new = datetime.date(2024, 1, 1)
    RentComponent.objects.create(
        contract=contract, kind="base_rent", label="Grundmiete", amount=Decimal("900.00"), valid_from=old
    )
    RentComponent.objects.create(
        contract=contract, kind="base_rent", label="Grundmiete", amount=Decimal(base), valid_from=new
    )
    RentComponent.objects.create(
        contract=contract,
        kind="operating_costs",
        label="Betriebskosten-Vorauszahlung",
        amount=Decimal(operating),
        valid_from=old,
        sort_order=1,
    )
    RentComponent.objects.create(
        contract=contract,
        kind="heating_costs",
        label="Heizkosten-Vorauszahlung",
        amount=Decimal(heating),
        valid_from=old,
        sort_order=2,
    )
    # Announced for later: not part of today's rent.
    RentComponent.objects.create(
        contract=contract,
        kind="base_rent",
        label="Grundmiete",
        amount=Decimal("5555.00"),
        valid_from=datetime.date(2099, 1, 1),
    )


@pytest.fixture
def tenant_contract(portal_client):
    contract = portal_client.contract
    contract.iban = IBAN
    contract.account_holder = "Erika Mustermann"
    contract.sepa_mandate_reference = "MANDAT-4711"
    contract.save()
    unit = contract.unit
    unit.floor = "2. OG links"
    unit.living_area = Decimal("64.50")
    unit.rooms = Decimal("2.5")
    unit.save()
    components(contract)
    return contract


def person(company, name, **kw):
    return ContactPerson.objects.create(
        company=company, name=name, phone="0341 123-45", email=f"{name.split()[0].lower()}@wg.example", **kw
    )


class TestMaskIban:
    def test_only_country_and_last_four_are_shown(self):
        assert mask_iban(IBAN) == "DE•• •••• •••• •••• ••30 00"
        assert mask_iban("") == ""
        assert "3704" not in mask_iban(IBAN)


class TestContractList:
    def test_lists_the_tenants_contracts_and_links_the_detail(self, portal_client, tenant_contract):
        other = ContractFactory(number="99999")  # another tenant's
        content = portal_client.get(LIST_URL).content.decode()
        assert tenant_contract.number in content
        assert f'href="/portal/contracts/{tenant_contract.pk}/"' in content
        assert tenant_contract.unit.property.street in content and "2. OG links" in content
        assert other.number not in content
        assert "<caption>" in content and 'scope="col"' in content

    def test_anonymous_visitors_are_sent_to_the_login(self, client):
        response = client.get(LIST_URL)
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/")

    def test_german_dates_and_status_as_text(self, portal_client, tenant_contract):
        tenant_contract.status = Contract.Status.TERMINATED
        tenant_contract.end_date = datetime.date(2026, 12, 31)
        tenant_contract.save()
        with translation.override("de"):
            content = portal_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "01.01.2020" in content and "31.12.2026" in content

    def test_queries_do_not_grow_with_the_contracts(self, portal_client, tenant_contract):
        def measure():
            portal_client.get(LIST_URL)  # warm caches (sites, content types)
            with CaptureQueriesContext(connection) as queries:
                response = portal_client.get(LIST_URL)
            return len(queries), response.content.decode().count('data-label="Contract number"><a')

        one, rows = measure()
        assert rows == 1
        for _ in range(19):
            contract = ContractFactory(unit=UnitFactory(property=tenant_contract.unit.property))
            verified_portal_user(contract, user=portal_client.user)
            components(contract)
        assert measure() == (one, 20)


class TestContractDetail:
    def test_shows_unit_parties_rent_bank_and_contacts_in_german(self, portal_client, tenant_contract):
        company = tenant_contract.company
        general = person(company, "Anna Allgemein", position="Kundenbetreuerin", office_hours="Di 9–12 Uhr")
        technician = person(company, "Tom Technik")
        ContactResponsibility.objects.create(contact_person=general, company=company, topic=Topic.GENERAL)
        ContactResponsibility.objects.create(
            contact_person=technician,
            company=company,
            property=tenant_contract.unit.property,
            topic=Topic.TECHNICAL,
        )
        with translation.override("de"):
            response = portal_client.get(f"{LIST_URL}{tenant_contract.pk}/", HTTP_ACCEPT_LANGUAGE="de")
        content = response.content.decode()
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]
        assert "Grundmiete" in content and "1.000,00 €" in content and "900,00" not in content
        assert "5.555" not in content  # not valid yet
        assert "1.234,56 €" in content  # 1000 + 184.56 + 50
        assert "DE•• •••• •••• •••• ••30 00" in content and "3704" not in content
        assert "MANDAT-4711" in content
        assert "2. OG links" in content and "64,50 m²" in content and "2,5" in content
        assert "Anna Allgemein" in content and "Di 9–12 Uhr" in content and "Tom Technik" in content
        party = tenant_contract.contract_parties.get().party
        assert party.full_name in content

    def test_another_tenants_contract_and_a_missing_id_give_the_same_404(self, portal_client):
        other = ContractFactory()
        components(other)
        assert portal_client.get(f"{LIST_URL}{other.pk}/").status_code == 404
        assert portal_client.get(f"{LIST_URL}987654/").status_code == 404

    def test_a_half_logged_in_session_sees_no_contract(self, client):
        contract = ContractFactory()
        user = verified_tenant(contract)
        confirmed_totp(user)
        login(client, user.email, PASSWORD)
        response = client.get(f"{LIST_URL}{contract.pk}/")
        assert response.status_code == 302 and contract.number not in response.content.decode()

    def test_without_contact_persons_the_company_channels_are_shown(self, portal_client, tenant_contract):
        company = tenant_contract.company
        company.phone = "0341 99 88 77"
        company.save()
        content = portal_client.get(f"{LIST_URL}{tenant_contract.pk}/").content.decode()
        assert "0341 99 88 77" in content

    def test_queries_do_not_grow_with_the_rent_components(self, portal_client, tenant_contract):
        url = f"{LIST_URL}{tenant_contract.pk}/"

        def measure():
            portal_client.get(url)
            with CaptureQueriesContext(connection) as queries:
                portal_client.get(url)
            return len(queries)

        few = measure()
        for i in range(20):
            RentComponent.objects.create(
                contract=tenant_contract,
                label=f"Zuschlag {i}",
                amount=Decimal("1.00"),
                valid_from=datetime.date(2021, 1, 1),
            )
        assert measure() == few


class TestResponsibleContacts:
    def test_agrees_with_contact_person_for(self):
        prop = PropertyFactory()
        c1 = ContractFactory(unit=UnitFactory(property=prop))
        c2 = ContractFactory(unit=UnitFactory(property=prop))
        c3 = ContractFactory(unit=UnitFactory(property__company=prop.company))
        company = prop.company
        a, b, c = person(company, "A Eins"), person(company, "B Zwei"), person(company, "C Drei")
        ContactResponsibility.objects.create(contact_person=a, company=company, topic=Topic.GENERAL)
        ContactResponsibility.objects.create(
            contact_person=b, company=company, property=prop, topic=Topic.RENT
        )
        ContactResponsibility.objects.create(
            contact_person=c, company=company, contract=c2, topic=Topic.GENERAL
        )
        inactive = person(company, "D Weg", active=False)
        ContactResponsibility.objects.create(contact_person=inactive, company=company, contract=c1)
        topics = [Topic.GENERAL, Topic.RENT, Topic.TECHNICAL]
        contracts = list(Contract.objects.filter(pk__in=[c1.pk, c2.pk, c3.pk]).select_related("unit"))
        with CaptureQueriesContext(connection) as queries:
            found = responsible_contacts(contracts, topics)
        assert len(queries) == 1
        for contract in contracts:
            for topic in topics:
                assert found.get((contract.pk, topic)) == contact_person_for(contract, topic), (
                    contract,
                    topic,
                )


def contracts_page(**kw):
    root = Site.objects.get(is_default_site=True).root_page
    page = ContractsPage(title="Meine Verträge", slug="vertraege", intro="<p>Ihre Verträge.</p>", **kw)
    root.add_child(instance=page)
    return page


class TestContractsPage:
    def test_lists_the_chosen_kinds_with_links_below_the_page(self, portal_client, tenant_contract):
        savings = ContractFactory(
            company=tenant_contract.company, unit=None, kind=Contract.Kind.SAVINGS, number="S-1"
        )
        verified_portal_user(savings, user=portal_client.user)
        page = contracts_page()
        content = portal_client.get(page.url).content.decode()
        assert "Ihre Verträge." in content
        assert f'href="{page.url}{tenant_contract.pk}/"' in content
        assert "S-1" not in content  # savings not chosen (default: rental, parking, membership)
        assert portal_client.get(f"{page.url}{savings.pk}/").status_code == 404

    def test_detail_below_the_page_and_bank_details_switch(self, portal_client, tenant_contract):
        page = contracts_page(show_bank_details=False)
        content = portal_client.get(f"{page.url}{tenant_contract.pk}/").content.decode()
        assert "Grundmiete" in content and "••30 00" not in content and "MANDAT-4711" not in content
        assert portal_client.get(f"{page.url}{ContractFactory().pk}/").status_code == 404

    def test_anonymous_visitors_get_a_login_prompt_back_to_the_page(self, client):
        page = contracts_page()
        content = client.get(page.url).content.decode()
        assert f'href="/portal/login/?next={page.url.replace("/", "%2F")}"' in content

    def test_half_logged_in_sessions_are_led_to_the_code(self, client):
        contract = ContractFactory()
        user = verified_tenant(contract)
        confirmed_totp(user)
        login(client, user.email, PASSWORD)
        page = contracts_page()
        content = client.get(f"{page.url}{contract.pk}/").content.decode()
        assert 'href="/portal/2fa/verify/"' in content and contract.number not in content

    def test_editors_choose_the_kinds_as_check_boxes(self):
        from wagtail_tenantportal.tenancy.pages import ContractsPageForm

        field = ContractsPageForm.base_fields["contract_kinds"]
        assert [value for value, _label in field.choices] == ["rental", "parking", "membership", "savings"]
