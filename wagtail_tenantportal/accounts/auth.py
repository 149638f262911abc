"""Portal sessions: the one place that logs a tenant in, and how far a session has come.

``complete_login`` is the only way in (the login view, the two-factor verify view and the
email-code confirmation call it). The state vocabulary and the guards every portal view,
page, API endpoint and download uses (``portal_state``, ``is_portal_verified``,
``portal_login_required``, ...) live in ``core.session``; this module computes the states
(:class:`AccountStateResolver`, registered in ``AccountsConfig.ready``) from the portal
account, its email confirmation, party links, registration claims, second factor and the
contact check, in the order ``core.session`` documents.
"""

import importlib.util

from django.apps import apps
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.db.models import F
from django.utils import timezone

from ..core.conf import portal_settings
from ..core.session import (
    ACTIVATION_REQUIRED,
    ANONYMOUS,
    CONTACT_CHECK_REQUIRED,
    EMAIL_UNVERIFIED,
    OK,
    PENDING_MATCH,
    TWO_FACTOR_SETUP_REQUIRED,
    StateResolver,
    forget_state,
    request_credential,
)

#: Session key holding the ``PortalAccount.session_epoch`` the session was created in.
EPOCH_SESSION_KEY = "_tenantportal_epoch"


def twofactor_module():
    """The two-factor services module (``accounts.twofactor.services``), or None when
    django-otp is not installed.

    Imported lazily: it imports django-otp's models, which load only once the apps are
    ready. Without django-otp in ``INSTALLED_APPS`` nobody has a second factor and no
    policy can require one. Errors inside the module are not hidden.
    """
    name = "wagtail_tenantportal.accounts.twofactor.services"
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
    """True if this login passed its second factor: an app token says so itself; a session, if
    django-otp's middleware marked its user as verified by a device."""
    credential = request_credential(request)
    if credential is not None:
        return bool(credential.second_factor_verified)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


#: The names of the state flags (``state_flag_expressions``), in the order ``_state_flags`` returns.
STATE_FLAGS = ("state_has_device", "state_linked", "state_two_factor_required")


def state_flag_expressions(account_ref="pk", user_ref="user_id"):
    """Expressions of the state flags for a query whose rows reach the portal account through
    ``account_ref`` and its user through ``user_ref`` (``OuterRef`` paths): whether the user has
    a second factor (``twofactor.user_has_device``), an active party link, and a company that
    requires two-factor (``twofactor.policy_requires_two_factor``). The API annotates them on
    its token lookup, so a token request costs one query for all of it."""
    from django.db.models import BooleanField, Exists, OuterRef, Value

    from .models import AccountParty

    module = twofactor_module()
    flags = {
        "state_linked": Exists(AccountParty.objects.filter(account_id=OuterRef(account_ref), active=True))
    }
    if module is not None:
        flags["state_has_device"] = module.device_exists(OuterRef(user_ref))
        flags["state_two_factor_required"] = module.policy_requires_expression(OuterRef(user_ref))
    else:
        flags["state_has_device"] = flags["state_two_factor_required"] = Value(False, BooleanField())
    return flags


def _state_flags(request, user, account):
    """``(has_device, linked, two_factor_required)``: from the request's credential when it
    carries them (``state_flags``, read in the same query as the token), else one query."""
    from .models import PortalAccount

    credential = request_credential(request)
    row = getattr(credential, "state_flags", None) if credential is not None else None
    if row is None:
        flags = state_flag_expressions()
        row = PortalAccount.objects.filter(pk=account.pk).annotate(**flags).values(*flags).first() or {}
    return tuple(bool(row.get(name)) for name in STATE_FLAGS)


def _compute_state(request):
    user = getattr(request, "user", None)
    account = get_account(user)
    if account is None or not user.is_active:
        return ANONYMOUS
    # Sessions started before the last "log out everywhere" are over. Sessions that were
    # not started by complete_login (e.g. the Wagtail admin login) count as epoch 0. An app
    # token (the API) carries the epoch it was issued in; its session is left alone.
    credential = request_credential(request)
    if credential is not None:
        if credential.session_epoch != account.session_epoch:
            return ANONYMOUS
    elif request.session.get(EPOCH_SESSION_KEY, 0) != account.session_epoch:
        logout(request)
        return ANONYMOUS
    has_device, linked, required = _state_flags(request, user, account)
    if has_device and not _session_verified(request, user):
        return ANONYMOUS
    if account.email_verified_at is None:
        return EMAIL_UNVERIFIED
    if not linked:
        from .models import RegistrationClaim

        statuses = set(
            account.claims.filter(activated_at__isnull=True).values_list("status", flat=True).distinct()
        )
        if RegistrationClaim.Status.MATCHED in statuses:
            return ACTIVATION_REQUIRED
        if statuses:
            return PENDING_MATCH
    if not has_device and required:
        return TWO_FACTOR_SETUP_REQUIRED
    if account.contact_checked_at is None:
        return CONTACT_CHECK_REQUIRED
    return OK


class AccountStateResolver(StateResolver):
    """Computes the session states from the portal account (registered in ``AccountsConfig.ready``)."""

    def compute_state(self, request):
        return _compute_state(request)

    def two_factor_pending(self, request):
        module = twofactor_module()
        if module is None:
            return False
        try:
            return module.pending_login(request) is not None
        except module.PendingExpired:
            return False
