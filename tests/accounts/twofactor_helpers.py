"""Helpers and fixtures of the two-factor tests.

TOTP codes in these tests come from ``pyotp``, an implementation independent of django-otp;
``test_twofactor.py`` checks it against the test vectors of RFC 6238 first.
"""

import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core import mail
from freezegun import freeze_time

from tests.accounts.flow_helpers import PASSWORD, login, verified_tenant
from tests.factories import UserFactory
from wagtail_tenantportal.accounts.twofactor import services as twofactor

SETUP_URL = "/portal/2fa/"
VERIFY_URL = "/portal/2fa/verify/"
REAUTH_URL = "/portal/2fa/confirm-password/"
TOTP_URL = "/portal/2fa/app/"
EMAIL_URL = "/portal/2fa/email/"
BACKUP_URL = "/portal/2fa/backup-codes/"
DISABLE_URL = "/portal/2fa/remove/"
ACCOUNT_URL = "/portal/account/"
#: Where a login leads without "next": the tenant's overview (dashboard app installed).
LANDING_URL = "/portal/overview/"
LOGIN_URL = "/portal/login/"

ADMIN_HOME = "/admin/"
ADMIN_SETUP = "/admin/tenantportal/two-factor/"
ADMIN_VERIFY = "/admin/tenantportal/two-factor/verify/"
ADMIN_REAUTH = "/admin/tenantportal/two-factor/confirm-password/"
ADMIN_TOTP = "/admin/tenantportal/two-factor/app/"

START = "2031-05-04 10:00:00"


@pytest.fixture
def clock():
    """Frozen time (``time.time``, ``timezone.now``) that tests move on with ``clock.tick(seconds)``."""
    with freeze_time(START) as frozen:
        yield frozen


@pytest.fixture
def user(tenant):
    """A tenant with a verified portal account on the ``tenant`` contract (no second factor yet)."""
    _party, contract = tenant
    return verified_tenant(contract, email="erika@example.org")


def totp_for(device):
    """A pyotp TOTP for a django-otp device (secret as base32, like the QR code carries it)."""
    return pyotp.TOTP(twofactor.totp_secret(device), digits=device.digits, interval=device.step)


def now_code(device_or_totp):
    totp = device_or_totp if isinstance(device_or_totp, pyotp.TOTP) else totp_for(device_or_totp)
    return totp.at(time.time())


def wrong_code(device):
    """A 6-digit code that is none of the codes accepted now (tolerance ±1 step)."""
    totp = totp_for(device)
    accepted = {totp.at(time.time() + offset * device.step) for offset in (-2, -1, 0, 1, 2)}
    for candidate in ("000000", "111111", "123456", "999999", "424242"):
        if candidate not in accepted:
            return candidate
    raise AssertionError("no wrong code found")


def confirmed_totp(user):
    """Set up an authenticator device for ``user`` directly (for tests about the login)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def confirmed_email_device(user):
    from django_otp.plugins.otp_email.models import EmailDevice

    return EmailDevice.objects.create(user=user, name="email", confirmed=True)


def backup_codes(user, count=3):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(count)]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes


def password_step(client, user, **extra):
    """POST the real login form; return the response."""
    return login(client, user.email, **extra)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def secret_from_page(content):
    """The setup key shown for manual entry (groups of four), without spaces."""
    match = re.search(r'<code class="tp-secret"[^>]*>([A-Z2-7 ]+)</code>', content.decode())
    assert match, "no setup key on the page"
    return match.group(1).replace(" ", "")


def backup_codes_from_page(content):
    return [
        code.replace(" ", "").lower()
        for code in re.findall(r"<li><code>([A-Z2-7 ]+)</code></li>", content.decode())
    ]


def otp_mail_code(address):
    messages = [m for m in mail.outbox if address in m.to]
    assert messages, f"no mail to {address}"
    match = re.search(r"^\s*(\d{6})\s*$", messages[-1].body, re.MULTILINE)
    assert match, messages[-1].body
    return match.group(1)


def path_of(response):
    return urlsplit(response["Location"]).path


def reauth(client, password=PASSWORD, url=REAUTH_URL):
    return client.post(url, {"password": password})


def staff(**kwargs):
    return UserFactory(is_staff=True, is_superuser=True, **kwargs)
