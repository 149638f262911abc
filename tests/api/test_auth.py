"""Authentication for apps: password -> pending token -> second factor -> device token; tokens
listed, revoked, and dead after logout, "log out everywhere", password change and reset, and
account deletion; the state predicate of the web; session + CSRF for same-origin front ends."""

import time

import pyotp
import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.accounts.flow_helpers import mail_code
from tests.api.conftest import API, PASSWORD, client_for, token_for
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.accounts.twofactor import services as twofactor
from wagtail_tenantportal.api import services as tokens
from wagtail_tenantportal.api.models import AppToken, hash_secret
from wagtail_tenantportal.core.personal_data import erase_user


def login(email, password=PASSWORD, **extra):
    return client_for().post(
        API + "auth/login/", {"email": email, "password": password, **extra}, format="json"
    )


def totp_now(device):
    return pyotp.TOTP(twofactor.totp_secret(device), digits=device.digits, interval=device.step).at(
        time.time()
    )


def test_login_without_second_factor_gives_a_device_token(world):
    response = login("erika@example.org", device_name="Erikas Telefon")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "authenticated" and body["state"] == "ok" and body["step"] is None
    secret = body["token"]
    stored = AppToken.objects.get(pk=body["token_id"])
    assert stored.key_hash == hash_secret(secret) and secret not in str(stored.__dict__)
    me = client_for(secret).get(API + "me/")
    assert me.status_code == 200 and me.json()["email"] == "erika@example.org"
    assert PortalAccount.objects.get(user=world.erika).last_login_at is not None


def test_wrong_password_and_unknown_address_answer_alike(world):
    wrong = login("erika@example.org", "falsch")
    unknown = login("niemand@example.org", "falsch")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid" and wrong.json()["fields"] == {}


def test_login_attempts_share_the_webs_limit(world, client):
    for _ in range(5):
        client.post("/portal/login/", {"email": "erika@example.org", "password": "falsch"})
    response = login("erika@example.org")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts" and response.json()["retry_after"] > 0
    assert int(response["Retry-After"]) > 0


def test_pending_token_opens_only_the_second_factor(world):
    device = TOTPDevice.objects.get(user=world.paula)
    response = login("paula@example.org")
    body = response.json()
    assert body["status"] == "second_factor_required" and body["methods"] == ["totp"]
    assert "token" not in body
    pending = client_for(body["pending_token"])
    for url in ("me/", "requests/", "documents/", "feed/", "auth/tokens/"):
        refused = pending.get(API + url)
        assert refused.status_code == 401, url
        assert refused.json()["step"] == "two_factor_pending"
    wrong = pending.post(API + "auth/2fa/verify/", {"method": "totp", "code": "000000"}, format="json")
    assert wrong.status_code in (400, 429)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    ok = pending.post(API + "auth/2fa/verify/", {"method": "totp", "code": totp_now(device)}, format="json")
    assert ok.status_code == 200, ok.content
    session_token = AppToken.objects.get(pk=ok.json()["token_id"])
    assert session_token.second_factor_verified
    assert client_for(ok.json()["token"]).get(API + "me/").status_code == 200
    replay = pending.post(
        API + "auth/2fa/verify/", {"method": "totp", "code": totp_now(device)}, format="json"
    )
    assert replay.status_code == 401 and replay.json()["code"] == "token_invalid"


def test_pending_token_expires(world):
    response = login("paula@example.org")
    secret = response.json()["pending_token"]
    with freeze_time(timezone.now() + timezone.timedelta(seconds=301)):
        late = client_for(secret).post(
            API + "auth/2fa/verify/", {"method": "totp", "code": "123456"}, format="json"
        )
    assert late.status_code == 401 and late.json()["code"] == "token_invalid"


def test_a_token_without_the_second_factor_opens_nothing(world):
    """A token issued before the user set up a second factor elsewhere (or forged into the
    database without one) never skips it: the state is anonymous."""
    secret = token_for(world.paula)  # Paula has an app, this token passed no second factor
    response = client_for(secret).get(API + "requests/")
    assert response.status_code == 401


