"""Middleware of the accounts app.

``StaffTwoFactorMiddleware`` puts a second factor in front of the Wagtail admin. Add it to
``MIDDLEWARE`` after ``django_otp.middleware.OTPMiddleware``::

    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wagtail_tenantportal.accounts.middleware.StaffTwoFactorMiddleware",

The Wagtail login stays Wagtail's; this middleware puts the portal's attempt limits in front
of its POSTs (``accounts.admin_login``: wrong passwords per name and per client address, reset
mails per address and per client address). Afterwards, on every admin URL (everything under
``reverse("wagtailadmin_home")``), an admin user whose session is not verified with a second
factor is redirected: to the code entry if the user has a method, to the set-up if
``STAFF_TWO_FACTOR`` is "required" and the user has none (see ``twofactor.services.staff_requirement``).
Exempt are the admin's login, logout, sprite and JavaScript catalogue, its password reset, and
the two-factor admin views themselves (which check the session on their own).
"""

from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

#: URL names of the admin that an unverified staff session may reach.
EXEMPT_URL_NAMES = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_sprite",
        "wagtailadmin_javascript_catalog",
    }
)
#: URL names starting with these are exempt too (the admin's password reset, our own views).
EXEMPT_URL_NAME_PREFIXES = ("wagtailadmin_password_reset", "tenantportal_2fa_admin")

LOGIN_URL_NAME = "wagtailadmin_login"
PASSWORD_RESET_URL_NAME = "wagtailadmin_password_reset"  # noqa: S105 - a URL name

VERIFY_URL_NAME = "tenantportal_2fa_admin_verify"
SETUP_URL_NAME = "tenantportal_2fa_admin_setup"


def admin_prefix():
    """The path of the Wagtail admin's home page, or None if the admin is not mounted."""
    try:
        return reverse("wagtailadmin_home")
    except NoReverseMatch:
        return None


def is_exempt(request):
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    return name in EXEMPT_URL_NAMES or name.startswith(EXEMPT_URL_NAME_PREFIXES)


def _limit_admin_post(request):
    """The attempt limits of the admin's login and password reset (``admin_login``)."""
    name = getattr(getattr(request, "resolver_match", None), "url_name", None)
    if name not in (LOGIN_URL_NAME, PASSWORD_RESET_URL_NAME):
        return None
    from . import admin_login

    guard = admin_login.guard_login if name == LOGIN_URL_NAME else admin_login.guard_password_reset
    response = guard(request)
    if response is not None:
        add_never_cache_headers(response)
    return response


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Cheap tests first: most requests are not admin requests.
        prefix = admin_prefix()
        if prefix is None or not request.path.startswith(prefix):
            return None
        if request.method == "POST":
            limited = _limit_admin_post(request)
            if limited is not None:
                return limited
        if is_exempt(request):
            return None
        # Not at import time: system checks import middleware classes, and the services
        # import django-otp's models.
        from .twofactor import services as twofactor

        need = twofactor.staff_requirement(request)
        if need is None:
            return None
        target = reverse(VERIFY_URL_NAME if need == "verify" else SETUP_URL_NAME)
        response = HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        add_never_cache_headers(response)
        return response
