"""Registration over the API: the web's flows with the emailed 6-digit code."""

import pytest
from django.core import mail

from tests.accounts.flow_helpers import mail_code
from tests.api.conftest import API, PASSWORD, client_for
from tests.factories import CompanyFactory, ContractFactory, PartyFactory, UnitFactory
from wagtail_tenantportal.accounts import services as account_services
from wagtail_tenantportal.accounts.models import PortalAccount, RegistrationClaim
from wagtail_tenantportal.tenancy.models import Company, ContractParty


@pytest.fixture
def letter(db):
    """A contract of the Lindenhof with a tenant who got a registration letter: (contract, code)."""
    company = CompanyFactory(name="WG Lindenhof Nord", slug="lindenhof-nord")
    contract = ContractFactory(unit=UnitFactory(property__company=company), company=company, number="70001")
    party = PartyFactory(company=company, first_name="Jonas", last_name="Becker")
    ContractParty.objects.create(contract=contract, party=party, role=ContractParty.Role.MAIN_TENANT)
    return contract, account_services.issue_code(party, contract).code


def register(contract, code, email="jonas@example.org", **overrides):
    body = {
        "contract_number": contract.number,
        "code": code,
        "last_name": "Becker",
        "email": email,
        "password": PASSWORD,
        "consents": ["privacy", "terms"],
        "device_name": "Jonas' Telefon",
    }
    body.update(overrides)
    return client_for().post(API + "register/code/", body, format="json")


def test_registration_with_letter_code_then_emailed_code(letter):
    contract, code = letter
    response = register(contract, code)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "verification_sent" and body["verification_token"].startswith("tpv_")
    verification = client_for(body["verification_token"])
    assert verification.get(API + "me/").status_code == 401
    message = mail.outbox[-1]
    assert message.to == ["jonas@example.org"]
    emailed = mail_code(message)
    wrong = verification.post(
        API + "auth/email/verify/", {"code": "000000" if emailed != "000000" else "111111"}, format="json"
    )
    assert wrong.status_code == 400
    ok = verification.post(API + "auth/email/verify/", {"code": emailed}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "contact_check_required"
    tenant = client_for(ok.json()["token"])
    refused = tenant.get(API + "requests/")
    assert refused.status_code == 403 and refused.json()["step"] == "contact_check_required"
    checked = tenant.patch(API + "me/profile/", {"mobile": "0170 1234567"}, format="json")
    assert checked.status_code == 200 and checked.json()["mobile"] == "+491701234567"
    assert tenant.get(API + "requests/").status_code == 200
    contracts = tenant.get(API + "contracts/").json()["results"]
    assert [c["number"] for c in contracts] == ["70001"]
    replay = verification.post(API + "auth/email/verify/", {"code": emailed}, format="json")
    assert replay.status_code == 401


def test_address_in_use_answers_like_a_success(letter, world):
    contract, code = letter
    response = register(contract, code, email="erika@example.org")
    assert response.status_code == 202
    assert set(response.json()) == {"status", "email", "verification_token", "expires_in"}
    token = response.json()["verification_token"]
    guess = client_for(token).post(API + "auth/email/verify/", {"code": "123456"}, format="json")
    assert guess.status_code == 400
    assert PortalAccount.objects.filter(user__email="erika@example.org").count() == 1


def test_wrong_code_and_validation_errors(letter):
    contract, _code = letter
    wrong = register(contract, "AAAA-BBBB-CCCC")
    assert wrong.status_code == 400 and wrong.json()["fields"] == {}
    invalid = register(contract, "x", consents=["privacy"], email="not-an-email")
    fields = invalid.json()["fields"]
    assert invalid.status_code == 400 and {"email", "consents"} <= set(fields)
    unknown = register(contract, "x", favourite_colour="blau")
    assert unknown.status_code == 400 and "favourite_colour" in unknown.json()["fields"]


def test_registration_with_personal_data_then_activation(db):
    company = CompanyFactory(slug="elsteraue", registration_flow=Company.RegistrationFlow.VERIFY_LATER)
    response = client_for().post(
        API + "register/personal/",
        {
            "company": "elsteraue",
            "first_name": "Jonas",
            "last_name": "Becker",
            "street": "Auenweg 3",
            "postal_code": "04229",
            "city": "Leipzig",
            "email": "jonas@example.org",
            "password": PASSWORD,
            "consents": ["privacy", "terms", "e_delivery"],
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    verification = client_for(response.json()["verification_token"])
    ok = verification.post(API + "auth/email/verify/", {"code": mail_code(mail.outbox[-1])}, format="json")
    assert ok.json()["state"] == "pending_match"
    tenant = client_for(ok.json()["token"])
    me = tenant.get(API + "me/").json()
    assert me["registrations"][0]["status"] == RegistrationClaim.Status.PENDING
    assert tenant.get(API + "documents/").json()["step"] == "pending_match"
    wrong_activation = tenant.post(API + "me/activation/", {"code": "AAAA-BBBB"}, format="json")
    assert wrong_activation.status_code == 400
    assert company.registration_flow == Company.RegistrationFlow.VERIFY_LATER


def test_companies_open_for_registration(letter):
    response = client_for().get(API + "register/companies/")
    assert response.status_code == 200
    assert {c["slug"] for c in response.json()} >= {"lindenhof-nord"}
    assert response["ETag"]
    again = client_for().get(API + "register/companies/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
