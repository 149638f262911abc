"""The accounts blocks inside the host's own StreamField page (``tests.testapp.StreamHostPage``):
what visitors, half-logged-in sessions, tenants with a missing step and verified tenants see,
and that the forms in them lead through the portal's views."""

import re

import pytest
from django.core import mail
from django.template import Context, Template
from wagtail.models import Site

from tests.accounts.flow_helpers import PASSWORD, code_form_data, issue, login, verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp
from tests.factories import CompanyFactory, ContractFactory
from tests.testapp.models import StreamHostPage
from wagtail_tenantportal.accounts.blocks import LoginBlock, RegistrationBlock, RequestCodeBlock
from wagtail_tenantportal.accounts.models import CodeRequest, PortalAccount
from wagtail_tenantportal.accounts.pages import AccountPage, RegistrationPage
from wagtail_tenantportal.tenancy.models import Company

pytestmark = pytest.mark.django_db


def host_page(*blocks, slug="start"):
    """A published StreamHostPage under the site root with ``blocks`` ((type, value) pairs)."""
    root = Site.objects.get(is_default_site=True).root_page
    page = StreamHostPage(title="Willkommen", slug=slug, body=list(blocks))
    root.add_child(instance=page)
    return page


LOGIN = ("login", {"heading": "Mieterportal", "text": "Melden Sie sich an."})


def ids(content):
    return re.findall(r'\sid="([^"]+)"', content)


