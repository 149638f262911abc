"""The tenant's consumption page, the page type, the block and the dashboard widget."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from tests.accounts.flow_helpers import verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp, password_step, path_of
from tests.conftest import verified_portal_user
from tests.consumption.conftest import BenchmarkFactory, MeterFactory, add_values
from tests.factories import ContractFactory, UnitFactory
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.consumption.blocks import ConsumptionBlock
from wagtail_tenantportal.consumption.models import Kind, MeasuringUnit
from wagtail_tenantportal.consumption.pages import ConsumptionPage
from wagtail_tenantportal.consumption.wagtail_hooks import consumption_dashboard_widget

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/portal/consumption/"
User = get_user_model()
EXPORT_URL = "/portal/consumption/export.csv"


def text(response):
    return response.content.decode()


@pytest.fixture
def meters(unit):
    heating = MeterFactory(unit=unit, kind=Kind.HEATING, location="Wohnzimmer")
    water = MeterFactory(
        unit=unit, kind=Kind.HOT_WATER, location="Bad", measuring_unit=MeasuringUnit.CUBIC_METRE
    )
    add_values(heating, D(2025, 1, 1), [100 + 10 * i for i in range(22)], estimated=[D(2026, 10, 1)])
    add_values(water, D(2025, 1, 1), [Decimal("3.5")] * 22)
    BenchmarkFactory(company=unit.company, kind=Kind.HEATING, month=D(2026, 10, 1), value=Decimal("6"))
    return heating, water


class TestConsumptionView:
    def test_the_tenant_sees_cards_table_and_chart(self, login, tenant, meters):
        response = login(tenant).get(URL)
        content = text(response)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "<caption>Heating in October 2026 (kWh)</caption>" in content
        assert '<th scope="row" role="rowheader">Previous month' in content
        assert "3.3 % more" in content and "63.2 % more" in content and "13.9 % less" in content
        assert "(estimated)" in content
        assert content.count('<li class="tp-chart-row') == 24  # 12 months x 2 kinds
        assert 'aria-hidden="true"' in content and "<script" not in content
        assert "Hot water in October 2026 (m³)" in content
        assert 'name="month"' in content and '<option value="2026-10" selected>' in content

    def test_month_selection_by_get(self, login, tenant, meters):
        content = text(login(tenant).get(URL, {"month": "2025-06"}))
        assert "<caption>Heating in June 2025 (kWh)</caption>" in content
        assert '<option value="2025-06" selected>' in content
        content = text(login(tenant).get(URL, {"month": "kaputt"}))
        assert "October 2026" in content

    def test_german_output(self, login, tenant, meters):
        client = login(tenant)
        content = text(client.get(URL, HTTP_ACCEPT_LANGUAGE="de"))
        assert "Oktober 2026" in content
        assert "310\u00a0kWh" in content and "3,50\u00a0m³" in content

    def test_a_tenant_without_meters_is_told_so(self, portal_client):
        content = text(portal_client.get(URL))
        assert "No meters of your flat are shown in the portal yet." in content

    def test_another_tenants_values_are_not_shown(self, login, meters):
        stranger = verified_portal_user(ContractFactory(unit=UnitFactory()))
        content = text(login(stranger).get(URL))
        assert "Wohnzimmer" not in content and "310" not in content
        assert login(stranger).get(EXPORT_URL).content.decode().strip().count("\n") == 0

    def test_the_previous_tenant_does_not_see_the_new_tenants_months(self, login, unit, meters):
        from wagtail_tenantportal.tenancy.models import Contract

        old = ContractFactory(
            unit=unit, start_date=D(2020, 1, 1), end_date=D(2024, 12, 31), status=Contract.Status.ENDED
        )
        content = text(login(verified_portal_user(old)).get(URL))
        assert "There are no consumption values for you yet." in content
        assert (
            "2026" not in content.split("<main", 1)[-1].split("</main>")[0] or "October 2026" not in content
        )

    def test_anonymous_visitors_are_sent_to_the_login(self, client, meters):
        for url in (URL, EXPORT_URL):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/portal/login/")

    def test_a_half_logged_in_session_is_led_to_its_second_factor(self, client, unit, meters):
        user = verified_tenant(ContractFactory(unit=unit, start_date=D(2025, 1, 1)), email="halb@example.org")
        confirmed_totp(user)
        response = password_step(client, user)
        assert path_of(response) == "/portal/2fa/verify/"
        response = client.get(URL)
        assert response.status_code == 302 and "310" not in text(response)
        assert client.get(EXPORT_URL).status_code == 302

    def test_unverified_email_is_led_to_its_step(self, login, tenant, meters):
        PortalAccount.objects.filter(user=tenant).update(email_verified_at=None)
        response = login(tenant).get(URL)
        assert response.status_code == 302 and "/portal/verify/" in response["Location"]

    def test_csv_download(self, login, tenant, meters):
        response = login(tenant).get(EXPORT_URL)
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert len(lines) == 1 + 44
        assert "no-store" in response["Cache-Control"]

    def test_constant_queries_1_vs_24_months_of_4_meters(self, login, tenant, unit):
        client = login(tenant)
        few = MeterFactory(unit=unit, kind=Kind.HEATING)
        add_values(few, D(2026, 10, 1), [1])
        client.get(URL)
        with CaptureQueriesContext(connection) as small:
            client.get(URL)
        for kind in (Kind.HOT_WATER, Kind.COLD_WATER, Kind.ELECTRICITY):
            add_values(MeterFactory(unit=unit, kind=kind), D(2024, 11, 1), range(1, 25))
        add_values(few, D(2024, 11, 1), range(1, 24))
        BenchmarkFactory(company=unit.company, kind=Kind.HEATING, month=D(2026, 10, 1))
        with CaptureQueriesContext(connection) as large:
            response = client.get(URL)
        assert text(response).count('<li class="tp-chart-row') == 48
        assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


@pytest.fixture
def consumption_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    return root.add_child(
        instance=ConsumptionPage(title="Mein Verbrauch", slug="mein-verbrauch", intro="<p>Hallo</p>")
    )


class TestConsumptionPage:
    def test_anonymous_visitors_see_a_login_prompt_leading_back(self, client, consumption_page, meters):
        content = text(client.get(consumption_page.url))
        assert "/portal/login/?next=%2Fmein-verbrauch%2F" in content
        assert "Wohnzimmer" not in content

    def test_a_half_verified_session_sees_its_next_step(self, login, tenant, consumption_page, meters):
        PortalAccount.objects.filter(user=tenant).update(email_verified_at=None)
        content = text(login(tenant).get(consumption_page.url))
        assert "/portal/verify/code/?next=%2Fmein-verbrauch%2F" in content and "Wohnzimmer" not in content

    def test_a_tenant_sees_the_figures(self, login, tenant, consumption_page, meters):
        response = login(tenant).get(consumption_page.url, {"month": "2026-09"})
        content = text(response)
        assert "Mein Verbrauch" in content and "Hallo" in content
        assert "<caption>Heating in September 2026 (kWh)</caption>" in content
        assert "no-store" in response["Cache-Control"]

    def test_one_page_per_parent(self, consumption_page):
        assert not ConsumptionPage.can_create_at(consumption_page.get_parent())
        other = consumption_page.get_parent().add_child(instance=Page(title="Andere", slug="andere"))
        assert ConsumptionPage.can_create_at(other)


def block_request(user=None):
    request = RequestFactory().get("/start/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def render_block(request, **value):
    block = ConsumptionBlock()
    return block.render(block.to_python({"heading": "Mein Verbrauch", **value}), context={"request": request})


class TestConsumptionBlock:
    def test_a_tenant_sees_heating_and_hot_water(self, tenant, meters):
        html = render_block(block_request(tenant), months=6)
        assert "Heating in October 2026" in html and "Hot water in October 2026" in html
        assert html.count('<li class="tp-chart-row') == 12
        assert "/portal/consumption/" in html

    def test_kinds_can_be_chosen(self, tenant, meters):
        html = render_block(block_request(tenant), kinds=["hot_water"], months=0)
        assert "Hot water" in html and "Heating in" not in html and "tp-chart-row" not in html

    def test_anonymous_visitors_get_a_prompt(self, meters):
        html = render_block(block_request())
        assert "/portal/login/?next=%2Fstart%2F" in html and "Wohnzimmer" not in html

    def test_a_half_verified_session_gets_its_step(self, tenant, meters):
        PortalAccount.objects.filter(user=tenant).update(email_verified_at=None)
        html = render_block(block_request(User.objects.get(pk=tenant.pk)))
        assert "/portal/verify/code/" in html and "Wohnzimmer" not in html

    def test_a_tenant_without_meters(self, portal_client):
        html = render_block(block_request(portal_client.user))
        assert "No meters of your flat are shown in the portal yet." in html

    def test_the_preview_shows_sample_data_without_queries(self, rf, django_assert_num_queries):
        block = ConsumptionBlock()
        value = block.to_python(
            {"heading": "Mein Verbrauch", "kinds": ["heating", "cold_water"], "months": 12}
        )
        context = block.get_preview_portal_context(value, rf.get("/"))
        assert [card.kind for card in context["info"].cards] == ["heating", "cold_water"]
        assert len(context["info"].cards[0].history) == 12


class TestDashboardWidget:
    def test_latest_month_against_last_year(self, tenant, meters):
        widget = consumption_dashboard_widget(block_request(tenant))
        info = widget.context["info"]
        assert info.month == D(2026, 10, 1)
        assert [card.kind for card in info.cards] == ["heating", "hot_water"]
        assert info.cards[0].last_year.change == Decimal("63.2")

    def test_none_without_meters(self, portal_client):
        assert consumption_dashboard_widget(block_request(portal_client.user)) is None

    def test_renders(self, tenant, meters):
        from django.template.loader import render_to_string

        widget = consumption_dashboard_widget(block_request(tenant))
        html = render_to_string(widget.template, widget.context)
        assert "63.2 % more than in October 2025" in html
        assert "as much as in October 2025" in html


def test_the_widget_is_on_the_tenants_overview(login, tenant, meters):
    content = text(login(tenant).get("/portal/overview/"))
    assert "tp-widget--consumption" in content and "63.2 % more than in October 2025" in content
