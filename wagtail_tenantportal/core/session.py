"""Where a request's portal session stands, and the guards every portal view uses.

The state vocabulary and the guards live here, in the core, so that every layer (tenancy's
contract pages, the feature apps, the API, the page and block base classes) asks one
predicate. How a state is *computed* belongs to the accounts app, which registers itself as
the resolver when it is ready (:func:`register_resolver`); without it every visitor is
anonymous.

States, in the order the resolver checks them:

- ``anonymous``: not logged in, no portal account, a session from before "log out
  everywhere", or a session that has not passed the second factor of a user with a device;
- ``email_unverified``: the email address is not confirmed yet;
- ``pending_match``: registered with personal data, waiting for staff to match the account;
- ``activation_required``: matched; the activation code from the letter must be entered;
- ``two_factor_setup_required``: the company requires two-factor and the user has no device;
- ``contact_check_required``: first login, the tenant has not checked the contact data yet;
- ``ok``: a full portal session.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

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
#: Not a state: an anonymous session that passed the password and waits for the second factor.
TWO_FACTOR_PENDING = "two_factor_pending"

_STATE_CACHE_ATTR = "_tenantportal_state"

#: Attribute of a request authenticated by an app token (the API) instead of a session: an
#: object with ``session_epoch`` (the account's epoch the token was issued in) and
#: ``second_factor_verified`` (True if the login that made it passed a second factor). The
#: resolver then reads these instead of the session, and never touches the session.
CREDENTIAL_ATTR = "tenantportal_credential"

#: The page each state that is not "ok" leads to (URL names in the portal's namespace).
STATE_URL_NAMES = {
    EMAIL_UNVERIFIED: "verify_email_code",
    PENDING_MATCH: "activate",
    ACTIVATION_REQUIRED: "activate",
    TWO_FACTOR_SETUP_REQUIRED: "two_factor_setup",
    CONTACT_CHECK_REQUIRED: "contact_check",
}

#: What a visitor without a full portal session is asked to do next.
STEP_LABELS = {
    ANONYMOUS: _("Log in"),
    TWO_FACTOR_PENDING: _("Enter your security code"),
    EMAIL_UNVERIFIED: _("Confirm your email address"),
    PENDING_MATCH: _("See the state of your registration"),
    ACTIVATION_REQUIRED: _("Enter your activation code"),
    TWO_FACTOR_SETUP_REQUIRED: _("Set up two-factor authentication"),
    CONTACT_CHECK_REQUIRED: _("Check your contact data"),
}


class StateResolver:
    """What the accounts app provides: override both methods."""

    def compute_state(self, request):
        """One of ``STATES`` for ``request`` (uncached; :func:`portal_state` caches it)."""
        return ANONYMOUS

    def two_factor_pending(self, request):
        """True if the session passed the password and waits for the second factor."""
        return False


_resolver = StateResolver()


def register_resolver(resolver):
    """Install the object that computes states (the accounts app does, in ``ready()``)."""
    global _resolver
    _resolver = resolver


def get_resolver():
    return _resolver


def request_credential(request):
    """The app-token credential of ``request`` (see ``CREDENTIAL_ATTR``), or None for sessions."""
    return getattr(request, CREDENTIAL_ATTR, None)


def forget_state(request):
    """Drop the state cached on ``request`` (after something changed it)."""
    if hasattr(request, _STATE_CACHE_ATTR):
        delattr(request, _STATE_CACHE_ATTR)


def portal_state(request):
    """Where the session of ``request`` stands: one of ``STATES`` (see the module docstring).

    Computed once per request and cached on it. The resolver also enforces "log out
    everywhere": a session older than the account's epoch is logged out while computing.
    """
    state = getattr(request, _STATE_CACHE_ATTR, None)
    if state is None:
        state = _resolver.compute_state(request)
        setattr(request, _STATE_CACHE_ATTR, state)
    return state


def is_portal_verified(request):
    """True for a full portal session (``portal_state(request) == "ok"``): the one predicate
    pages, views, the API and downloads use."""
    return portal_state(request) == OK


def two_factor_pending(request):
    """True if this session passed the password and waits for the second factor (not logged in)."""
    return bool(_resolver.two_factor_pending(request))


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


def visitor_step(request, state, next_url=""):
    """The next step of a visitor whose session is not "ok", for prompts on pages and blocks.

    Returns a dict with ``step`` (a state of ``STATES`` or ``TWO_FACTOR_PENDING`` for a
    half-logged-in session), ``step_url`` (login with ``?next=next_url``, the code entry, or
    the page of the missing step) and ``step_label`` (translated link text). Nothing personal.
    """
    if state == ANONYMOUS and two_factor_pending(request):
        step, url = TWO_FACTOR_PENDING, reverse("wagtail_tenantportal:two_factor_verify")
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
