"""Consents (issue 13, item 6): the boxes link each company's texts (falling back to the
portal-wide CONSENT_URLS), the check W078 names a company without a text, the tenant sees
their consent history on the account page, and an "account activated" mail in the
company's voice when the account becomes active (code first and verify later)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.accounts import flows
from wagtail_tenantportal.accounts.checks import check_company_consent_texts
from wagtail_tenantportal.accounts.models import Consent, RegistrationClaim
from wagtail_tenantportal.tenancy.models import Company
from wagtail_tenantportal.tenancy.validators import validate_text_link

from .conftest import make_tenant
from .flow_helpers import REGISTER_URL, claim_form_data, code_form_data, issue, mail_code, mails_to, url

pytestmark = pytest.mark.django_db

GLOBAL = {"privacy": "/datenschutz/", "terms": "/nutzungsbedingungen/", "e_delivery": "/e-zustellung/"}


@pytest.fixture(autouse=True)
def _global_texts(settings):
    settings.WAGTAIL_TENANTPORTAL = {**getattr(settings, "WAGTAIL_TENANTPORTAL", {}), "CONSENT_URLS": GLOBAL}


# -- the boxes link the company's texts -----------------------------------------------------------------


def test_boxes_link_the_companys_own_texts_else_the_global_ones(client, company):
    company.privacy_url = "https://www.lindenhof.example/datenschutz/"
    company.save()
    html = client.get(REGISTER_URL, {"company": company.slug}).content.decode()
    assert 'href="https://www.lindenhof.example/datenschutz/"' in html
    assert 'href="/nutzungsbedingungen/"' in html and 'href="/e-zustellung/"' in html
    assert 'href="/datenschutz/"' not in html


def test_a_company_without_texts_uses_the_global_ones(client, company):
    html = client.get(REGISTER_URL, {"company": company.slug}).content.decode()
    assert all(f'href="{address}"' in html for address in GLOBAL.values())


@pytest.mark.parametrize("value", ["javascript:alert(1)", "datenschutz", "//evil.example/x", "ftp://x/y"])
def test_a_text_address_must_be_a_web_address_or_a_path(value):
    with pytest.raises(ValidationError):
        validate_text_link(value)


def test_web_addresses_and_paths_are_accepted():
    for value in ("", "/datenschutz/", "https://www.example.de/agb/", "http://intranet.example/x"):
        validate_text_link(value)


# -- the check -----------------------------------------------------------------------------------------------


def test_check_names_a_company_without_a_text_it_asks(settings, company):
    settings.WAGTAIL_TENANTPORTAL = {
        "CONSENT_URLS": {"privacy": "/datenschutz/", "terms": None, "e_delivery": None}
    }
    other = CompanyFactory(
        name="Bauverein Elsteraue", slug="elsteraue", terms_url="/agb/", e_delivery_url="/e/"
    )
    warnings = check_company_consent_texts()
    assert [w.id for w in warnings] == ["wagtail_tenantportal.W078"]
    assert company.display_name in warnings[0].msg and "terms" in warnings[0].msg
    assert other.display_name not in warnings[0].msg
    company.terms_url, company.e_delivery_url = "/agb/", "/e/"
    company.save()
    assert check_company_consent_texts() == []


def test_check_is_silent_for_disabled_companies(settings, company):
    settings.WAGTAIL_TENANTPORTAL = {"CONSENT_URLS": {}}
    Company.objects.update(portal_enabled=False)
    assert check_company_consent_texts() == []


# -- the history on the account page ------------------------------------------------------------------------


def test_account_page_shows_the_history_with_withdrawn_consents(client, company):
    company.e_delivery_url = "https://www.lindenhof.example/e-zustellung/"
    company.save()
    contract = ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company)))
    user = verified_portal_user(contract)
    account = user.tenantportal_account
    Consent.objects.create(account=account, kind="privacy", version="2", given_at=timezone.now())
    Consent.objects.create(
        account=account,
        kind="e_delivery",
        version="1",
        given_at=timezone.now() - timezone.timedelta(days=30),
        withdrawn_at=timezone.now() - timezone.timedelta(days=2),
    )
    client.force_login(user)
    html = client.get(url("account")).content.decode()
    assert "Privacy notice" in html and "Electronic delivery of documents" in html
    assert 'href="https://www.lindenhof.example/e-zustellung/"' in html and 'href="/datenschutz/"' in html
    table = html[html.index("tp-consent-history") :]
    e_delivery = table[table.index("Electronic delivery of documents") :]
    e_delivery = e_delivery[: e_delivery.index("</tr>")]
    privacy = table[table.index("Privacy notice") :]
    privacy = privacy[: privacy.index("</tr>")]
    assert e_delivery.count("<time") == 2  # given and withdrawn
    assert privacy.count("<time") == 1 and "–" in privacy  # given, not withdrawn
    assert table.index("Privacy notice") < table.index("Electronic delivery of documents")  # newest first


def test_another_tenant_sees_none_of_the_history(client, company):
    mine = verified_portal_user(ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company))))
    Consent.objects.create(account=mine.tenantportal_account, kind="terms", version="MEINE-7")
    for other_company in (company, CompanyFactory(name="Andere eG", slug="andere")):
        other = verified_portal_user(
            ContractFactory(unit=UnitFactory(property=PropertyFactory(company=other_company)))
        )
        client.force_login(other)
        assert "MEINE-7" not in client.get(url("account")).content.decode()


# -- the "account activated" mail ------------------------------------------------------------------------------


def _activated(address):
    return [m for m in mails_to(address) if "your account is active" in m.subject]


def test_code_first_mails_when_the_address_is_confirmed(client, company, tenant):
    party, contract = tenant
    company.mail_from = "WG Lindenhof <service@lindenhof.example>"
    company.save()
    client.post(REGISTER_URL, code_form_data(contract, issue(party, contract), "Müller", "erika@example.org"))
    assert _activated("erika@example.org") == []
    client.post(url("verify_email_code"), {"code": mail_code(mails_to("erika@example.org")[-1])})
    (message,) = _activated("erika@example.org")
    assert message.from_email == "WG Lindenhof <service@lindenhof.example>"
    assert company.display_name in message.body


def test_verify_later_mails_after_the_activation_code(client):
    later = CompanyFactory(
        name="Bauverein Süd", slug="sued", registration_flow=Company.RegistrationFlow.VERIFY_LATER
    )
    party, contract = make_tenant(later, last_name="Becker", first_name="Jonas")
    client.post(REGISTER_URL, claim_form_data(later, "jonas@example.org", contract_number=contract.number))
    client.post(url("verify_email_code"), {"code": mail_code(mail.outbox[-1])})
    assert _activated("jonas@example.org") == []  # confirmed, but not linked to a contract yet
    issued = flows.match_claim(RegistrationClaim.objects.get(), party, None)
    assert _activated("jonas@example.org") == []
    client.post(url("activate"), {"code": issued.formatted})
    (message,) = _activated("jonas@example.org")
    assert "Bauverein Süd" in message.body


def test_the_account_page_type_shows_contact_person_and_history(client, company):
    from wagtail.models import Site

    from wagtail_tenantportal.accounts.pages import AccountPage
    from wagtail_tenantportal.tenancy.models import ContactPerson, ContactResponsibility

    home = Site.objects.get(is_default_site=True).root_page
    page = home.add_child(instance=AccountPage(title="Mein Konto", slug="mein-konto"))
    person = ContactPerson.objects.create(
        company=company, name="Petra Weber", position="Kundenbetreuerin", office_hours="Di 9-12 Uhr"
    )
    ContactResponsibility.objects.create(contact_person=person, company=company)
    user = verified_portal_user(ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company))))
    Consent.objects.create(account=user.tenantportal_account, kind="terms", version="3")
    client.force_login(user)
    html = client.get(page.url).content.decode()
    for shown in (
        "My contact person",
        "Petra Weber",
        "Kundenbetreuerin",
        "Di 9-12 Uhr",
        "tp-consent-history",
    ):
        assert shown in html
    assert 'href="/nutzungsbedingungen/"' in html
