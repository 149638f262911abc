"""Page types of the accounts app: where editors may create them, and what they show to
visitors, half-logged-in sessions, tenants with a missing step and verified tenants."""

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from tests.accounts.flow_helpers import (
    PASSWORD,
    claim_form_data,
    code_form_data,
    issue,
    login,
    mail_code,
    verified_tenant,
)
from tests.accounts.twofactor_helpers import confirmed_totp
from tests.factories import CompanyFactory, UserFactory
from tests.testapp.models import HostPage
from wagtail_tenantportal.accounts.models import (
    AccountPage,
    CodeRequest,
    PortalAccount,
    PortalLoginPage,
    RegistrationClaim,
)
from wagtail_tenantportal.accounts.pages import RegistrationPage
from wagtail_tenantportal.tenancy.models import Company

from .conftest import make_tenant

pytestmark = pytest.mark.django_db

INTRO = "<p>Hier melden sich Mitglieder an.</p>"


@pytest.fixture
def home(db):
    return Site.objects.get(is_default_site=True).root_page


@pytest.fixture
def login_page(home):
    return home.add_child(instance=PortalLoginPage(title="Anmelden", slug="anmelden", intro=INTRO))


@pytest.fixture
def registration_page(home):
    return home.add_child(instance=RegistrationPage(title="Registrieren", slug="registrieren", intro=INTRO))


@pytest.fixture
def account_page(home):
    return home.add_child(instance=AccountPage(title="Mein Konto", slug="mein-konto", intro=INTRO))


def no_cache(response):
    return "no-cache" in response.get("Cache-Control", "") or "max-age=0" in response.get("Cache-Control", "")


class PageTypeRulesTest(WagtailPageTestCase):
    """Where editors may create the page types, with Wagtail's own page assertions."""

    def test_can_be_created_under_the_hosts_pages_and_have_no_children(self):
        for page_type in (PortalLoginPage, RegistrationPage, AccountPage):
            self.assertCanCreateAt(Page, page_type)
            self.assertCanCreateAt(HostPage, page_type)
            self.assertCanNotCreateAt(page_type, HostPage)
            self.assertAllowedSubpageTypes(page_type, {})


