"""System checks of two-factor: django-otp's apps and middleware in the right order, sane
two-factor settings, and (``check --deploy``) a second factor for staff.

Registered by ``AccountsConfig.ready`` (importing this module registers them). Like the
core's checks, messages are for developers and not translated; the ids are stable
(docs/settings.md lists them). Nothing here imports django-otp before its apps are known
to be installed.
"""

from django.apps import apps
from django.core.checks import Error, Tags, Warning, register

from ...core.checks import AUTH_MIDDLEWARE, ID, is_int, middleware_position, setting_label
from ...core.conf import portal_settings

OTP_APPS = [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
]
OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
STAFF_TWO_FACTOR_MIDDLEWARE = "wagtail_tenantportal.accounts.middleware.StaffTwoFactorMiddleware"
STAFF_TWO_FACTOR_MODES = ("off", "optional", "required")


@register(Tags.compatibility)
def check_two_factor(app_configs=None, **kwargs):
    """django-otp's apps and middleware are installed in the right order; two-factor settings are sane."""
    from django.conf import settings

    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return []
    missing = [app for app in OTP_APPS if not apps.is_installed(app)]
    if missing:  # the other checks would import models of the missing apps
        return [
            Error(
                "Two-factor authentication needs these apps in INSTALLED_APPS: " + ", ".join(missing) + ".",
                hint="Paste the whole INSTALLED_APPS block from the quickstart.",
                id=ID.format("E031"),
            )
        ]
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    staff = middleware_position(middleware, STAFF_TWO_FACTOR_MIDDLEWARE)
    return [
        *_check_middleware_order(middleware, staff),
        *_check_staff_mode(staff),
        *_check_admin_login_limit(staff),
        *_check_numbers(),
    ]


def _check_admin_login_limit(staff):
    """The staff middleware also limits the Wagtail admin's login and password reset (with
    ``STAFF_TWO_FACTOR`` other than "off", W025 says so already)."""
    if (
        staff is not None
        or portal_settings.STAFF_TWO_FACTOR != "off"
        or not apps.is_installed("wagtail.admin")
    ):
        return []
    return [
        Warning(
            f"{STAFF_TWO_FACTOR_MIDDLEWARE!r} is not in MIDDLEWARE: the Wagtail admin's login and "
            "password reset have no attempt limits (it puts the portal's in front of them).",
            hint=f"Add it after {OTP_MIDDLEWARE!r}.",
            id=ID.format("W026"),
        )
    ]


def _check_middleware_order(middleware, staff):
    """OTPMiddleware present after the authentication middleware, the staff middleware after it."""
    errors = []
    auth = middleware_position(middleware, AUTH_MIDDLEWARE)
    otp = middleware_position(middleware, OTP_MIDDLEWARE)
    if otp is None:
        errors.append(
            Error(
                f"{OTP_MIDDLEWARE!r} must be in MIDDLEWARE: without it no session counts as verified "
                "with a second factor, and tenants with two-factor cannot use the portal.",
                hint=f"Add it right after {AUTH_MIDDLEWARE!r}.",
                id=ID.format("E024"),
            )
        )
    elif auth is not None and otp < auth:
        errors.append(
            Error(
                f"{OTP_MIDDLEWARE!r} must come after {AUTH_MIDDLEWARE!r} in MIDDLEWARE.", id=ID.format("E025")
            )
        )
    if staff is not None and otp is not None and staff < otp:
        errors.append(
            Error(
                f"{STAFF_TWO_FACTOR_MIDDLEWARE!r} must come after {OTP_MIDDLEWARE!r} in MIDDLEWARE.",
                id=ID.format("E026"),
            )
        )
    return errors


def _check_staff_mode(staff):
    """``STAFF_TWO_FACTOR`` is a known mode, and the staff middleware is there unless it is "off"."""
    mode = portal_settings.STAFF_TWO_FACTOR
    if mode not in STAFF_TWO_FACTOR_MODES:
        return [
            Error(
                f"{setting_label('STAFF_TWO_FACTOR')} must be one of {', '.join(map(repr, STAFF_TWO_FACTOR_MODES))}, "
                f"not {mode!r}.",
                id=ID.format("E009"),
            )
        ]
    if mode != "off" and staff is None:
        return [
            Warning(
                f"{setting_label('STAFF_TWO_FACTOR')} is {mode!r}, but {STAFF_TWO_FACTOR_MIDDLEWARE!r} is not in "
                "MIDDLEWARE: the Wagtail admin does not ask for a second factor, and its login and password "
                "reset have no attempt limits.",
                hint=f"Add it after {OTP_MIDDLEWARE!r}, or set {setting_label('STAFF_TWO_FACTOR')} to 'off'.",
                id=ID.format("W025"),
            )
        ]
    return []


def _check_numbers():
    """The two-factor durations and the number of backup codes are positive integers."""
    errors = []
    for key in ("TWO_FACTOR_PENDING_SECONDS", "TWO_FACTOR_REAUTH_SECONDS", "TWO_FACTOR_BACKUP_CODES"):
        value = getattr(portal_settings, key)
        if not is_int(value) or value < 1:
            errors.append(
                Error(
                    f"{setting_label(key)} must be a positive integer, not {value!r}.", id=ID.format("E009")
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_staff_two_factor_deploy(app_configs=None, **kwargs):
    """``manage.py check --deploy``: the admin holds tenants' personal data."""
    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return []
    if portal_settings.STAFF_TWO_FACTOR == "required":
        return []
    return [
        Warning(
            f"{setting_label('STAFF_TWO_FACTOR')} is {portal_settings.STAFF_TWO_FACTOR!r}: staff can use the "
            "Wagtail admin, which holds tenants' personal data, with a password alone.",
            hint=f"Set {setting_label('STAFF_TWO_FACTOR')} to 'required' in production.",
            id=ID.format("W031"),
        )
    ]
