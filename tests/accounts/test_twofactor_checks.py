"""System checks of two-factor: django-otp apps and middleware, settings, the deploy warning."""

import pytest
from django.apps import apps
from django.core import checks as django_checks

from wagtail_tenantportal.accounts.twofactor import checks

AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
OTP = "django_otp.middleware.OTPMiddleware"
STAFF = "wagtail_tenantportal.accounts.middleware.StaffTwoFactorMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"


def ids(messages):
    return [message.id for message in messages]


def test_registered_and_silent_for_the_test_settings():
    registered = django_checks.registry.registry.get_checks(include_deployment_checks=True)
    assert checks.check_two_factor in registered
    assert checks.check_staff_two_factor_deploy in registered
    assert checks.check_two_factor() == []


@pytest.mark.parametrize("missing", checks.OTP_APPS)
def test_django_otp_apps_are_required(monkeypatch, missing):
    is_installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != missing and is_installed(name))
    assert ids(checks.check_two_factor()) == ["wagtail_tenantportal.E031"]


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        ([SESSION, AUTH, STAFF], ["wagtail_tenantportal.E024"]),
        ([SESSION, OTP, AUTH, STAFF], ["wagtail_tenantportal.E025"]),
        ([SESSION, AUTH, STAFF, OTP], ["wagtail_tenantportal.E026"]),
        ([SESSION, AUTH, OTP], ["wagtail_tenantportal.W025"]),
        ([SESSION, AUTH, OTP, STAFF], []),
    ],
)
def test_middleware_order(settings, middleware, expected):
    settings.MIDDLEWARE = middleware
    assert ids(checks.check_two_factor()) == expected


def test_without_staff_middleware_off_still_warns_of_the_unlimited_admin_login(settings):
    # Before issue 17 this was silent; the middleware also limits the admin's login now.
    settings.MIDDLEWARE = [SESSION, AUTH, OTP]
    settings.WAGTAIL_TENANTPORTAL = {"STAFF_TWO_FACTOR": "off"}
    assert ids(checks.check_two_factor()) == ["wagtail_tenantportal.W026"]
    settings.MIDDLEWARE = [SESSION, AUTH, OTP, STAFF]
    assert checks.check_two_factor() == []


@pytest.mark.parametrize(
    "value",
    [
        {"STAFF_TWO_FACTOR": "sometimes"},
        {"TWO_FACTOR_PENDING_SECONDS": 0},
        {"TWO_FACTOR_REAUTH_SECONDS": "600"},
        {"TWO_FACTOR_BACKUP_CODES": -1},
    ],
)
def test_bad_values(settings, value):
    settings.WAGTAIL_TENANTPORTAL = value
    assert ids(checks.check_two_factor()) == ["wagtail_tenantportal.E009"]


def test_an_unknown_staff_mode_counts_as_required(settings):
    from wagtail_tenantportal.accounts.twofactor import services as twofactor

    settings.WAGTAIL_TENANTPORTAL = {"STAFF_TWO_FACTOR": "Required "}
    assert twofactor.staff_mode() == "required"


def test_deploy_check_asks_for_required(settings):
    assert ids(checks.check_staff_two_factor_deploy()) == ["wagtail_tenantportal.W031"]
    settings.WAGTAIL_TENANTPORTAL = {"STAFF_TWO_FACTOR": "required"}
    assert checks.check_staff_two_factor_deploy() == []
