"""Portal sessions: the one place that logs a tenant in and the one predicate that says
whether a request is a full portal session.

``complete_login`` is the only way in (the login view, the two-factor verify view and the
email-code confirmation call it). ``portal_state`` tells where a session stands; every
portal view, page, API endpoint and download asks ``is_portal_verified`` (or uses
``portal_login_required`` / ``PortalLoginRequiredMixin``, which redirect to the step the
session is missing).

States, in the order they are checked:

- ``anonymous``: not logged in, no portal account, a session from before "log out
  everywhere", or a session that has not passed the second factor of a user with a device;
- ``email_unverified``: the email address is not confirmed yet;
- ``pending_match``: registered with personal data, waiting for staff to match the account;
- ``activation_required``: matched; the activation code from the letter must be entered;
- ``two_factor_setup_required``: the company requires two-factor and the user has no device;
- ``contact_check_required``: first login, the tenant has not checked the contact data yet;
- ``ok``: a full portal session.
"""

import importlib.util
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from ..conf import portal_settings

ANONYMOUS = "anonymous"
EMAIL_UNVERIFIED = "email_unverified"
PENDING_MATCH = "pending_match"
ACTIVATION_REQUIRED = "activation_required"
TWO_FACTOR_SETUP_REQUIRED = "two_factor_setup_required"
CONTACT_CHECK_REQUIRED = "contact_check_required"
OK = "ok"
STATES = (
    ANONYMOUS,
    EMAIL_UNVERIFIED,
    PENDING_MATCH,
    ACTIVATION_REQUIRED,
    TWO_FACTOR_SETUP_REQUIRED,
    CONTACT_CHECK_REQUIRED,
    OK,
)

#: Session key holding the ``PortalAccount.session_epoch`` the session was created in.
EPOCH_SESSION_KEY = "_tenantportal_epoch"
_STATE_CACHE_ATTR = "_tenantportal_state"

#: The page each state that is not "ok" leads to (URL names in the portal's namespace).
STATE_URL_NAMES = {
    EMAIL_UNVERIFIED: "verify_email_code",
    PENDING_MATCH: "activate",
    ACTIVATION_REQUIRED: "activate",
    TWO_FACTOR_SETUP_REQUIRED: "two_factor_setup",
    CONTACT_CHECK_REQUIRED: "contact_check",
}


def twofactor_module():
    """The two-factor services module, or None when django-otp is not installed.

    Imported lazily: it imports django-otp's models, which load only once the apps are
    ready. Without django-otp in ``INSTALLED_APPS`` nobody has a second factor and no
    policy can require one. Errors inside the module are not hidden.
    """
    name = "wagtail_tenantportal.accounts.twofactor"
    if not apps.is_installed("django_otp") or importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def user_has_device(user):
    """True if the user has a confirmed second factor (False without the two-factor module)."""
    module = twofactor_module()
    return bool(module and module.user_has_device(user))


def policy_requires_two_factor(user):
    module = twofactor_module()
    return bool(module and module.policy_requires_two_factor(user))


def get_account(user):
    """The ``PortalAccount`` of ``user``, or None (anonymous users, staff without an account)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from .models import PortalAccount

    try:
        return user.tenantportal_account
    except PortalAccount.DoesNotExist:
        return None


def _login_backend(user):
    # authenticate() sets user.backend; users found by the portal's own password check
    # get the first configured backend, which must be able to load them (ModelBackend can).
    return getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]


def forget_state(request):
    """Drop the state cached on ``request`` (after something changed it)."""
    if hasattr(request, _STATE_CACHE_ATTR):
        delattr(request, _STATE_CACHE_ATTR)


def complete_login(request, user, *, remember=False, device=None):
    """Log ``user`` in: the only place where a tenant's session starts.

    The caller has checked the password (and the second factor when the user has one).
    What the caller may rely on afterwards: the session has a new id (Django's ``login``
    cycles the key and rotates the CSRF token); the OTP device is stored in the session
    when ``device`` is given (django-otp), so ``request.user.is_verified()`` is True; the
    session lasts ``REMEMBER_ME_SECONDS`` with ``remember``, else until the browser closes;
    the session carries the account's current session epoch; the login time is recorded.
    """
    from .flows import PENDING_VERIFICATION_SESSION_KEY
    from .models import PortalAccount

    # A registration's pending email code must not outlive the login.
    request.session.pop(PENDING_VERIFICATION_SESSION_KEY, None)
    auth_login(request, user, backend=_login_backend(user))
    if device is not None:
        import django_otp

        django_otp.login(request, device)
    request.session.set_expiry(int(portal_settings.REMEMBER_ME_SECONDS) if remember else 0)
    account = PortalAccount.objects.filter(user=user).first()
    if account is not None:
        now = timezone.now()
        PortalAccount.objects.filter(pk=account.pk).update(last_login_at=now)
        account.last_login_at = now
        request.session[EPOCH_SESSION_KEY] = account.session_epoch
    forget_state(request)


def logout(request):
    """End this session (Django's ``logout``: the session data is flushed)."""
    auth_logout(request)
    forget_state(request)


def logout_everywhere(request):
    """End every session of the logged-in user, this one included.

    Raises the account's session epoch: sessions that carry an older epoch count as
    anonymous on their next portal request (see ``portal_state``).
    """
    account = get_account(request.user)
    if account is not None:
        bump_session_epoch(account)
    logout(request)


def bump_session_epoch(account):
    """Invalidate all portal sessions of ``account`` (used by logout everywhere and resets)."""
    from .models import PortalAccount

    PortalAccount.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)
    account.refresh_from_db(fields=["session_epoch"])
    return account.session_epoch


