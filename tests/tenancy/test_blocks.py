"""The tenancy blocks ("My contract", "Your contact person") and the dashboard widget in
every state: visitors, half-logged-in sessions, tenants; previews with sample data; a
constant number of queries."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp.middleware import OTPMiddleware

from tests.accounts.flow_helpers import PASSWORD, login, verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp
from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, UnitFactory
from wagtail_tenantportal.tenancy.blocks import ContactPersonBlock, ContractBlock
from wagtail_tenantportal.tenancy.models import (
    ContactPerson,
    ContactResponsibility,
    Contract,
    RentComponent,
    Topic,
)
from wagtail_tenantportal.tenancy.wagtail_hooks import _sample_contact_widget, contact_person_widget

pytestmark = pytest.mark.django_db

PAGE_PATH = "/seite/"


def block_request(client=None, path=PAGE_PATH):
    """A request to ``path`` with the session (and user) of ``client``, as the middleware
    would build it; without a client an anonymous visitor."""
    request = RequestFactory().get(path)
    engine = import_module(settings.SESSION_ENGINE)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME) if client else None
    request.session = engine.SessionStore(cookie.value if cookie else None)
    request.user = get_user(request)
    OTPMiddleware(lambda r: None)(request)
    return request


def render(block, value=None, request=None, **context):
    value = block.to_python(value if value is not None else {})
    return block.render(value, context={"request": request or block_request(), **context})


def half_logged_in(client):
    contract = ContractFactory()
    user = verified_tenant(contract)
    confirmed_totp(user)
    login(client, user.email, PASSWORD)
    return contract


def add_rent(contract):
    for label, amount, order in (
        ("Grundmiete", "1000.00", 0),
        ("Betriebskosten-Vorauszahlung", "184.56", 1),
        ("Heizkosten-Vorauszahlung", "50.00", 2),
    ):
        RentComponent.objects.create(
            contract=contract,
            label=label,
            amount=Decimal(amount),
            valid_from=datetime.date(2020, 1, 1),
            sort_order=order,
        )


def person(company, name, **kw):
    return ContactPerson.objects.create(
        company=company, name=name, phone="0341 4711", email="kontakt@wg.example", **kw
    )


class TestContractBlock:
    def test_visitors_get_a_login_prompt_back_to_the_page(self):
        content = render(ContractBlock())
        assert 'href="/portal/login/?next=%2Fseite%2F"' in content
        assert "Grundmiete" not in content

    def test_half_logged_in_sessions_are_led_to_the_code(self, client):
        contract = half_logged_in(client)
        content = render(ContractBlock(), request=block_request(client))
        assert 'href="/portal/2fa/verify/"' in content and contract.number not in content

    def test_tenants_see_their_contract_and_the_rent_in_german(self, portal_client):
        contract = portal_client.contract
        add_rent(contract)
        foreign = ContractFactory()
        add_rent(foreign)
        with translation.override("de"):
            content = render(ContractBlock(), request=block_request(portal_client))
        assert contract.number in content and foreign.number not in content
        assert "Grundmiete" in content and "1.234,56 €" in content
        assert f'href="/portal/contracts/{contract.pk}/"' in content

    def test_rent_and_kinds_follow_the_editors_choice(self, portal_client):
        contract = portal_client.contract
        add_rent(contract)
        member = ContractFactory(company=contract.company, unit=None, kind=Contract.Kind.MEMBERSHIP)
        verified_portal_user(member, user=portal_client.user)
        request = block_request(portal_client)
        content = render(ContractBlock(), {"show_rent": False, "contract_kinds": ["membership"]}, request)
        assert member.number in content and contract.number not in content and "Grundmiete" not in content

    def test_queries_do_not_grow_with_the_contracts(self, portal_client):
        def measure():
            request = block_request(portal_client)
            with CaptureQueriesContext(connection) as queries:
                content = render(ContractBlock(), request=request)
            return len(queries), content.count("tp-contract-card")

        add_rent(portal_client.contract)
        one, cards = measure()
        assert cards == 1
        for _ in range(19):
            contract = ContractFactory(unit=UnitFactory(property=portal_client.contract.unit.property))
            verified_portal_user(contract, user=portal_client.user)
            add_rent(contract)
        assert measure() == (one, 20)

    def test_preview_shows_sample_data_without_queries(self, rf):
        block = ContractBlock()
        with CaptureQueriesContext(connection) as queries:
            context = block.get_preview_portal_context(block.get_default(), rf.get("/"))
        assert len(queries) == 0
        assert context["contracts"][0].rent.components[0].label == "Grundmiete"


class TestContactPersonBlock:
    def test_tenants_see_the_person_for_the_topic(self, portal_client):
        contract = portal_client.contract
        company = contract.company
        general = person(company, "Anna Allgemein")
        technician = person(company, "Tom Technik", office_hours="Mo–Fr 7–9 Uhr")
        ContactResponsibility.objects.create(contact_person=general, company=company)
        ContactResponsibility.objects.create(
            contact_person=technician, company=company, property=contract.unit.property, topic=Topic.TECHNICAL
        )
        request = block_request(portal_client)
        content = render(ContactPersonBlock(), {"topic": "technical"}, request)
        assert "Tom Technik" in content and "Mo–Fr 7–9 Uhr" in content and "Anna Allgemein" not in content
        content = render(ContactPersonBlock(), {"topic": "rent"}, block_request(portal_client))
        assert "Anna Allgemein" in content  # nobody for rent: the general contact person

    def test_without_a_contact_person_the_landlords_channels(self, portal_client):
        company = portal_client.contract.company
        company.phone, company.opening_hours = "0341 000 111", "Mo–Do 8–16 Uhr"
        company.save()
        content = render(ContactPersonBlock(), request=block_request(portal_client))
        assert "0341 000 111" in content and "Mo–Do 8–16 Uhr" in content

    def test_visitors_of_a_one_landlord_site_see_its_channels(self):
        company = CompanyFactory(phone="0341 222 333", email="info@wg.example")
        content = render(ContactPersonBlock())
        assert company.display_name in content and "0341 222 333" in content
        assert 'href="/portal/login/?next=%2Fseite%2F"' in content

    def test_visitors_of_a_page_with_a_landlord_see_its_channels(self):
        from types import SimpleNamespace

        first = CompanyFactory(phone="0341 1")
        CompanyFactory(phone="0341 2")
        content = render(ContactPersonBlock(), page=SimpleNamespace(company=first))
        assert "0341 1<" in content and "0341 2<" not in content

    def test_visitors_of_a_several_landlord_site_get_a_login_prompt(self):
        CompanyFactory(phone="0341 1")
        CompanyFactory(phone="0341 2")
        content = render(ContactPersonBlock())
        assert "0341 1" not in content and 'href="/portal/login/?next=%2Fseite%2F"' in content

    def test_half_logged_in_sessions_see_no_personal_contact(self, client):
        contract = half_logged_in(client)
        ContactResponsibility.objects.create(
            contact_person=person(contract.company, "Geheim Person"), company=contract.company
        )
        content = render(ContactPersonBlock(), request=block_request(client))
        assert "Geheim Person" not in content and 'href="/portal/2fa/verify/"' in content

    def test_queries_do_not_grow_with_the_contracts(self, portal_client):
        contract = portal_client.contract
        ContactResponsibility.objects.create(
            contact_person=person(contract.company, "Anna Allgemein"), company=contract.company
        )

        def measure():
            request = block_request(portal_client)
            with CaptureQueriesContext(connection) as queries:
                content = render(ContactPersonBlock(), request=request)
            return len(queries), content.count("Anna Allgemein")

        one = measure()
        for _ in range(19):
            other = ContractFactory(unit=UnitFactory(property=contract.unit.property))
            verified_portal_user(other, user=portal_client.user)
        assert measure() == one  # the same person once, the same queries

    def test_preview_shows_a_sample_person(self, rf):
        block = ContactPersonBlock()
        context = block.get_preview_portal_context(block.get_default(), rf.get("/"))
        assert context["people"][0][0].name == "Sabine Krüger"


class TestContactPersonWidget:
    def test_the_tenants_general_contact_person(self, portal_client):
        contract = portal_client.contract
        ContactResponsibility.objects.create(
            contact_person=person(contract.company, "Anna Allgemein"), company=contract.company
        )
        widget = contact_person_widget(block_request(portal_client))
        assert widget.key == "contact_person"
        assert [p.name for p, _numbers in widget.context["people"]] == ["Anna Allgemein"]

    def test_nothing_without_a_current_contract(self, portal_client):
        Contract.objects.filter(pk=portal_client.contract.pk).update(status=Contract.Status.ENDED)
        assert contact_person_widget(block_request(portal_client)) is None

    def test_sample(self):
        assert _sample_contact_widget().context["people"]


@pytest.mark.parametrize("block_class", [ContractBlock, ContactPersonBlock])
def test_every_field_has_help_for_editors(block_class):
    from wagtail_tenantportal.tenancy.blocks import PORTAL_BLOCKS

    assert block_class in [cls for _name, cls in PORTAL_BLOCKS]
    assert all(child.field.help_text for child in block_class().child_blocks.values())


@pytest.mark.parametrize(
    "name,sample",
    [
        ("portal_contract", "Grundmiete"),
        ("portal_contact_person", "Sabine Krüger"),
        ("portal_two_factor", "switched on"),
        ("portal_new_request", "Schadensmeldung"),
    ],
)
def test_the_editors_preview_shows_the_tenants_view_with_sample_data(client, name, sample):
    from django.urls import reverse

    from tests.factories import UserFactory
    from wagtail_tenantportal.blocks import portal_blocks

    block = dict(portal_blocks())[name]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("wagtailadmin_block_preview") + f"?id={block.definition_prefix}")
    assert response.status_code == 200 and sample in response.content.decode()