class TestWhereEditorsCreateThem:
    @pytest.mark.parametrize("page_type", [PortalLoginPage, AccountPage])
    def test_one_login_page_and_one_account_page(self, home, page_type):
        assert page_type.can_create_at(home)
        home.add_child(instance=page_type(title="Eins", slug="eins"))
        assert not page_type.can_create_at(home)

    def test_one_registration_page_per_parent(self, home):
        first = home.add_child(instance=HostPage(title="Genossenschaft A", slug="a"))
        second = home.add_child(instance=HostPage(title="Genossenschaft B", slug="b"))
        first.add_child(instance=RegistrationPage(title="Registrieren", slug="registrieren"))
        assert not RegistrationPage.can_create_at(first)
        assert RegistrationPage.can_create_at(second)

    def test_editors_create_a_page_in_the_admin(self, client, home):
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        url = f"/admin/pages/add/tenantportal_accounts/portalloginpage/{home.pk}/"
        response = client.get(url)
        assert response.status_code == 200
        assert "introduction" in response.content.decode().lower()
        response = client.post(
            url,
            {
                "title": "Anmelden",
                "slug": "anmelden",
                "intro": '{"blocks": [], "entityMap": {}}',
                "action-publish": "publish",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        page = PortalLoginPage.objects.get()
        assert page.live and page.get_parent().pk == home.pk


class TestLoginPage:
    def test_anonymous_visitors_see_the_form_at_the_page_url(self, client, login_page):
        response = client.get(login_page.url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Anmelden</h1>" in content and "Hier melden sich Mitglieder an." in content
        assert f'action="{login_page.url}"' in content
        assert 'name="password"' in content
        assert no_cache(response)

    def test_a_wrong_password_shows_the_error_on_the_page(self, client, login_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        response = client.post(login_page.url, {"email": user.email, "password": "falsch"})
        content = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Anmelden</h1>" in content
        assert "tp-error-summary" in content
        assert "_auth_user_id" not in client.session

    def test_a_correct_login_goes_on_to_next(self, client, login_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        response = client.post(login_page.url, {"email": user.email, "password": PASSWORD, "next": "/etwas/"})
        assert response.status_code == 302 and response["Location"] == "/etwas/"
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_a_user_with_a_second_factor_is_only_half_logged_in(self, client, login_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        confirmed_totp(user)
        response = client.post(login_page.url, {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"].endswith("/portal/2fa/verify/")
        assert "_auth_user_id" not in client.session
        # Back on the page: the login form again, nothing of the account.
        response = client.get(login_page.url)
        assert 'name="password"' in response.content.decode()
        assert user.email not in response.content.decode()

    def test_a_verified_tenant_is_sent_on(self, client, login_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        login(client, user.email)
        response = client.get(login_page.url + "?next=/weiter/")
        assert response.status_code == 302 and response["Location"] == "/weiter/"

    def test_links_to_the_chosen_registration_page(self, client, login_page, registration_page):
        login_page.registration_page = registration_page
        login_page.save_revision().publish()
        content = client.get(login_page.url).content.decode()
        assert f'href="{registration_page.url}"' in content

    def test_works_as_wagtail_frontend_login_url(self, client, settings, login_page, home):
        from wagtail.models import PageViewRestriction

        private = home.add_child(instance=HostPage(title="Intern", slug="intern"))
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
        settings.WAGTAIL_FRONTEND_LOGIN_URL = login_page.url
        response = client.get(private.url)
        assert response.status_code == 302 and response["Location"].startswith(login_page.url + "?next=")
        assert client.get(response["Location"]).status_code == 200


class TestRegistrationPage:
    def test_shows_the_code_form_for_a_code_first_company(self, client, registration_page, company):
        response = client.get(registration_page.url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Registrieren</h1>" in content and "Hier melden sich Mitglieder an." in content
        assert f'action="{registration_page.url}"' in content
        assert 'name="contract_number"' in content
        assert f'href="{registration_page.url}request-code/"' in content
        assert no_cache(response)

    def test_several_companies_choose_first(self, client, registration_page, company):
        other = CompanyFactory(name="WG Sonnenhang", slug="sonnenhang")
        content = client.get(registration_page.url).content.decode()
        assert 'name="company"' in content and other.slug in content and company.slug in content
        assert f'action="{registration_page.url}"' in content
        content = client.get(registration_page.url, {"company": other.slug}).content.decode()
        assert 'name="contract_number"' in content

    def test_errors_are_shown_once_at_the_page_url(self, client, registration_page, tenant):
        party, contract = tenant
        issue(party, contract)
        data = code_form_data(contract, "AAAA-BBBB-CCCC", party.last_name, "neu@example.org")
        response = client.post(registration_page.url, data)
        content = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Registrieren</h1>" in content
        assert content.count("do not match a valid registration code") == 1
        assert not PortalAccount.objects.exists()

    def test_the_whole_code_first_registration_runs_through_the_page(self, client, registration_page, tenant):
        party, contract = tenant
        code = issue(party, contract)
        data = code_form_data(contract, code, party.last_name, "neu@example.org")
        response = client.post(registration_page.url, data)
        assert response.status_code == 302
        assert response["Location"] == registration_page.url + "done/"
        content = client.get(response["Location"]).content.decode()
        assert "neu@example.org" in content and 'name="code"' in content
        assert "Please confirm your email address" in content
        # The code from the mail confirms the address (the form posts to the portal's view).
        response = client.post("/portal/verify/code/", {"code": mail_code(mail.outbox[-1])})
        assert response.status_code == 302
        account = PortalAccount.objects.get(user__email="neu@example.org")
        assert account.email_verified_at is not None
        assert account.party_links.get().party == party

    def test_the_done_step_without_a_registration_leads_back(self, client, registration_page):
        response = client.get(registration_page.url + "done/")
        assert response.status_code == 302 and response["Location"] == registration_page.url

    def test_a_page_for_a_verify_later_company(self, client, registration_page, company):
        company.registration_flow = Company.RegistrationFlow.VERIFY_LATER
        company.save()
        CompanyFactory(slug="andere")  # a second company: the page still fixes its own
        registration_page.company = company
        registration_page.save_revision().publish()
        content = client.get(registration_page.url).content.decode()
        assert 'name="street"' in content and "Choose another landlord" not in content
        response = client.post(registration_page.url, claim_form_data(company, "jonas@example.org"))
        assert response.status_code == 302 and response["Location"] == registration_page.url + "done/"
        claim = RegistrationClaim.objects.get()
        assert claim.company == company and claim.status == RegistrationClaim.Status.PENDING

    def test_logged_in_tenants_are_sent_to_their_account(self, client, registration_page, tenant):
        _party, contract = tenant
        client.force_login(verified_tenant(contract))
        response = client.get(registration_page.url)
        assert response.status_code == 302 and response["Location"] == "/portal/account/"

    def test_request_a_code_at_the_page(self, client, registration_page, company, tenant):
        party, contract = tenant
        url = registration_page.url + "request-code/"
        response = client.get(url)
        assert response.status_code == 200
        assert f'action="{url}"' in response.content.decode()
        matching = client.post(url, {"contract_number": contract.number, "last_name": party.last_name})
        unknown = client.post(url, {"contract_number": "999", "last_name": "Niemand"})
        assert matching.status_code == unknown.status_code == 200
        assert "we have received your request" in matching.content.decode()

        def without_token(response):
            import re

            return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)

        assert without_token(matching) == without_token(unknown)
        assert CodeRequest.objects.get(party=party).contract == contract
        assert CodeRequest.objects.filter(party__isnull=True).count() == 1


class TestAccountPage:
    def test_anonymous_visitors_see_a_login_prompt_leading_back(self, client, account_page):
        response = client.get(account_page.url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "/portal/login/?next=%2Fmein-konto%2F" in content
        assert "Change password" not in content

    def test_a_half_logged_in_session_is_asked_for_the_code(self, client, account_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        confirmed_totp(user)
        login(client, user.email)
        content = client.get(account_page.url).content.decode()
        assert "/portal/2fa/verify/" in content
        assert user.email not in content and "Change password" not in content

    def test_an_unconfirmed_email_address_is_the_next_step(self, client, account_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        PortalAccount.objects.filter(user=user).update(email_verified_at=None)
        client.force_login(user)
        content = client.get(account_page.url).content.decode()
        assert "/portal/verify/code/" in content and "Confirm your email address" in content
        assert "Change password" not in content

    def test_a_required_second_factor_is_the_next_step(self, client, account_page, company, tenant):
        _party, contract = tenant
        company.two_factor_policy = Company.TwoFactorPolicy.REQUIRED
        company.save()
        client.force_login(verified_tenant(contract))
        content = client.get(account_page.url).content.decode()
        assert "/portal/2fa/" in content and "Set up two-factor authentication" in content

    def test_a_verified_tenant_sees_the_account(self, client, account_page, tenant):
        party, contract = tenant
        user = verified_tenant(contract)
        PortalAccount.objects.filter(user=user).update(phone="0341 99999", contact_checked_at=timezone.now())
        client.force_login(user)
        response = client.get(account_page.url)
        content = response.content.decode()
        assert response.status_code == 200
        assert user.email in content and "0341 99999" in content
        for url in (
            "/portal/2fa/",
            "/portal/password/change/",
            "/portal/logout/everywhere/",
            "/portal/account/contact/",
        ):
            assert f'href="{url}"' in content, url
        assert "Two-factor authentication is off." in content
        assert no_cache(response)

    def test_my_contracts_leads_to_the_contracts_not_to_the_account_again(self, client, account_page, tenant):
        import re

        _party, contract = tenant
        client.force_login(verified_tenant(contract))
        content = client.get(account_page.url).content.decode()
        (href,) = re.findall(r'<a href="([^"]+)">My contracts</a>', content)
        assert href == "/portal/contracts/"
        assert client.get(href).status_code == 200

    def test_shows_the_methods_set_up(self, client, account_page, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        device = confirmed_totp(user)
        login(client, user.email)
        from tests.accounts.twofactor_helpers import now_code

        client.post("/portal/2fa/verify/", {"method": "totp", "code": now_code(device)})
        content = client.get(account_page.url).content.decode()
        assert "Two-factor authentication is on" in content and "Authenticator app" in content

    def test_another_tenant_sees_only_their_own_data(self, client, account_page, company):
        _first_party, first_contract = make_tenant(company, last_name="Erste")
        _second_party, second_contract = make_tenant(company, last_name="Zweite")
        verified_tenant(first_contract, email="erste@example.org")
        client.force_login(verified_tenant(second_contract, email="zweite@example.org"))
        content = client.get(account_page.url).content.decode()
        assert "zweite@example.org" in content and "erste@example.org" not in content