def restamp_session(request, account):
    """Keep *this* session valid after ``bump_session_epoch`` (e.g. after a password change)."""
    request.session[EPOCH_SESSION_KEY] = account.session_epoch
    forget_state(request)


def _session_verified(request, user):
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _compute_state(request):
    user = getattr(request, "user", None)
    account = get_account(user)
    if account is None or not user.is_active:
        return ANONYMOUS
    # Sessions started before the last "log out everywhere" are over. Sessions that were
    # not started by complete_login (e.g. the Wagtail admin login) count as epoch 0.
    if request.session.get(EPOCH_SESSION_KEY, 0) != account.session_epoch:
        logout(request)
        return ANONYMOUS
    has_device = user_has_device(user)
    if has_device and not _session_verified(request, user):
        return ANONYMOUS
    if account.email_verified_at is None:
        return EMAIL_UNVERIFIED
    if not account.party_links.filter(active=True).exists():
        from .models import RegistrationClaim

        statuses = set(
            account.claims.filter(activated_at__isnull=True).values_list("status", flat=True).distinct()
        )
        if RegistrationClaim.Status.MATCHED in statuses:
            return ACTIVATION_REQUIRED
        if statuses:
            return PENDING_MATCH
    if not has_device and policy_requires_two_factor(user):
        return TWO_FACTOR_SETUP_REQUIRED
    if account.contact_checked_at is None:
        return CONTACT_CHECK_REQUIRED
    return OK


def portal_state(request):
    """Where the session of ``request`` stands: one of ``STATES`` (see the module docstring).

    Computed once per request and cached on it. Also enforces "log out everywhere": a
    session older than the account's epoch is logged out here.
    """
    state = getattr(request, _STATE_CACHE_ATTR, None)
    if state is None:
        state = _compute_state(request)
        setattr(request, _STATE_CACHE_ATTR, state)
    return state


def is_portal_verified(request):
    """True for a full portal session (``portal_state(request) == "ok"``): the one predicate
    pages, views, the API and downloads use."""
    return portal_state(request) == OK


def safe_next_url(request, url):
    """``url`` if it points into this site (no open redirects), else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def state_url(state, next_url=""):
    """The page a session in ``state`` must go to (None for "ok")."""
    if state == OK:
        return None
    if state == ANONYMOUS:
        url = reverse("wagtail_tenantportal:login")
    else:
        try:
            url = reverse(f"wagtail_tenantportal:{STATE_URL_NAMES[state]}")
        except NoReverseMatch:
            url = reverse("wagtail_tenantportal:account")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return url


#: What a visitor without a full portal session is asked to do next, per ``auth.portal_state``.
STEP_LABELS = {
    "anonymous": _("Log in"),
    "two_factor_pending": _("Enter your security code"),
    "email_unverified": _("Confirm your email address"),
    "pending_match": _("See the state of your registration"),
    "activation_required": _("Enter your activation code"),
    "two_factor_setup_required": _("Set up two-factor authentication"),
    "contact_check_required": _("Check your contact data"),
}


def two_factor_pending(request):
    """True if this session passed the password and waits for the second factor (not logged in)."""
    module = twofactor_module()
    if module is None:
        return False
    try:
        return module.pending_login(request) is not None
    except module.PendingExpired:
        return False


def visitor_step(request, state, next_url=""):
    """The next step of a visitor whose session is not "ok", for prompts on pages and blocks.

    Returns a dict with ``step`` (a state of ``auth.STATES`` or "two_factor_pending" for a
    half-logged-in session), ``step_url`` (login with ``?next=next_url``, the code entry, or
    the page of the missing step) and ``step_label`` (translated link text). Nothing personal.
    """
    if state == ANONYMOUS and two_factor_pending(request):
        step, url = "two_factor_pending", reverse("wagtail_tenantportal:two_factor_verify")
    else:
        step, url = state, state_url(state, next_url)
    return {"step": step, "step_url": url, "step_label": STEP_LABELS.get(step, _("Continue"))}


def redirect_for_state(request, state=None):
    """A redirect to the step ``request``'s session is missing (anonymous: the login page)."""
    state = state or portal_state(request)
    if state == ANONYMOUS:
        return redirect_to_login(request.get_full_path(), reverse("wagtail_tenantportal:login"))
    return HttpResponseRedirect(state_url(state, request.get_full_path()))


def portal_login_required(view):
    """Decorator: ``view`` runs only for full portal sessions; others are led to their step.

    Responses of protected views are marked not cacheable (they hold personal data).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        state = portal_state(request)
        if state != OK:
            return redirect_for_state(request, state)
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


class PortalLoginRequiredMixin:
    """Class-based views: the same as ``portal_login_required``."""

    def dispatch(self, request, *args, **kwargs):
        state = portal_state(request)
        if state != OK:
            return redirect_for_state(request, state)
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def portal_state_required(*states):
    """Decorator for the step pages: ``view`` runs in one of ``states``, others are redirected
    (anonymous to the login page, "ok" to the ``next`` address or the account page)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            state = portal_state(request)
            if state not in states:
                if state == OK:
                    next_url = safe_next_url(request, request.GET.get("next", ""))
                    return HttpResponseRedirect(next_url or reverse("wagtail_tenantportal:account"))
                return redirect_for_state(request, state)
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator
