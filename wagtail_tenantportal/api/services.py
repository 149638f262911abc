"""App tokens: issue, authenticate, list, revoke (see ``models.AppToken``).

What callers may rely on:

- ``issue`` returns ``(token, secret)``; the secret exists only in that answer.
- ``authenticate`` returns the live token of a secret with its user loaded, or raises
  ``TokenInvalid`` for anything else alike: unknown, expired, revoked, issued before "log out
  everywhere" or a password change, or of a user who can no longer log in. Dead tokens it
  meets are deleted. It costs one query (two when the last use is recorded, at most once a
  minute per token).
- Lookups of one token of a user give None for another user's token and a missing one alike.
"""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from ..accounts.auth import get_account, state_flag_expressions
from ..core.adapter import get_adapter
from ..core.conf import portal_settings
from .models import AppToken, hash_secret

#: Prefixes of the secrets, so that a leaked one is recognisable (secret scanners, logs).
PREFIXES = {
    AppToken.Kind.SESSION: "tps_",
    AppToken.Kind.PENDING: "tpp_",
    AppToken.Kind.VERIFICATION: "tpv_",
}
#: A token's last use is written at most this often (seconds): reads stay read-only.
LAST_USE_RESOLUTION = 60


class TokenInvalid(Exception):
    """The token cannot be used (one answer for every cause)."""


def lifetime(kind):
    """Seconds a new token of ``kind`` lives."""
    if kind == AppToken.Kind.PENDING:
        return int(portal_settings.TWO_FACTOR_PENDING_SECONDS)
    if kind == AppToken.Kind.VERIFICATION:
        return int(portal_settings.EMAIL_VERIFICATION_LINK_SECONDS)
    return int(portal_settings.API_TOKEN_DAYS) * 24 * 60 * 60


def _user_agent(request):
    if request is None:
        return ""
    return str(request.META.get("HTTP_USER_AGENT", ""))[:200]


def issue(user, kind=AppToken.Kind.SESSION, *, name="", email="", device=None, request=None, now=None):
    """A new token of ``kind`` for ``user`` (None only for verification tokens); returns
    ``(token, secret)``. ``device`` is the django-otp device the login passed, if any."""
    now = now or timezone.now()
    epoch = _current_epoch(user)
    secret = PREFIXES[kind] + secrets.token_urlsafe(32)
    token = AppToken.objects.create(
        key_hash=hash_secret(secret),
        kind=kind,
        user=user,
        email=email,
        name=(name or "").strip()[:100],
        created_at=now,
        expires_at=now + timedelta(seconds=lifetime(kind)),
        session_epoch=epoch,
        auth_hash=user.get_session_auth_hash() if user is not None else "",
        otp_device=device.persistent_id if device is not None else "",
        user_agent=_user_agent(request),
    )
    return token, secret


def _current_epoch(user):
    """The account's session epoch as stored now (a user object may carry an older copy)."""
    if user is None:
        return 0
    from ..accounts.models import PortalAccount

    epoch = PortalAccount.objects.filter(user=user).values_list("session_epoch", flat=True).first()
    return epoch or 0


def _alive(token, now):
    if token.is_expired(now):
        return False
    user = token.user
    if user is None:
        return token.kind == AppToken.Kind.VERIFICATION
    if not get_adapter().can_log_in(user):
        return False
    if not constant_time_compare(token.auth_hash, user.get_session_auth_hash()):
        return False
    account = get_account(user)
    # Pending tokens precede a session; session tokens die with "log out everywhere".
    return account is None or token.session_epoch == account.session_epoch


def authenticate(secret, *, now=None):
    """The live token of ``secret`` (user and portal account loaded); see the module docstring."""
    now = now or timezone.now()
    secret = str(secret or "").strip()
    if not secret or len(secret) > 100:
        raise TokenInvalid()
    flags = state_flag_expressions("user__tenantportal_account", "user_id")
    token = (
        AppToken.objects.select_related("user__tenantportal_account")
        .annotate(**flags)
        .filter(key_hash=hash_secret(secret))
        .first()
    )
    if token is None:
        raise TokenInvalid()
    # The session state's flags came with the token (``accounts.auth._state_flags``).
    token.state_flags = {name: getattr(token, name) for name in flags}
    if not _alive(token, now):
        token.delete()
        raise TokenInvalid()
    if token.kind == AppToken.Kind.SESSION and (
        token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USE_RESOLUTION
    ):
        AppToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def record_login(user, now=None):
    """What ``accounts.auth.complete_login`` records for a web login, for a token login: the
    portal account's and the user's last login."""
    from ..accounts.models import PortalAccount

    now = now or timezone.now()
    PortalAccount.objects.filter(user=user).update(last_login_at=now)
    type(user)._default_manager.filter(pk=user.pk).update(last_login=now)


def consume(token):
    """Delete a single-use token (a pending or verification token after its step)."""
    AppToken.objects.filter(pk=token.pk).delete()


def revoke(token):
    """End one token (logout on that device)."""
    AppToken.objects.filter(pk=token.pk).delete()


def revoke_all(user, *, except_token=None):
    """End every token of ``user`` (optionally all but ``except_token``); returns the number."""
    tokens = AppToken.objects.filter(user=user)
    if except_token is not None:
        tokens = tokens.exclude(pk=except_token.pk)
    return tokens.delete()[0]


def restamp(token, user):
    """Keep ``token`` alive after its own password change or "log out everywhere" elsewhere
    (as ``accounts.auth.restamp_session`` keeps the web session)."""
    token.auth_hash = user.get_session_auth_hash()
    token.session_epoch = _current_epoch(user)
    AppToken.objects.filter(pk=token.pk).update(auth_hash=token.auth_hash, session_epoch=token.session_epoch)


def mark_verified(token, device):
    """Record that ``token``'s session passed the second factor with ``device`` (e.g. after
    setting up the first method with it)."""
    token.otp_device = device.persistent_id if device is not None else ""
    AppToken.objects.filter(pk=token.pk).update(otp_device=token.otp_device)


def device_sessions(user):
    """The live session tokens of ``user`` (a list; one query)."""
    return list(AppToken.objects.sessions_of(user))


def get_device_session(user, token_id):
    """The live session token ``token_id`` of ``user``, or None (malformed, missing, another's)."""
    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        return None
    return AppToken.objects.sessions_of(user).filter(pk=pk).first()


def delete_dead(now=None):
    """Delete expired tokens (the command ``tenantportal_api_tokens`` runs it); returns the number."""
    now = now or timezone.now()
    return AppToken.objects.filter(Q(expires_at__lte=now)).delete()[0]


# -- signed download links ----------------------------------------------------------------------

_LINK_SALT = "wagtail_tenantportal.api.document_link"


def link_seconds():
    """Seconds a signed download link works (``API_DOWNLOAD_LINK_SECONDS``)."""
    return int(portal_settings.API_DOWNLOAD_LINK_SECONDS)


def sign_link(user, document_uuid):
    """The signed value of a download link of ``document_uuid`` for ``user`` (URL-safe)."""
    return signing.dumps({"d": str(document_uuid), "u": user.pk}, salt=_LINK_SALT, compress=True)


def open_link(value):
    """``(user, document_uuid)`` of a signed link that is genuine, not expired and whose user
    can still log in; None otherwise. The caller checks ownership again."""
    try:
        data = signing.loads(str(value), salt=_LINK_SALT, max_age=link_seconds())
        pk = int(data["u"])
        document_id = str(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not -(2**63) < pk < 2**63:
        return None
    user = get_user_model()._default_manager.filter(pk=pk).first()
    if user is None or not get_adapter().can_log_in(user):
        return None
    return user, document_id