class TestLoginBlock:
    def test_visitors_see_the_form_posting_to_the_portal_with_next_back(self, client):
        page = host_page(LOGIN)
        response = client.get(page.url)
        content = response.content.decode()
        assert "HOST HEADER" in content and "HOST FOOTER" in content  # inside the host's page
        assert '<h2 id="tp-login-block-heading">Mieterportal</h2>' in content
        assert 'action="/portal/login/"' in content
        assert f'name="next" value="{page.url}"' in content
        assert 'id="tp-login-block-email"' in content and "autofocus" not in content
        assert len(ids(content)) == len(set(ids(content)))

    def test_logging_in_through_the_block_leads_back_to_the_page(self, client, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        page = host_page(LOGIN)
        response = client.post(
            "/portal/login/", {"email": user.email, "password": PASSWORD, "next": page.url}
        )
        assert response.status_code == 302 and response["Location"] == page.url
        content = client.get(page.url).content.decode()
        assert "Logged in as <strong>" + user.email in content
        assert 'href="/portal/account/"' in content and 'action="/portal/logout/"' in content
        assert 'name="password"' not in content

    def test_a_chosen_account_page_is_linked(self, client, tenant):
        _party, contract = tenant
        root = Site.objects.get(is_default_site=True).root_page
        account_page = root.add_child(instance=AccountPage(title="Mein Konto", slug="konto"))
        page = host_page(("login", {"heading": "Portal", "account_page": account_page}))
        client.force_login(verified_tenant(contract))
        assert f'href="{account_page.url}"' in client.get(page.url).content.decode()

    def test_a_half_logged_in_session_gets_the_code_step(self, client, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        confirmed_totp(user)
        page = host_page(LOGIN)
        login(client, user.email)
        content = client.get(page.url).content.decode()
        assert 'href="/portal/2fa/verify/"' in content and "Enter your security code" in content
        assert user.email not in content and 'name="password"' not in content

    def test_an_unconfirmed_address_gets_the_confirmation_step(self, client, tenant):
        _party, contract = tenant
        user = verified_tenant(contract)
        PortalAccount.objects.filter(user=user).update(email_verified_at=None)
        client.force_login(user)
        content = client.get(host_page(LOGIN).url).content.decode()
        assert "/portal/verify/code/" in content and "Confirm your email address" in content
        assert 'action="/portal/logout/"' in content

    def test_an_activation_code_step(self, client, company):
        from wagtail_tenantportal.accounts.models import RegistrationClaim

        user = verified_tenant(ContractFactory())
        account = user.tenantportal_account
        account.party_links.update(active=False)
        RegistrationClaim.objects.create(
            account=account,
            company=company,
            first_name="Jonas",
            last_name="Becker",
            street="Weg 1",
            postal_code="04109",
            city="Leipzig",
            status=RegistrationClaim.Status.MATCHED,
        )
        client.force_login(user)
        content = client.get(host_page(LOGIN).url).content.decode()
        assert "/portal/account/activate/" in content and "Enter your activation code" in content


class TestRegistrationBlock:
    def test_start_button_to_the_portals_registration(self, client, company):
        content = client.get(host_page(("registration", {"display": "button"})).url).content.decode()
        assert 'class="tp-button tp-button--primary" href="/portal/register/"' in content
        assert "Register now" in content

    def test_start_button_to_a_registration_page(self, client, company):
        root = Site.objects.get(is_default_site=True).root_page
        registration = root.add_child(instance=RegistrationPage(title="Registrieren", slug="registrieren"))
        page = host_page(("registration", {"display": "button", "registration_page": registration}))
        assert f'href="{registration.url}"' in client.get(page.url).content.decode()

    def test_choice_of_landlord(self, client, company):
        other = CompanyFactory(slug="sonnenhang")
        content = client.get(host_page(("registration", {"display": "choose"})).url).content.decode()
        assert 'method="get" action="/portal/register/"' in content
        assert f'value="{company.slug}"' in content and f'value="{other.slug}"' in content

    def test_the_code_form_itself_registers_through_the_portal(self, client, tenant):
        party, contract = tenant
        page = host_page(("registration", {"display": "form"}))
        content = client.get(page.url).content.decode()
        assert 'method="post" action="/portal/register/"' in content
        assert 'name="flow" value="code"' in content and 'id="tp-register-block-contract_number"' in content
        data = code_form_data(contract, issue(party, contract), party.last_name, "block@example.org")
        response = client.post("/portal/register/", data)
        assert response.status_code == 302 and response["Location"] == "/portal/register/done/"
        assert PortalAccount.objects.filter(user__email="block@example.org").exists()
        assert mail.outbox

    def test_the_form_falls_back_to_the_button_without_code_first_companies(self, client, company):
        company.registration_flow = Company.RegistrationFlow.VERIFY_LATER
        company.save()
        content = client.get(host_page(("registration", {"display": "form"})).url).content.decode()
        assert 'name="contract_number"' not in content and 'href="/portal/register/"' in content

    def test_tenants_see_their_account_instead(self, client, tenant):
        _party, contract = tenant
        client.force_login(verified_tenant(contract))
        content = client.get(host_page(("registration", {"display": "form"})).url).content.decode()
        assert "You already have an account." in content and 'name="contract_number"' not in content


class TestRequestCodeBlock:
    def test_the_request_goes_to_the_portal_and_the_answer_is_the_same(self, client, tenant):
        party, contract = tenant
        content = client.get(host_page(("request_code", {})).url).content.decode()
        assert 'action="/portal/register/request-code/"' in content
        assert 'id="tp-code-request-block-contract_number"' in content
        # The letter goes to the address on file: the form asks for none.
        assert 'name="street"' not in content and 'name="city"' not in content
        first = client.post(
            "/portal/register/request-code/",
            {"contract_number": contract.number, "last_name": party.last_name},
        )
        second = client.post("/portal/register/request-code/", {"contract_number": "0", "last_name": "X"})
        assert first.status_code == second.status_code == 200
        strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
        assert strip.sub(b"", first.content) == strip.sub(b"", second.content)
        assert CodeRequest.objects.filter(party=party).exists()

    def test_requests_are_limited_per_address(self, client):
        for _ in range(5):
            client.post("/portal/register/request-code/", {"contract_number": "1", "last_name": "X"})
        response = client.post("/portal/register/request-code/", {"contract_number": "1", "last_name": "X"})
        assert "Too many attempts" in response.content.decode()
        assert CodeRequest.objects.count() == 1  # the same details: one open request


class TestRenderingWithoutTheRequest:
    def test_a_block_rendered_without_include_block_shows_the_message(self):
        page = host_page(LOGIN, ("registration", {}), ("request_code", {}))
        html = Template("{% for block in page.body %}{{ block }}{% endfor %}").render(Context({"page": page}))
        assert html.count("must be rendered with {% include_block %}") == 3
        assert "<form" not in html

    @pytest.mark.parametrize("block", [LoginBlock(), RegistrationBlock(), RequestCodeBlock()])
    def test_render_without_context(self, block):
        assert "include_block" in block.render(block.to_python({}))


@pytest.mark.parametrize("display", ["button", "choose", "form"])
def test_the_registration_blocks_login_link_leads_back_to_the_page(client, company, display):
    """ "Already registered? Log in" in every display of the registration block (the choice of
    landlord and the code form are shared with the portal's own pages) carries ``next``."""
    CompanyFactory(slug="sonnenhang")
    page = host_page(("registration", {"display": display}))
    content = client.get(page.url).content.decode()
    assert content.count("Already registered? Log in") == 1
    assert f'href="/portal/login/?next={page.url.replace("/", "%2F")}"' in content


def test_the_portals_registration_pages_link_the_plain_login(client, company):
    CompanyFactory(slug="sonnenhang")
    content = client.get("/portal/register/").content.decode()
    assert '<a href="/portal/login/">' in content
