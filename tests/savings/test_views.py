"""The tenant's savings pages: overview, one account's bookings, the annual statement PDF;
every URL as the wrong tenant, anonymous and half-logged-in; constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.accounts.flow_helpers import verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp, password_step, path_of
from tests.factories import ContractFactory, SavingsAccountFactory
from tests.savings.conftest import account_url, book, login, pdf_text, statement_url
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.savings.pages import SavingsPage

pytestmark = pytest.mark.django_db

OVERVIEW = "/portal/savings/"
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def text(response):
    return response.content.decode()


def all_urls(account):
    return [account_url(account), statement_url(account, 2025)]


class TestOverview:
    def test_lists_the_account_with_balance_rate_and_holders(self, client, tenant, account):
        content = text(login(client, tenant).get(OVERVIEW, **GERMAN))
        assert account_url(account) in content
        assert "1.309,79 €" in content
        assert "0,50 %" in content
        assert "Erika Mustermann" in content and "Max Mustermann" in content
        assert "9900" not in content  # the stranger's account

    def test_the_exemption_order_is_shown(self, client, tenant, account):
        content = text(login(client, tenant).get(OVERVIEW, **GERMAN))
        assert "1.000,00 €" in content and "01.01.2023" in content

    def test_a_tenant_without_savings_is_told_so(self, client, neighbour, account):
        content = text(login(client, neighbour).get(OVERVIEW))
        assert "You have no savings account with us." in content
        assert account_url(account) not in content

    def test_anonymous_and_unverified_sessions_are_led_to_their_step(self, client, tenant, account):
        response = client.get(OVERVIEW)
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
        PortalAccount.objects.filter(user=tenant.user).update(email_verified_at=None)
        response = login(client, tenant).get(OVERVIEW)
        assert response.status_code == 302 and "1.309" not in text(response)

    def test_never_cached(self, client, tenant, account):
        response = login(client, tenant).get(OVERVIEW)
        assert "no-store" in response["Cache-Control"]

    def test_same_queries_for_1_or_30_accounts(self, client, tenant, company):
        login(client, tenant)
        first = SavingsAccountFactory(company=company)
        first.holders.add(tenant.party)
        book(first, datetime.date(2025, 1, 1), "1.00", "1.00")
        client.get(OVERVIEW)  # warm up
        with CaptureQueriesContext(connection) as few:
            client.get(OVERVIEW)
        for _n in range(29):
            account = SavingsAccountFactory(company=company)
            account.holders.add(tenant.party)
            for day in range(1, 4):
                book(account, datetime.date(2025, 1, day), "1.00", str(day))
        with CaptureQueriesContext(connection) as many:
            response = client.get(OVERVIEW)
        assert text(response).count("/portal/savings/") >= 30
        assert len(many) == len(few)


class TestAccount:
    def test_bookings_newest_first_in_german(self, client, tenant, account):
        content = text(login(client, tenant).get(account_url(account), **GERMAN))
        assert content.index("Kapitalertragsteuer") < content.index("Ersteinzahlung")
        assert "-200,00 €" in content and "+500,00 €" in content and "31.12.2025" in content
        assert statement_url(account, 2025) in content and statement_url(account, 2024) in content
        assert "1.000,00 €" in content  # the exemption order

    def test_year_filter_without_javascript(self, client, tenant, account):
        content = text(login(client, tenant).get(account_url(account), {"year": "2024"}))
        assert "Zinsen 2024" in content and "Zinsen 2025" not in content
        assert '<option value="2024" selected>' in content

    @pytest.mark.parametrize("year", ["abc", "1800", "<script>"])
    def test_bad_year_values_filter_nothing_and_do_not_fail(self, client, tenant, account, year):
        response = login(client, tenant).get(account_url(account), {"year": year})
        assert response.status_code == 200 and "<script>" not in text(response)
        assert "Zinsen 2024" in text(response) and "Zinsen 2025" in text(response)

    def test_pagination_keeps_the_year(self, client, tenant, account, settings):
        settings.WAGTAIL_TENANTPORTAL = {"SAVINGS_TRANSACTIONS_PER_PAGE": 2}
        login(client, tenant)
        content = text(client.get(account_url(account), {"year": "2025"}))
        assert "Page 1 of 2" in content and "?year=2025&amp;page=2" in content
        content = text(client.get(account_url(account), {"year": "2025", "page": "2"}))
        assert "Einzahlung" in content and "Kapitalertragsteuer" not in content
        assert text(client.get(account_url(account), {"page": "999"})).count("<tr ") >= 2  # last page

    def test_same_queries_for_1_or_30_bookings(self, client, tenant, company):
        login(client, tenant)
        account = SavingsAccountFactory(company=company)
        account.holders.add(tenant.party)
        book(account, datetime.date(2025, 1, 1), "1.00", "1.00")
        client.get(account_url(account))
        with CaptureQueriesContext(connection) as few:
            client.get(account_url(account))
        for n in range(2, 31):
            book(account, datetime.date(2025, 1, 1) + datetime.timedelta(days=n), "1.00", str(n))
        with CaptureQueriesContext(connection) as many:
            response = client.get(account_url(account))
        assert text(response).count("<tr ") >= 31
        assert len(many) == len(few)


class TestEveryUrl:
    def test_404_for_other_tenants(self, client, account, neighbour, stranger):
        for other in (neighbour, stranger):
            login(client, other)
            for url in all_urls(account):
                response = client.get(url)
                assert response.status_code == 404, url
                assert b"%PDF" not in response.content and b"1309" not in response.content

    @pytest.mark.parametrize("value", ["x", "0", "999999", "../../etc"])
    def test_unknown_ids_are_404(self, client, tenant, account, value):
        login(client, tenant)
        assert client.get(f"/portal/savings/{value}/").status_code == 404
        assert client.get(f"/portal/savings/{value}/statement/2025.pdf").status_code == 404

    @pytest.mark.parametrize("year", ["2023", "2027", "20x5", "99999999999"])
    def test_years_without_a_statement_are_404(self, client, tenant, account, year):
        assert (
            login(client, tenant).get(f"/portal/savings/{account.pk}/statement/{year}.pdf").status_code == 404
        )

    def test_anonymous_visitors(self, client, account):
        response = client.get(account_url(account))
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
        response = client.get(statement_url(account, 2025))
        assert response.status_code == 404 and b"%PDF" not in response.content

    def test_a_half_logged_in_session(self, client, company, account):
        user = verified_tenant(ContractFactory(unit__property__company=company), email="halb@example.org")
        account.holders.add(user.tenantportal_account.party_links.get().party)
        confirmed_totp(user)
        assert path_of(password_step(client, user)) == "/portal/2fa/verify/"
        response = client.get(account_url(account))
        assert response.status_code == 302 and "1.309" not in text(response)
        response = client.get(statement_url(account, 2025))
        assert response.status_code == 404 and b"%PDF" not in response.content
        assert client.get(OVERVIEW).status_code == 302


class TestStatementDownload:
    def test_the_holder_gets_the_pdf_with_safe_headers(self, client, tenant, account):
        response = login(client, tenant).get(statement_url(account, 2025))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Jahreskontoauszug_4711_2025.pdf"'
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "1.309,79 €" in pdf_text(response.content)


@pytest.fixture
def savings_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    return root.add_child(instance=SavingsPage(title="Mein Sparen", slug="mein-sparen", intro="<p>Hallo</p>"))


class TestSavingsPage:
    def test_anonymous_visitors_see_a_login_prompt_leading_back(self, client, savings_page, account):
        content = text(client.get(savings_page.url))
        assert "/portal/login/?next=%2Fmein-sparen%2F" in content
        assert "4711" not in content and "Hallo" in content

    def test_a_half_verified_session_sees_its_next_step(self, client, tenant, savings_page, account):
        PortalAccount.objects.filter(user=tenant.user).update(email_verified_at=None)
        content = text(login(client, tenant).get(savings_page.url))
        assert "/portal/verify/code/?next=%2Fmein-sparen%2F" in content and "4711" not in content

    def test_a_tenant_sees_the_accounts(self, client, tenant, savings_page, account):
        response = login(client, tenant).get(savings_page.url, **GERMAN)
        assert account_url(account) in text(response) and "1.309,79 €" in text(response)
        assert "no-store" in response["Cache-Control"]

    def test_balances_can_be_hidden(self, client, tenant, savings_page, account):
        savings_page.show_balances = False
        savings_page.save_revision().publish()
        content = text(login(client, tenant).get(savings_page.url, **GERMAN))
        assert account_url(account) in content and "1.309,79" not in content

    def test_one_page_per_parent(self, savings_page):
        assert not SavingsPage.can_create_at(savings_page.get_parent())
