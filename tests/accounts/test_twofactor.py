# ruff: noqa: F811  (fixtures imported from twofactor_helpers)
"""Two-factor for tenants: set-up of an authenticator app and login with it, backup codes,
codes by email, the company policy, removing methods. Through the web, with the real login."""

import base64
import time

import pyotp
import pytest
from django.core import mail
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tests.accounts.twofactor_helpers import (  # noqa: F401  (fixtures)
    ACCOUNT_URL,
    BACKUP_URL,
    DISABLE_URL,
    EMAIL_URL,
    LANDING_URL,
    LOGIN_URL,
    REAUTH_URL,
    SETUP_URL,
    TOTP_URL,
    VERIFY_URL,
    backup_codes,
    backup_codes_from_page,
    clock,
    confirmed_email_device,
    confirmed_totp,
    is_logged_in,
    now_code,
    otp_mail_code,
    password_step,
    path_of,
    reauth,
    secret_from_page,
    totp_for,
    user,
    wrong_code,
)
from wagtail_tenantportal.accounts.twofactor import services as twofactor
from wagtail_tenantportal.tenancy.models import Company

# RFC 6238, appendix B: SHA-1, secret "12345678901234567890", 8 digits, 30-second steps.
RFC6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("at", "expected"), RFC6238_SHA1)
def test_the_independent_totp_implementation_matches_rfc_6238(at, expected):
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert pyotp.TOTP(secret, digits=8, interval=30).at(at) == expected


def test_django_otp_agrees_with_the_rfc_vectors_too(db, clock):
    from tests.factories import UserFactory

    device = TOTPDevice.objects.create(
        user=UserFactory(), key=b"12345678901234567890".hex(), digits=8, tolerance=0
    )
    clock.move_to("2009-02-13 23:31:30")  # 1234567890
    assert device.verify_token("89005924")


class TestAuthenticatorApp:
    def enrol(self, client, user):
        """Log in, confirm the password, open the app set-up; return the set-up page."""
        assert path_of(password_step(client, user)) == LANDING_URL
        response = client.get(TOTP_URL)
        assert path_of(response) == REAUTH_URL  # the password again first
        response = reauth(client)
        response = client.get(TOTP_URL)
        assert response.status_code == 200
        return response

    def test_set_up_with_the_qr_secret_and_log_in_with_codes_of_an_independent_implementation(
        self, client, user, company, clock
    ):
        company.portal_name = "Lindenhof-Portal"
        company.save()
        page = self.enrol(client, user)
        content = page.content.decode()
        assert "<svg" in content and "QR" in content
        assert 'autocomplete="one-time-code"' in content and 'inputmode="numeric"' in content
        secret = secret_from_page(page.content)
        app = pyotp.TOTP(secret)  # what the tenant's phone computes

        # The QR code carries the same secret, the portal name as issuer and the email as account.
        device = TOTPDevice.objects.get(user=user)
        uri = twofactor.totp_config_url(device, issuer=twofactor.issuer_name(user))
        parsed = pyotp.parse_uri(uri)
        assert parsed.secret == secret and parsed.issuer == "Lindenhof-Portal"
        assert parsed.name.endswith(user.email)  # label "issuer:account" as the Key URI format asks
        assert not device.confirmed

        response = client.post(TOTP_URL, {"code": app.at(time.time())})
        assert path_of(response) == BACKUP_URL
        device.refresh_from_db()
        assert device.confirmed
        codes_page = client.get(BACKUP_URL)
        codes = backup_codes_from_page(codes_page.content)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert backup_codes_from_page(client.get(BACKUP_URL).content) == []  # shown once
        assert ModelLogEntry.objects.filter(action=twofactor.ACTION_ENABLED).exists()

        # Next login: password, then a code from the app.
        client.post("/portal/logout/")
        clock.tick(60)
        response = password_step(client, user)
        assert path_of(response) == VERIFY_URL
        assert not is_logged_in(client)
        response = client.post(VERIFY_URL, {"method": "totp", "code": app.at(time.time())})
        assert path_of(response) == LANDING_URL
        assert is_logged_in(client)
        assert client.get(ACCOUNT_URL).status_code == 200

    def test_a_wrong_first_code_does_not_turn_it_on(self, client, user, clock):
        self.enrol(client, user)
        device = TOTPDevice.objects.get(user=user)
        response = client.post(TOTP_URL, {"code": wrong_code(device)})
        assert response.status_code == 200
        assert "The code is not valid" in response.content.decode()
        assert 'role="alert"' in response.content.decode()  # error summary
        device.refresh_from_db()
        assert not device.confirmed
        assert not twofactor.user_has_device(user)

    def test_a_code_works_only_once(self, client, user, clock):
        device = confirmed_totp(user)
        code = now_code(device)
        password_step(client, user)
        assert path_of(client.post(VERIFY_URL, {"method": "totp", "code": code})) == LANDING_URL
        client.post("/portal/logout/")
        password_step(client, user)
        response = client.post(VERIFY_URL, {"method": "totp", "code": code})
        assert response.status_code == 200 and not is_logged_in(client)

    def test_setting_up_needs_a_verified_email(self, client, user):
        account = user.tenantportal_account
        account.email_verified_at = None
        account.save()
        client.force_login(user)
        response = client.get(TOTP_URL)
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=user).exists()
        with pytest.raises(twofactor.TwoFactorError):
            twofactor.start_totp_setup(user)

    def test_the_password_is_needed_again_and_expires(self, client, user, clock):
        password_step(client, user)
        response = reauth(client, password="wrong")
        assert response.status_code == 200 and "The password is not correct" in response.content.decode()
        assert path_of(client.get(TOTP_URL)) == REAUTH_URL
        reauth(client)
        assert client.get(TOTP_URL).status_code == 200
        clock.tick(601)
        assert path_of(client.get(TOTP_URL)) == REAUTH_URL

    def test_wrong_passwords_on_the_confirmation_page_are_limited(self, client, user, clock):
        password_step(client, user)
        for _ in range(5):
            reauth(client, password="wrong")
        response = reauth(client)  # even the right one while locked out
        assert "Too many attempts" in response.content.decode()
        assert path_of(client.get(TOTP_URL)) == REAUTH_URL
        clock.tick(15 * 60 + 1)
        reauth(client)
        assert client.get(TOTP_URL).status_code == 200


class TestBackupCodes:
    def test_a_backup_code_works_once(self, client, user, clock):
        confirmed_totp(user)
        codes = backup_codes(user)
        password_step(client, user)
        page = client.get(VERIFY_URL, {"method": "backup"})
        assert 'autocomplete="off"' in page.content.decode()
        spaced = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"  # as printed, in groups
        response = client.post(VERIFY_URL, {"method": "backup", "code": spaced})
        assert path_of(response) == LANDING_URL
        assert StaticToken.objects.filter(device__user=user).count() == 2
        client.post("/portal/logout/")
        password_step(client, user)
        response = client.post(VERIFY_URL, {"method": "backup", "code": codes[0]})
        assert response.status_code == 200 and not is_logged_in(client)
        assert "The code is not valid" in response.content.decode()
        response = client.post(VERIFY_URL, {"method": "backup", "code": codes[1]})
        assert "Please wait 1 second" in response.content.decode()  # django-otp's delay
        clock.tick(1)
        response = client.post(VERIFY_URL, {"method": "backup", "code": codes[1]})
        assert path_of(response) == LANDING_URL

    def test_new_codes_replace_the_old_ones(self, client, user, clock):
        device = confirmed_totp(user)
        old = backup_codes(user)
        password_step(client, user)
        client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        response = client.post(BACKUP_URL)
        assert path_of(response) == REAUTH_URL
        reauth(client)
        response = client.post(BACKUP_URL)
        new = backup_codes_from_page(client.get(BACKUP_URL).content)
        assert len(new) == 10
        stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
        assert stored == set(new) and not stored & set(old)


class TestEmailCodes:
    def test_set_up_codes_by_email_and_log_in_with_one(self, client, user, clock):
        password_step(client, user)
        reauth(client)
        page = client.get(EMAIL_URL)
        assert page.status_code == 200 and "e***@example.org" in page.content.decode()
        client.post(EMAIL_URL, {"action": "send"})
        code = otp_mail_code(user.email)
        response = client.post(EMAIL_URL, {"action": "confirm", "code": code})
        assert path_of(response) == BACKUP_URL
        assert EmailDevice.objects.get(user=user).confirmed

        client.post("/portal/logout/")
        mail.outbox.clear()
        clock.tick(120)
        password_step(client, user)
        assert not mail.outbox  # nothing is sent before the tenant asks for it
        page = client.get(VERIFY_URL)
        assert "Send me a code by email" in page.content.decode()
        client.post(VERIFY_URL, {"method": "email", "action": "send"})
        code = otp_mail_code(user.email)
        response = client.post(VERIFY_URL, {"method": "email", "code": code})
        assert path_of(response) == LANDING_URL

    def test_email_is_a_fallback_next_to_the_app(self, client, user, clock):
        confirmed_totp(user)
        confirmed_email_device(user)
        password_step(client, user)
        page = client.get(VERIFY_URL)
        assert "Get a code by email" in page.content.decode()
        client.post(VERIFY_URL, {"method": "email", "action": "send"})
        response = client.post(VERIFY_URL, {"method": "email", "code": otp_mail_code(user.email)})
        assert path_of(response) == LANDING_URL

    def test_sending_is_rate_limited(self, client, user, clock):
        confirmed_email_device(user)
        password_step(client, user)
        client.post(VERIFY_URL, {"method": "email", "action": "send"})
        response = client.post(VERIFY_URL, {"method": "email", "action": "send"}, follow=True)
        assert "Too many attempts" in response.content.decode()  # django-otp's cooldown (60 s)
        assert len(mail.outbox) == 1
        for _ in range(6):
            clock.tick(61)
            client.post(VERIFY_URL, {"method": "email", "action": "send"})
        assert len(mail.outbox) == 5  # two_factor_email_send: 5 per hour
        clock.tick(3600)
        password_step(client, user)
        client.post(VERIFY_URL, {"method": "email", "action": "send"})
        assert len(mail.outbox) == 6

    def test_an_expired_email_code_is_refused(self, client, user, clock):
        confirmed_email_device(user)
        password_step(client, user)
        client.post(VERIFY_URL, {"method": "email", "action": "send"})
        code = otp_mail_code(user.email)
        clock.tick(299)  # OTP_EMAIL_TOKEN_VALIDITY 300 s; the pending login lasts 300 s too
        clock.tick(2)
        response = client.post(VERIFY_URL, {"method": "email", "code": code})
        assert not is_logged_in(client)
        assert response.status_code == 302  # the pending login has expired as well


