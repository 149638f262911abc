"""Registration through the web: code first, verify later, the company choice, bad input."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from tests.factories import CompanyFactory, UserFactory
from wagtail_tenantportal.accounts import flows, services
from wagtail_tenantportal.accounts.models import (
    AccountParty,
    Consent,
    EmailVerification,
    PortalAccount,
    RegistrationClaim,
    RegistrationCode,
)
from wagtail_tenantportal.tenancy.models import Company, Contract

from .conftest import make_tenant
from .flow_helpers import (
    PASSWORD,
    REGISTER_URL,
    claim_form_data,
    code_form_data,
    issue,
    login,
    mail_code,
    mail_link,
    mails_to,
    url,
    without_csrf,
)

pytestmark = pytest.mark.django_db

GENERIC = str(services.RegistrationCodeInvalid.message)


@pytest.fixture(autouse=True)
def _password_rules(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 10},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    ]


def nothing_saved(code_record=None, users_before=0):
    assert get_user_model().objects.count() == users_before
    assert PortalAccount.objects.count() == 0
    assert Consent.objects.count() == 0
    assert EmailVerification.objects.count() == 0
    if code_record is not None:
        code_record.refresh_from_db()
        assert code_record.used_at is None


class TestCodeFirst:
    def test_form_shows_password_rules_before_the_input_and_accessible_attributes(self, client, tenant):
        response = client.get(REGISTER_URL)
        assert response.status_code == 200
        html = response.content.decode()
        rules = html.index("at least 10 characters")
        assert rules < html.index('name="password1"')
        assert 'autocomplete="new-password"' in html
        assert 'autocomplete="email"' in html
        assert 'aria-describedby="id_password1_helptext"' in html
        assert 'for="id_code"' in html

    def test_register_verify_by_link_login_and_account_page(self, client, tenant, company):
        party, contract = tenant
        code = issue(party, contract)
        response = client.post(
            REGISTER_URL, code_form_data(contract, code, "Müller", "Erika.Mueller@Example.org")
        )
        assert response.status_code == 302
        assert response.url == url("register_done")

        user = get_user_model().objects.get()
        assert user.username == "erika.mueller@example.org"
        assert user.email == "erika.mueller@example.org"
        assert user.check_password(PASSWORD)
        account = user.tenantportal_account
        assert account.email_verified_at is None
        link = AccountParty.objects.get(account=account)
        assert (link.party, link.active) == (party, True)
        assert RegistrationCode.objects.get().used_by == user
        assert sorted(Consent.objects.filter(account=account).values_list("kind", "version")) == [
            ("privacy", "1"),
            ("terms", "1"),
        ]
        (message,) = mails_to("erika.mueller@example.org")
        assert "confirm" in message.subject

        done = client.get(url("register_done"))
        assert b"erika.mueller@example.org" in done.content
        assert b'autocomplete="one-time-code"' in done.content
        assert b'inputmode="numeric"' in done.content

        # Nothing is usable before the confirmation.
        client.logout()
        response = login(client, "erika.mueller@example.org")
        assert response.url.startswith(url("verify_email_code"))
        assert client.get(url("account")).url.startswith(url("verify_email_code"))
        client.logout()

        # The GET of the link confirms nothing (mail scanners); the POST does.
        path = mail_link(message)
        page = client.get(path)
        assert page.status_code == 200
        assert b'<form method="post"' in page.content
        account.refresh_from_db()
        assert account.email_verified_at is None
        response = client.post(path)
        assert response.url == url("login")
        account.refresh_from_db()
        assert account.email_verified_at is not None

        response = login(client, "erika.mueller@example.org")
        assert response.url == url("contact_check")
        page = client.get(url("contact_check"))
        assert party.street.encode() in page.content
        response = client.post(url("contact_check"), {"phone": "0341 111", "mobile": "", "phone_work": ""})
        assert response.url == url("dashboard")
        page = client.get(url("account"))
        assert page.status_code == 200
        assert contract.number.encode() in page.content
        assert page["Cache-Control"].startswith("max-age=0")

    def test_verify_by_code_in_the_registration_session_logs_in(self, client, tenant):
        party, contract = tenant
        client.post(REGISTER_URL, code_form_data(contract, issue(party, contract), "Müller", "e@example.org"))
        code = mail_code(mail.outbox[-1])
        response = client.post(url("verify_email_code"), {"code": code})
        assert response.url == url("contact_check")
        assert client.session["_auth_user_id"] == str(get_user_model().objects.get().pk)

    def test_company_is_found_by_the_code_alone(self, client, tenant):
        other = CompanyFactory(slug="andere")
        make_tenant(other)
        party, contract = tenant
        chooser = client.get(REGISTER_URL)
        assert b'type="radio"' in chooser.content
        assert b"?flow=code" in chooser.content
        form = client.get(REGISTER_URL + "?flow=code")
        assert b'name="code"' in form.content
        response = client.post(
            REGISTER_URL, code_form_data(contract, issue(party, contract), "Müller", "e@example.org")
        )
        assert response.url == url("register_done")
        assert AccountParty.objects.get().party == party

    def test_company_from_the_query_string_and_its_code_only(self, client, tenant, company):
        other = CompanyFactory(slug="andere")
        party, contract = tenant
        code = issue(party, contract)
        assert b'name="code"' in client.get(REGISTER_URL + "?company=lindenhof").content
        data = code_form_data(contract, code, "Müller", "e@example.org", company=other.slug)
        response = client.post(REGISTER_URL, data)
        assert GENERIC in response.content.decode()
        assert client.get(REGISTER_URL + "?company=unbekannt").status_code == 404

    def test_e_delivery_consent_is_stored_when_given(self, client, tenant, settings):
        settings.WAGTAIL_TENANTPORTAL = {
            "CONSENT_VERSIONS": {"privacy": "2025-01", "terms": "3", "e_delivery": "2"}
        }
        party, contract = tenant
        data = code_form_data(
            contract, issue(party, contract), "Müller", "e@example.org", consent_e_delivery="on"
        )
        client.post(REGISTER_URL, data)
        assert sorted(Consent.objects.values_list("kind", "version")) == [
            ("e_delivery", "2"),
            ("privacy", "2025-01"),
            ("terms", "3"),
        ]


class TestCodeFirstBadInput:
    """Every wrong secret gives the same message, and nothing is saved."""

    def post(self, client, data):
        response = client.post(REGISTER_URL, data)
        assert response.status_code == 200
        assert GENERIC in response.content.decode()
        assert not mail.outbox
        return response

    @pytest.mark.parametrize(
        "change",
        ["code", "contract_number", "last_name", "expired", "used", "revoked", "registered", "ended"],
    )
    def test_same_message_and_nothing_saved(self, client, tenant, change):
        party, contract = tenant
        code = issue(party, contract)
        record = RegistrationCode.objects.get()
        data = code_form_data(contract, code, "Müller", "neu@example.org")
        users_before = 0
        if change == "code":
            data["code"] = "2345-6789-ABCD"
        elif change == "contract_number":
            data["contract_number"] = contract.number + "9"
        elif change == "last_name":
            data["last_name"] = "Schulze"
        elif change == "expired":
            RegistrationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        elif change == "used":
            RegistrationCode.objects.update(used_at=timezone.now())
        elif change == "revoked":
            services.revoke_code(record)
        elif change == "registered":
            account = PortalAccount.objects.create(user=UserFactory())
            AccountParty.objects.create(account=account, party=party)
            users_before = 1
        elif change == "ended":
            Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ENDED)
        self.post(client, data)
        if change == "registered":
            assert get_user_model().objects.count() == 1
            assert PortalAccount.objects.count() == 1
            assert Consent.objects.count() == 0
        else:
            nothing_saved(None if change == "used" else record, users_before)

    def test_field_errors_keep_the_code_unused(self, client, tenant):
        party, contract = tenant
        code = issue(party, contract)
        record = RegistrationCode.objects.get()
        cases = [
            {"password2": "Anders-als-oben-123"},
            {"password1": "kurz", "password2": "kurz"},
            {"password1": "password123", "password2": "password123"},
            {"consent_privacy": None},
            {"consent_terms": None},
            {"email": "kein-at-zeichen"},
            {"contract_number": ""},
        ]
        for overrides in cases:
            data = {**code_form_data(contract, code, "Müller", "e@example.org"), **overrides}
            response = client.post(
                REGISTER_URL, {key: value for key, value in data.items() if value is not None}
            )
            assert response.status_code == 200
            assert b"tp-error-summary" in response.content
            assert b'aria-invalid="true"' in response.content
        nothing_saved(record)
        assert not mail.outbox
        # The code still works afterwards.
        response = client.post(REGISTER_URL, code_form_data(contract, code, "Müller", "e@example.org"))
        assert response.url == url("register_done")

    def test_code_of_a_matched_claim_cannot_register_a_second_account(self, client, tenant, company):
        party, contract = tenant
        claimant = PortalAccount.objects.create(user=UserFactory(), email_verified_at=timezone.now())
        claim = RegistrationClaim.objects.create(
            account=claimant,
            company=company,
            first_name="E",
            last_name="Müller",
            street="x",
            postal_code="1",
            city="y",
        )
        issued = flows.match_claim(claim, party, None)
        mail.outbox.clear()
        self.post(client, code_form_data(contract, issued.code, "Müller", "zweit@example.org"))

    def test_brute_force_of_codes_is_stopped_and_the_lockout_expires(self, client, tenant, frozen_clock):
        party, contract = tenant
        code = issue(party, contract)
        for attempt in range(5):
            self.post(
                client, code_form_data(contract, f"2345-6789-ABC{attempt + 2}", "Müller", "e@example.org")
            )
        response = client.post(REGISTER_URL, code_form_data(contract, code, "Müller", "e@example.org"))
        assert "Too many attempts" in response.content.decode()
        assert not PortalAccount.objects.exists()
        frozen_clock.advance(15 * 60 + 1)
        response = client.post(REGISTER_URL, code_form_data(contract, code, "Müller", "e@example.org"))
        assert response.url == url("register_done")


class TestNoEnumeration:
    def test_email_in_use_looks_like_success_and_notifies_the_owner(self, client, company):
        existing = UserFactory(username="belegt@example.org", email="belegt@example.org")
        first, first_contract = make_tenant(company, last_name="Müller")
        second, second_contract = make_tenant(company, last_name="Schulz")
        code_free = issue(first, first_contract)
        code_taken = issue(second, second_contract)

        new = client.post(
            REGISTER_URL, code_form_data(first_contract, code_free, "Müller", "frei@example.org")
        )
        page_new = client.get(url("register_done")).content.replace(b"frei@example.org", b"X")
        other = client.__class__()
        taken = other.post(
            REGISTER_URL, code_form_data(second_contract, code_taken, "Schulz", "Belegt@example.org")
        )
        page_taken = other.get(url("register_done")).content.replace(b"belegt@example.org", b"X")

        assert (new.status_code, new.url) == (taken.status_code, taken.url)
        assert without_csrf(page_new) == without_csrf(page_taken)
        # Nothing saved for the address in use but the code: it is spent as in a registration
        # with a new address (issue 17), kept for the owner, who got a notice.
        assert get_user_model().objects.filter(email__iexact="belegt@example.org").get() == existing
        spent = RegistrationCode.objects.get(party=second)
        assert spent.used_at is not None and spent.used_by is None and spent.reserved_for == existing
        (notice,) = mails_to("belegt@example.org")
        assert "already" in notice.subject
        assert "/portal/password/reset/" in notice.body
        # Entering a code on that page fails exactly like a wrong code.
        wrong_real = client.post(url("verify_email_code"), {"code": "000000"})
        wrong_fake = other.post(url("verify_email_code"), {"code": "000000"})
        assert without_csrf(wrong_real.content.replace(b"frei@example.org", b"X")) == without_csrf(
            wrong_fake.content.replace(b"belegt@example.org", b"X")
        )
        assert str(flows.VerificationInvalid.message).encode() in wrong_fake.content

    def test_verify_later_with_an_address_in_use(self, client, settings):
        company = CompanyFactory(slug="spaeter", registration_flow=Company.RegistrationFlow.VERIFY_LATER)
        UserFactory(username="belegt@example.org", email="belegt@example.org")
        new = client.post(REGISTER_URL, claim_form_data(company, "frei@example.org"))
        taken = client.__class__().post(REGISTER_URL, claim_form_data(company, "belegt@example.org"))
        assert (new.status_code, new.url) == (taken.status_code, taken.url)
        assert RegistrationClaim.objects.count() == 1
        assert len(mails_to("belegt@example.org")) == 1


class TestVerifyLater:
    @pytest.fixture
    def later(self, db):
        return CompanyFactory(
            name="Bauverein Süd",
            slug="sued",
            registration_flow=Company.RegistrationFlow.VERIFY_LATER,
            two_factor_policy=Company.TwoFactorPolicy.OPTIONAL,
        )

    def test_register_verify_match_activate(self, client, later):
        party, contract = make_tenant(later, last_name="Becker", first_name="Jonas")
        form = client.get(REGISTER_URL)
        assert b'autocomplete="given-name"' in form.content
        assert b'autocomplete="postal-code"' in form.content
        # A one-line street field: "street-address" belongs to a <textarea> only (the Nu checker says so).
        assert b'autocomplete="address-line1"' in form.content and b"street-address" not in form.content
        response = client.post(
            REGISTER_URL, claim_form_data(later, "jonas@example.org", contract_number=contract.number)
        )
        assert response.url == url("register_done")
        claim = RegistrationClaim.objects.get()
        assert (claim.status, claim.company, claim.contract_number) == ("pending", later, contract.number)
        assert not AccountParty.objects.exists()
        # Not for staff before the address is confirmed.
        assert not RegistrationClaim.objects.awaiting_match().exists()

        code = mail_code(mail.outbox[-1])
        response = client.post(url("verify_email_code"), {"code": code})
        assert response.url.startswith(url("activate"))
        assert list(RegistrationClaim.objects.awaiting_match()) == [claim]
        page = client.get(url("activate"))
        assert b"checking your details" in page.content
        assert b'name="code"' not in page.content
        assert client.get(url("account")).url.startswith(url("activate"))
        user = get_user_model().objects.get(email="jonas@example.org")
        assert not Contract.objects.visible_to(user).exists()

        staff = UserFactory(is_staff=True)
        issued = flows.match_claim(claim, party, staff)
        claim.refresh_from_db()
        assert (claim.status, claim.party, claim.code, claim.decided_by) == (
            "matched",
            party,
            issued.record,
            staff,
        )
        assert issued.record.contract == contract
        assert not AccountParty.objects.exists()
        assert mails_to("jonas@example.org")[-1].subject.endswith("on its way")

        client.logout()
        response = login(client, "jonas@example.org")
        assert response.url == url("activate")
        page = client.get(url("activate"))
        assert b'name="code"' in page.content
        wrong = client.post(url("activate"), {"code": "2345-6789-ABCD"})
        assert str(flows.ActivationInvalid.message) in wrong.content.decode()
        assert not AccountParty.objects.exists()

        response = client.post(url("activate"), {"code": issued.formatted.lower()})
        assert response.url == url("contact_check")
        link = AccountParty.objects.get()
        assert (link.party, link.active) == (party, True)
        claim.refresh_from_db()
        assert claim.activated_at is not None
        assert Contract.objects.visible_to(user).get() == contract
        client.post(url("contact_check"), {"phone": "", "mobile": "0170 1234567", "phone_work": ""})
        assert contract.number.encode() in client.get(url("account")).content

    def test_reprinted_letter_code_activates_too(self, client, later):
        party, contract = make_tenant(later, last_name="Becker")
        client.post(REGISTER_URL, claim_form_data(later, "jonas@example.org"))
        client.post(url("verify_email_code"), {"code": mail_code(mail.outbox[-1])})
        claim = RegistrationClaim.objects.get()
        issued = flows.match_claim(claim, party, None)
        reprinted = services.issue_code(party, contract)  # revokes the first one
        assert (
            str(flows.ActivationInvalid.message)
            in client.post(url("activate"), {"code": issued.code}).content.decode()
        )
        response = client.post(url("activate"), {"code": reprinted.code})
        assert response.url == url("contact_check")

    def test_rejected_claim_is_shown_and_sees_nothing(self, client, later):
        client.post(REGISTER_URL, claim_form_data(later, "jonas@example.org"))
        client.post(url("verify_email_code"), {"code": mail_code(mail.outbox[-1])})
        claim = RegistrationClaim.objects.get()
        flows.reject_claim(claim, None, note="unbekannt")
        page = client.get(url("activate"))
        assert b"could not find your contract" in page.content
        assert client.get(url("account")).status_code == 302
        with pytest.raises(ValueError):
            flows.match_claim(claim, make_tenant(later)[0], None)

    def test_match_checks_company_and_contract(self, later, company):
        account = PortalAccount.objects.create(user=UserFactory())
        claim = RegistrationClaim.objects.create(
            account=account,
            company=later,
            first_name="A",
            last_name="B",
            street="c",
            postal_code="1",
            city="d",
        )
        foreign, _ = make_tenant(company)
        with pytest.raises(ValueError):
            flows.match_claim(claim, foreign, None)
        party, contract = make_tenant(later)
        Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ENDED)
        with pytest.raises(ValueError):
            flows.match_claim(claim, party, None)
        claim.refresh_from_db()
        assert claim.status == "pending"

    def test_missing_personal_data_saves_nothing(self, client, later):
        response = client.post(REGISTER_URL, claim_form_data(later, "jonas@example.org", street="", city=""))
        assert response.status_code == 200
        assert b"tp-error-summary" in response.content
        assert not RegistrationClaim.objects.exists()
        nothing_saved()

    def test_activation_brute_force_is_stopped_and_expires(self, client, later, frozen_clock):
        party, _ = make_tenant(later, last_name="Becker")
        client.post(REGISTER_URL, claim_form_data(later, "jonas@example.org"))
        client.post(url("verify_email_code"), {"code": mail_code(mail.outbox[-1])})
        issued = flows.match_claim(RegistrationClaim.objects.get(), party, None)
        for attempt in range(5):
            client.post(url("activate"), {"code": f"2345-6789-ABC{attempt + 2}"})
        locked = client.post(url("activate"), {"code": issued.code})
        assert "Too many attempts" in locked.content.decode()
        assert not AccountParty.objects.exists()
        frozen_clock.advance(15 * 60 + 1)
        assert client.post(url("activate"), {"code": issued.code}).url == url("contact_check")


def test_signals_tell_about_registration_and_confirmation(client, db):
    from wagtail_tenantportal.accounts.signals import account_registered, email_confirmed

    later = CompanyFactory(slug="signale", registration_flow=Company.RegistrationFlow.VERIFY_LATER)
    received = []

    def registered(sender, account, flow, **kwargs):
        received.append(("registered", account.pk, flow))

    def confirmed(sender, account, **kwargs):
        received.append(("confirmed", account.pk, RegistrationClaim.objects.awaiting_match().count()))

    account_registered.connect(registered)
    email_confirmed.connect(confirmed)
    try:
        client.post(REGISTER_URL, claim_form_data(later, "signal@example.org"))
        client.post(url("verify_email_code"), {"code": mail_code(mail.outbox[-1])})
    finally:
        account_registered.disconnect(registered)
        email_confirmed.disconnect(confirmed)
    pk = PortalAccount.objects.get().pk
    assert received == [("registered", pk, "verify_later"), ("confirmed", pk, 1)]


class TestAddContract:
    def test_second_contract_of_another_company_by_its_letter(self, client, tenant):
        from .flow_helpers import verified_tenant

        _, contract = tenant
        user = verified_tenant(contract, email="zwei@example.org")
        other = CompanyFactory(slug="zweite")
        party, second = make_tenant(other, last_name="Zweig")
        code = issue(party, second)
        login(client, "zwei@example.org")
        assert client.get(url("add_contract")).status_code == 200
        wrong = client.post(
            url("add_contract"), {"contract_number": second.number, "code": code, "last_name": "X"}
        )
        assert GENERIC in wrong.content.decode()
        assert Contract.objects.visible_to(user).count() == 1
        response = client.post(
            url("add_contract"), {"contract_number": second.number, "code": code, "last_name": "Zweig"}
        )
        assert response.url == url("account")
        assert set(Contract.objects.visible_to(user)) == {contract, second}
        assert RegistrationCode.objects.get(party=party).used_by == user
        page = client.get(url("account")).content
        assert contract.number.encode() in page and second.number.encode() in page
