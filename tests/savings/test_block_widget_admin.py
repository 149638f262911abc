"""The "My savings" block in each state, the dashboard widget and the staff admin."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.accounts.twofactor_helpers import confirmed_totp
from tests.factories import SavingsAccountFactory, UserFactory
from tests.savings.conftest import book
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.core.widgets import collect_widgets, sample_widgets
from wagtail_tenantportal.savings.blocks import SavingsBlock
from wagtail_tenantportal.savings.wagtail_hooks import savings_widget

pytestmark = pytest.mark.django_db


def make_request(user=None, path="/start/"):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def render_block(request, **value):
    block = SavingsBlock()
    data = {"heading": "Mein Sparen", "intro": "Ihre Spareinlagen", "show_balances": True, **value}
    return block.render(block.to_python(data), context={"request": request})


class TestSavingsBlock:
    def test_a_holder_sees_the_accounts_with_balances(self, tenant, account, stranger):
        html = render_block(make_request(tenant.user))
        assert f"/portal/savings/{account.pk}/" in html and "4711" in html
        assert "1309.79" in html or "1.309,79" in html or "1,309.79" in html
        assert "9900" not in html and "Ihre Spareinlagen" in html

    def test_balances_can_be_hidden(self, tenant, account):
        html = render_block(make_request(tenant.user), show_balances=False)
        assert "4711" in html and "309" not in html

    def test_a_tenant_without_savings_is_told_so(self, neighbour, account):
        html = render_block(make_request(neighbour.user))
        assert "You have no savings account with us." in html and "4711" not in html

    def test_anonymous_visitors_get_a_login_prompt_leading_back(self, account):
        html = render_block(make_request())
        assert "/portal/login/?next=%2Fstart%2F" in html and "4711" not in html
        assert "Please log in to see your savings accounts." in html

    def test_an_unverified_session_gets_its_next_step(self, tenant, account):
        PortalAccount.objects.filter(user=tenant.user).update(email_verified_at=None)
        user = type(tenant.user).objects.get(pk=tenant.user.pk)  # without the cached account
        html = render_block(make_request(user))
        assert "/portal/verify/code/" in html and "4711" not in html

    def test_a_session_without_its_second_factor_gets_the_step(self, tenant, account, company):
        company.two_factor_policy = company.TwoFactorPolicy.REQUIRED
        company.save()
        confirmed_totp(tenant.user)
        user = type(tenant.user).objects.get(pk=tenant.user.pk)
        html = render_block(make_request(user))
        assert "4711" not in html and "tp-login-prompt" in html

    def test_the_preview_shows_sample_data_without_queries(self, rf):
        block = SavingsBlock()
        with CaptureQueriesContext(connection) as queries:
            context = block.get_preview_portal_context(block.get_default(), rf.get("/"))
        assert len(queries) == 0
        assert [a.number for a in context["accounts"]] == ["4711-01", "4711-02"]

    def test_constant_queries_for_1_or_30_accounts(self, tenant, company):
        request = make_request(tenant.user)
        first = SavingsAccountFactory(company=company)
        first.holders.add(tenant.party)
        render_block(request)
        with CaptureQueriesContext(connection) as few:
            render_block(make_request(tenant.user))
        for n in range(29):
            extra = SavingsAccountFactory(company=company)
            extra.holders.add(tenant.party)
            book(extra, datetime.date(2025, 1, 1), "1.00", str(n))
        with CaptureQueriesContext(connection) as many:
            html = render_block(make_request(tenant.user))
        assert html.count("/portal/savings/") >= 30
        assert len(many) == len(few)


class TestWidget:
    def test_none_without_a_savings_account(self, neighbour, account):
        assert savings_widget(make_request(neighbour.user)) is None

    def test_the_open_accounts_with_their_total(self, tenant, account, company):
        second = SavingsAccountFactory(company=company, number="4712")
        second.holders.add(tenant.party)
        book(second, datetime.date(2025, 1, 1), "90.21", "90.21")
        closed = SavingsAccountFactory(company=company, number="4799", closed_on=datetime.date(2024, 1, 1))
        closed.holders.add(tenant.party)
        widget = savings_widget(make_request(tenant.user))
        assert widget.key == "savings" and widget.url == "/portal/savings/"
        assert [a.number for a in widget.context["accounts"]] == ["4711", "4712"]
        assert widget.context["total_balance"] == Decimal("1400.00")
        html = render_to_string(widget.template, widget.context)
        assert f"/portal/savings/{account.pk}/" in html and "4799" not in html

    def test_collected_for_the_dashboard_with_constant_queries(self, tenant, account, company):
        request = make_request(tenant.user)
        with CaptureQueriesContext(connection) as few:
            savings_widget(request)
        for _n in range(30):
            extra = SavingsAccountFactory(company=company)
            extra.holders.add(tenant.party)
        with CaptureQueriesContext(connection) as many:
            widget = savings_widget(request)
        assert len(widget.context["accounts"]) == 31
        assert len(many) == len(few) <= 2
        assert "savings" in [w.key for w in collect_widgets(request, keys=["savings"])]

    def test_the_sample_for_editors(self):
        widgets = sample_widgets(keys=["savings"])
        assert [w.key for w in widgets] == ["savings"]
        assert "4711-01" in render_to_string(widgets[0].template, widgets[0].context)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


class TestAdmin:
    def test_accounts_listing_with_holders_and_balance(self, staff_client, account, stranger):
        response = staff_client.get("/admin/tenantportal/savings-accounts/")
        content = response.content.decode()
        assert response.status_code == 200
        assert "4711" in content and "9900" in content and "Max Mustermann" in content
        assert "1309.79" in content or "1309,79" in content or "1.309,79" in content

    def test_filter_by_company_and_search_by_holder(self, staff_client, account, stranger, company):
        content = staff_client.get(
            "/admin/tenantportal/savings-accounts/", {"company": company.pk}
        ).content.decode()
        assert "4711" in content and "9900" not in content
        content = staff_client.get("/admin/tenantportal/savings-accounts/", {"q": "Max"}).content.decode()
        assert "4711" in content and "9900" not in content

    def test_listing_queries_do_not_grow(self, staff_client, company, tenant):
        url = "/admin/tenantportal/savings-accounts/"
        SavingsAccountFactory(company=company).holders.add(tenant.party)
        staff_client.get(url)
        with CaptureQueriesContext(connection) as few:
            staff_client.get(url)
        for n in range(30):
            extra = SavingsAccountFactory(company=company)
            extra.holders.add(tenant.party)
            book(extra, datetime.date(2025, 1, 1), "1.00", str(n))
        with CaptureQueriesContext(connection) as many:
            staff_client.get(url)
        assert len(many) == len(few)

    def test_inspect_shows_holders_bookings_and_exemption_orders(self, staff_client, account):
        response = staff_client.get(f"/admin/tenantportal/savings-accounts/inspect/{account.pk}/")
        content = response.content.decode()
        assert response.status_code == 200
        assert "Erika Mustermann" in content and "Kapitalertragsteuer" in content and "1000" in content

    def test_exemption_orders_listing(self, staff_client, account, stranger):
        response = staff_client.get("/admin/tenantportal/exemption-orders/")
        assert response.status_code == 200 and "Erika Mustermann" in response.content.decode()

    def test_no_edit_views(self, staff_client, account):
        assert staff_client.get(f"/admin/tenantportal/savings-accounts/edit/{account.pk}/").status_code == 404
        assert staff_client.get("/admin/tenantportal/exemption-orders/add/").status_code == 404

    def test_not_for_users_without_permission(self, client, account):
        client.force_login(UserFactory(is_staff=True))
        response = client.get("/admin/tenantportal/savings-accounts/")
        assert response.status_code in (302, 403)