class TestCompanyPolicy:
    @pytest.fixture
    def required(self, company):
        company.two_factor_policy = Company.TwoFactorPolicy.REQUIRED
        company.save()
        return company

    def test_set_up_is_forced_before_the_portal(self, client, user, required, clock):
        assert twofactor.policy_requires_two_factor(user)
        response = password_step(client, user)
        assert is_logged_in(client)
        response = client.get(ACCOUNT_URL)
        assert path_of(response) == SETUP_URL
        page = client.get(SETUP_URL)
        assert page.status_code == 200
        assert "Please set up two-factor authentication to continue" in page.content.decode()
        reauth(client)
        secret = secret_from_page(client.get(TOTP_URL).content)
        client.post(TOTP_URL, {"code": pyotp.TOTP(secret).at(time.time())})
        assert client.get(ACCOUNT_URL).status_code == 200

    def test_the_only_method_cannot_be_removed(self, client, user, required, clock):
        device = confirmed_totp(user)
        password_step(client, user)
        client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        reauth(client)
        page = client.get(DISABLE_URL)
        assert "cannot remove your only method" in page.content.decode()
        response = client.post(DISABLE_URL, {"method": "totp"})
        assert response.status_code == 200
        assert TOTPDevice.objects.filter(user=user).exists()
        # With a second method the first may go; two-factor stays on.
        confirmed_email_device(user)
        response = client.post(DISABLE_URL, {"method": "totp"})
        assert path_of(response) == SETUP_URL
        assert not TOTPDevice.objects.filter(user=user).exists()
        assert client.get(ACCOUNT_URL).status_code == 200  # still a verified session

    def test_optional_policy_lets_the_tenant_turn_it_off(self, client, user, clock):
        device = confirmed_totp(user)
        backup_codes(user)
        password_step(client, user)
        client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        assert path_of(client.get(DISABLE_URL)) == REAUTH_URL
        reauth(client)
        response = client.post(DISABLE_URL, {"method": "totp"})
        assert path_of(response) == SETUP_URL
        assert not twofactor.user_has_device(user)  # backup codes went with the last method
        client.post("/portal/logout/")
        assert path_of(password_step(client, user)) == LANDING_URL


def test_verify_without_a_pending_login_goes_to_the_login_page(client, db):
    response = client.get(VERIFY_URL)
    assert path_of(response) == LOGIN_URL


def test_next_address_survives_the_second_factor(client, user, clock):
    device = confirmed_totp(user)
    response = password_step(client, user, next="/portal/2fa/")
    assert path_of(response) == VERIFY_URL
    response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
    assert response["Location"] == "/portal/2fa/"


def test_an_outside_next_address_is_dropped(rf, user):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    twofactor.begin_second_factor(request, user, next_url="https://evil.example/")
    assert twofactor.pending_login(request).next_url == ""


def test_the_package_offers_the_names_of_its_services():
    """Two-factor is a package; ``accounts.auth`` loads its services, and code written for
    the former module ``accounts.twofactor`` still finds the same names on the package."""
    from wagtail_tenantportal.accounts import auth
    from wagtail_tenantportal.accounts import twofactor as package

    assert auth.twofactor_module() is twofactor
    assert package.status is twofactor.status
    assert package.PendingExpired is twofactor.PendingExpired
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