def test_company_policy_requires_two_factor_setup(world):
    company = world.contract.company
    company.two_factor_policy = company.TwoFactorPolicy.REQUIRED
    company.save()
    body = login("erika@example.org").json()
    assert body["state"] == "two_factor_setup_required" and body["step"] == "two_factor_setup_required"
    client = client_for(body["token"])
    refused = client.get(API + "requests/")
    assert refused.status_code == 403 and refused.json()["step"] == "two_factor_setup_required"
    assert "two-factor" in refused.json()["message"].lower()
    start = client.post(API + "me/two-factor/totp/", {"password": PASSWORD}, format="json")
    assert start.status_code == 200 and start.json()["otpauth_url"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(start.json()["secret"])
    confirmed = client.post(API + "me/two-factor/totp/confirm/", {"code": totp.now()}, format="json")
    assert confirmed.status_code == 200 and len(confirmed.json()["backup_codes"]) == 10
    assert client.get(API + "requests/").status_code == 200


def test_tokens_listed_and_revoked_by_the_tenant(world):
    phone = token_for(world.erika, name="Telefon")
    tablet = token_for(world.erika, name="Tablet")
    listing = client_for(phone).get(API + "auth/tokens/")
    names = {(t["name"], t["current"]) for t in listing.json()}
    assert names == {("Telefon", True), ("Tablet", False)}
    tablet_id = next(t["id"] for t in listing.json() if t["name"] == "Tablet")
    assert client_for(token_for(world.ben)).delete(API + f"auth/tokens/{tablet_id}/").status_code == 404
    assert client_for(phone).delete(API + f"auth/tokens/{tablet_id}/").status_code == 204
    assert client_for(tablet).get(API + "me/").status_code == 401


def test_logout_kills_this_token_only(world):
    phone, tablet = token_for(world.erika), token_for(world.erika)
    assert client_for(phone).post(API + "auth/logout/").status_code == 204
    assert client_for(phone).get(API + "me/").status_code == 401
    assert client_for(tablet).get(API + "me/").status_code == 200


def test_logout_everywhere_kills_every_token_and_web_session(world, client):
    client.force_login(world.erika)
    client.get("/portal/account/")  # the session is a portal session now
    phone, tablet = token_for(world.erika), token_for(world.erika)
    assert client_for(phone).post(API + "auth/logout-everywhere/").status_code == 204
    assert client_for(tablet).get(API + "me/").status_code == 401
    assert client_for(phone).get(API + "me/").status_code == 401
    assert not AppToken.objects.filter(user=world.erika).exists()


def test_logout_everywhere_on_the_web_kills_tokens(world, client):
    from tests.accounts.flow_helpers import login as web_login

    tablet = token_for(world.erika)
    web_login(client, "erika@example.org")
    client.post("/portal/logout/everywhere/")
    response = client_for(tablet).get(API + "me/")
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_password_change_keeps_this_token_and_kills_the_others(world, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}
    ]
    phone, tablet = token_for(world.erika), token_for(world.erika)
    new = "Zaunkoenig-Buntspecht-77"
    wrong = client_for(phone).post(
        API + "me/password/", {"current_password": "falsch", "new_password": new}, format="json"
    )
    assert wrong.status_code == 400
    weak = client_for(phone).post(
        API + "me/password/", {"current_password": PASSWORD, "new_password": "123"}, format="json"
    )
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    ok = client_for(phone).post(
        API + "me/password/", {"current_password": PASSWORD, "new_password": new}, format="json"
    )
    assert ok.status_code == 200, ok.content
    assert client_for(phone).get(API + "me/").status_code == 200
    assert client_for(tablet).get(API + "me/").status_code == 401
    assert login("erika@example.org", new).status_code == 200


def test_password_changed_on_the_web_kills_tokens(world):
    tablet = token_for(world.erika)
    world.erika.set_password("Zaunkoenig-Buntspecht-77")
    world.erika.save()
    assert client_for(tablet).get(API + "me/").status_code == 401


def test_account_deletion_kills_tokens(world):
    tablet = token_for(world.erika)
    erase_user(world.erika)
    assert not AppToken.objects.filter(key_hash=hash_secret(tablet)).exists()
    assert client_for(tablet).get(API + "me/").status_code == 401


def test_expired_token(world):
    secret = token_for(world.erika)
    with freeze_time(timezone.now() + timezone.timedelta(days=91)):
        response = client_for(secret).get(API + "me/")
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    assert not AppToken.objects.filter(key_hash=hash_secret(secret)).exists()


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer tps_unknown", "Token " + "x" * 300])
def test_malformed_authorization_headers(world, header):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(API + "me/")
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_password_reset_by_code(world):
    mail.outbox.clear()
    response = client_for().post(API + "auth/password/reset/", {"email": "erika@example.org"}, format="json")
    unknown = client_for().post(API + "auth/password/reset/", {"email": "niemand@example.org"}, format="json")
    assert response.status_code == unknown.status_code == 202 and response.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["erika@example.org"]]
    code = mail_code(mail.outbox[0])
    tablet = token_for(world.erika)
    new = "Zaunkoenig-Buntspecht-77"
    payload = {"email": "erika@example.org", "code": code, "password": new}
    wrong = client_for().post(
        API + "auth/password/reset/confirm/",
        {**payload, "code": "000000" if code != "000000" else "111111"},
        format="json",
    )
    assert wrong.status_code == 400
    ok = client_for().post(API + "auth/password/reset/confirm/", payload, format="json")
    assert ok.status_code == 200, ok.content
    assert client_for(tablet).get(API + "me/").status_code == 401
    replay = client_for().post(
        API + "auth/password/reset/confirm/", {**payload, "password": PASSWORD + "x"}, format="json"
    )
    assert replay.status_code == 400
    assert login("erika@example.org", new).status_code == 200


def test_browser_session_needs_csrf(world):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    refused = browser.post(
        API + "auth/login/",
        {"email": "erika@example.org", "password": PASSWORD, "client": "browser"},
        format="json",
    )
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    csrf = browser.get(API + "auth/csrf/").json()["csrf_token"]
    ok = browser.post(
        API + "auth/login/",
        {"email": "erika@example.org", "password": PASSWORD, "client": "browser"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert ok.status_code == 200 and ok.json()["state"] == "ok" and "token" not in ok.json()
    assert browser.get(API + "me/").status_code == 200
    csrf = browser.cookies["csrftoken"].value
    no_csrf = browser.post(API + "auth/logout/")
    assert no_csrf.status_code == 403
    assert browser.post(API + "auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert browser.get(API + "me/").status_code == 401


def test_errors_are_translated(world):
    response = client_for().get(API + "me/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 401
    german = response.json()["message"]
    english = client_for().get(API + "me/", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert german != english and german


def test_expired_tokens_are_cleaned_up_by_the_command(world):
    from io import StringIO

    from django.core.management import call_command

    live = token_for(world.erika)
    tokens.issue(world.paula, AppToken.Kind.PENDING)
    with freeze_time(timezone.now() + timezone.timedelta(seconds=400)):
        out = StringIO()
        call_command("tenantportal_api_tokens", stdout=out)
    assert "Deleted 1 expired" in out.getvalue()
    assert AppToken.objects.filter(key_hash=hash_secret(live)).exists()
