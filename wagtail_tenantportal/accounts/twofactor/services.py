"""Two-factor authentication: the one road for the portal views, the admin views and the API.

Built on django-otp. Its devices hold the secrets and do the checking (with its own growing
delay after wrong codes, ``OTP_TOTP_THROTTLE_FACTOR`` etc.); this module adds what a portal
needs around them:

- Methods: an authenticator app (``TOTPDevice``), codes by email (``EmailDevice`` sending to
  the account's email address) and single-use backup codes (one ``StaticDevice`` with
  ``TWO_FACTOR_BACKUP_CODES`` tokens). Backup codes complement a method; they are deleted with
  the last one.
- Login: after a correct password the login view calls ``begin_second_factor``. The session
  then holds a *pending* login (user id, "stay logged in", next address, time) but is NOT
  logged in, so it sees nothing of the portal. ``verify`` checks a code (with attempt
  limits per user and per client address on top of django-otp's delay) and
  ``finish_second_factor`` logs the user in through ``auth.complete_login``. A pending login
  expires after ``TWO_FACTOR_PENDING_SECONDS``.
- Changes to the methods need the password again (``reauthenticate``; valid for
  ``TWO_FACTOR_REAUTH_SECONDS`` in this session) and, for a user who has a method, a session
  verified with it.
- Policy: ``policy_requires_two_factor`` (a company of the user requires it for everyone) and
  ``staff_requirement`` (``STAFF_TWO_FACTOR`` for the Wagtail admin).

Every change is written to Wagtail's audit log (``tenantportal.two_factor_*`` actions).
"""

import re
import time
from base64 import b32encode
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import django_otp
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.shortcuts import redirect
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_email.conf import settings as otp_email_settings
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from ...core import session
from ...core.adapter import get_adapter
from ...core.conf import portal_settings
from ...core.ratelimit import RateLimit
from ...tenancy.models import Company
from .. import auth
from .expressions import device_exists, policy_requires_expression  # noqa: F401  (part of this API)

PENDING_SESSION_KEY = "tenantportal_2fa_pending"
REAUTH_SESSION_KEY = "tenantportal_2fa_reauth"
NEW_BACKUP_CODES_SESSION_KEY = "tenantportal_2fa_new_codes"

TOTP = "totp"
BACKUP = "backup"
EMAIL = "email"
METHODS = (TOTP, EMAIL, BACKUP)

ACTION_ENABLED = "tenantportal.two_factor_enabled"
ACTION_DISABLED = "tenantportal.two_factor_disabled"
ACTION_BACKUP_CODES = "tenantportal.two_factor_backup_codes"
ACTION_FAILED = "tenantportal.two_factor_locked"

STAFF_MODES = ("off", "optional", "required")

TOTP_DEVICE_NAME = "authenticator"
EMAIL_DEVICE_NAME = "email"
BACKUP_DEVICE_NAME = "backup"


def now():
    """Seconds since the epoch; the clock of pending logins and re-authentication (patchable)."""
    return time.time()


class TwoFactorError(Exception):
    """A step failed; ``message`` is translated and safe to show."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class TooManyAttempts(TwoFactorError):
    """Attempt limits reached; ``retry_after`` whole seconds until they let the user try again."""

    def __init__(self, retry_after):
        self.retry_after = max(1, int(retry_after + 0.999))
        if self.retry_after < 60:  # django-otp's growing delay after the first wrong codes
            message = ngettext(
                "Too many attempts. Please wait %(seconds)d second and try again.",
                "Too many attempts. Please wait %(seconds)d seconds and try again.",
                self.retry_after,
            ) % {"seconds": self.retry_after}
        else:
            minutes = (self.retry_after + 59) // 60
            message = ngettext(
                "Too many attempts. Please try again in %(minutes)d minute.",
                "Too many attempts. Please try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
        super().__init__(message)


INVALID_CODE = _("The code is not valid. Please check it and try again.")


# Devices ------------------------------------------------------------------------------------


def totp_device(user, *, confirmed=True):
    """The user's authenticator-app device (confirmed, or the one being set up), or None."""
    if not _is_user(user):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def email_device(user, *, confirmed=True):
    """The user's email-code device (confirmed, or the one being set up), or None."""
    if not _is_user(user):
        return None
    return EmailDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def backup_device(user):
    """The user's backup-code device (it may hold no codes any more), or None."""
    if not _is_user(user):
        return None
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def backup_codes_left(user):
    """Number of unused backup codes of the user."""
    if not _is_user(user):
        return 0
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def user_has_device(user):
    """Whether a login of ``user`` needs a second factor.

    True if the user has a confirmed authenticator app or email-code device, or unused backup
    codes. False for anonymous users and None.
    """
    if not _is_user(user):
        return False
    # One query: this runs on every admin request of an unverified session.
    devices = (
        TOTPDevice.objects.filter(user=user, confirmed=True)
        .values_list("user_id")
        .union(
            EmailDevice.objects.filter(user=user, confirmed=True).values_list("user_id"),
            StaticToken.objects.filter(device__user=user, device__confirmed=True).values_list(
                "device__user_id"
            ),
            all=True,
        )
    )
    return bool(list(devices[:1]))


@dataclass(frozen=True)
class TwoFactorStatus:
    """What a user has set up; for overview pages and the staff admin."""

    totp: bool
    email: bool
    backup_codes: int

    @property
    def enabled(self):
        return self.totp or self.email

    @property
    def methods(self):
        return [name for name, on in ((TOTP, self.totp), (EMAIL, self.email)) if on]


def status(user):
    """A ``TwoFactorStatus`` of ``user`` (three queries)."""
    return TwoFactorStatus(
        totp=totp_device(user) is not None,
        email=email_device(user) is not None,
        backup_codes=backup_codes_left(user),
    )


def available_methods(user):
    """Methods the user can log in with, in the order offered: app, email, backup codes."""
    current = status(user)
    methods = list(current.methods)
    if current.backup_codes:
        methods.append(BACKUP)
    return methods


def device_for(user, method):
    """The confirmed device of ``user`` for ``method`` (see ``METHODS``), or None."""
    if method == TOTP:
        return totp_device(user)
    if method == EMAIL:
        return email_device(user)
    if method == BACKUP:
        return backup_device(user) if backup_codes_left(user) else None
    return None


def _is_user(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.pk is not None


# Policy -------------------------------------------------------------------------------------


def policy_requires_two_factor(user):
    """True if a company of one of the user's active parties requires two-factor for everyone.

    One query; False for anonymous users and users without a portal account.
    """
    if not _is_user(user):
        return False
    return Company.objects.filter(
        two_factor_policy=Company.TwoFactorPolicy.REQUIRED,
        parties__account_links__account__user=user,
        parties__account_links__active=True,
    ).exists()


def staff_mode():
    """``STAFF_TWO_FACTOR`` ("off", "optional" or "required"; an unknown value counts as "required")."""
    mode = portal_settings.STAFF_TWO_FACTOR
    return mode if mode in STAFF_MODES else "required"


def is_admin_user(user):
    """Whether ``user`` may use the Wagtail admin (permission ``wagtailadmin.access_admin``)."""
    return _is_user(user) and user.is_active and user.has_perm("wagtailadmin.access_admin")


def staff_requirement(request):
    """What the admin still needs from this request's user: None, "verify" or "setup".

    "verify": an admin user whose session is not verified with a second factor although the
    user has one (in the modes "optional" and "required"). "setup": an admin user without any
    method while ``STAFF_TWO_FACTOR`` is "required". None otherwise (also for non-admin users).
    """
    user = getattr(request, "user", None)
    mode = staff_mode()
    if mode == "off" or not _is_user(user) or _session_verified(request):
        return None
    has_device = user_has_device(user)
    if not has_device and mode != "required":
        return None
    if not is_admin_user(user):
        return None
    return "verify" if has_device else "setup"


def _session_verified(request):
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def session_can_manage(request):
    """Whether this session may see and change the user's methods (after ``reauthenticate``).

    An authenticated user without any method may; a user with one only in a session verified
    with a second factor.
    """
    user = getattr(request, "user", None)
    if not _is_user(user):
        return False
    return _session_verified(request) or not user_has_device(user)


# Re-authentication --------------------------------------------------------------------------


def recently_authenticated(request):
    """Whether the password was confirmed in this session within ``TWO_FACTOR_REAUTH_SECONDS``."""
    data = request.session.get(REAUTH_SESSION_KEY)
    user = getattr(request, "user", None)
    if not isinstance(data, dict) or not _is_user(user) or data.get("user") != str(user.pk):
        return False
    try:
        age = now() - float(data.get("at"))
    except (TypeError, ValueError):
        return False
    return 0 <= age <= portal_settings.TWO_FACTOR_REAUTH_SECONDS


def reauthenticate(request, password):
    """Check the password of the logged-in user again; remember success in the session.

    Raises ``TooManyAttempts`` while the user is locked out (``two_factor_reauth`` scope) and
    ``TwoFactorError`` for a wrong password.
    """
    user = request.user
    check_reauth_password(user, password)
    request.session[REAUTH_SESSION_KEY] = {"user": str(user.pk), "at": now()}


def check_reauth_password(user, password):
    """Check the password of ``user`` before a change to the methods, without a session (the
    API asks for it with each change). Limits and errors as ``reauthenticate``."""
    limiter = RateLimit.for_scope("two_factor_reauth")
    key = str(user.pk)
    wait = limiter.locked_for(key)
    if wait:
        raise TooManyAttempts(wait)
    if not password or not user.check_password(password):
        if limiter.hit(key):
            raise TooManyAttempts(limiter.locked_for(key))
        raise TwoFactorError(_("The password is not correct."))
    limiter.reset(key)


def forget_reauthentication(request):
    request.session.pop(REAUTH_SESSION_KEY, None)


# Pending login (password passed, second factor not yet) --------------------------------------


@dataclass
class PendingLogin:
    """A login that passed the password and waits for the second factor."""

    user: object
    remember: bool
    next_url: str
    started: float

    @property
    def seconds_left(self):
        return max(0, int(self.started + portal_settings.TWO_FACTOR_PENDING_SECONDS - now()))


class PendingExpired(TwoFactorError):
    def __init__(self):
        super().__init__(_("Your login took too long. Please log in again."))


def begin_second_factor(request, user, *, remember=False, next_url=""):
    """Remember ``user`` as waiting for the second factor and redirect to the verify step.

    Called by the login view after a correct password when ``user_has_device(user)``. The
    session is NOT logged in afterwards (any earlier login in it is ended), so it sees nothing
    of the portal. ``next_url`` is kept only if it is a safe address on this host. Returns a
    redirect to ``wagtail_tenantportal:two_factor_verify``.
    """
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        auth_logout(request)  # flushes the session: a pending login never sits beside a login
    else:
        request.session.cycle_key()
    next_url = session.safe_next_url(request, next_url)
    request.session[PENDING_SESSION_KEY] = {
        "user": str(user.pk),
        "backend": getattr(user, "backend", None) or "",
        "hash": user.get_session_auth_hash(),
        "remember": bool(remember),
        "next": next_url or "",
        "at": now(),
    }
    return redirect("wagtail_tenantportal:two_factor_verify")


def pending_login(request):
    """The ``PendingLogin`` of this session, or None if there is none.

    Raises ``PendingExpired`` (and forgets the pending login) when it is older than
    ``TWO_FACTOR_PENDING_SECONDS``, when the password has changed since, or when the user can
    no longer log in.
    """
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        started = float(data["at"])
        user_model = get_user_model()
        pk = user_model._meta.pk.to_python(data["user"])
    except Exception:  # a malformed entry (KeyError, ValueError, ValidationError) counts as expired
        clear_pending(request)
        raise PendingExpired() from None
    age = now() - started
    user = user_model._default_manager.filter(pk=pk).first()
    if (
        age < 0
        or age > portal_settings.TWO_FACTOR_PENDING_SECONDS
        or user is None
        or not user.is_active
        or not constant_time_compare(str(data.get("hash", "")), user.get_session_auth_hash())
    ):
        clear_pending(request)
        raise PendingExpired()
    if data.get("backend"):
        user.backend = data["backend"]
    return PendingLogin(
        user=user, remember=bool(data.get("remember")), next_url=data.get("next", ""), started=started
    )


def clear_pending(request):
    request.session.pop(PENDING_SESSION_KEY, None)


def finish_second_factor(request, pending, device):
    """Log the pending user in with ``device`` (via ``auth.complete_login``); return the next URL."""
    clear_pending(request)
    auth.complete_login(request, pending.user, remember=pending.remember, device=device)
    if pending.next_url:
        return pending.next_url
    from ...core.adapter import get_adapter

    return get_adapter().get_login_redirect_url(request)


# Checking codes -----------------------------------------------------------------------------


def normalise_code(code):
    """The code without spaces and hyphens, lower case (backup codes are base32, shown in groups)."""
    return re.sub(r"[\s\-]+", "", str(code or "")).lower()


def _limiters():
    return RateLimit.for_scope("two_factor_user"), RateLimit.for_scope("two_factor_ip")


def verify(user, method, code, *, ip=None, device=None):
    """Check ``code`` for ``user`` with ``method``; return the device that accepted it.

    ``device`` may name the device to check (e.g. one being set up); otherwise the user's
    confirmed device for ``method``. Raises ``TooManyAttempts`` while the user or ``ip`` is
    locked out or django-otp delays the device after wrong codes, and ``TwoFactorError``
    (one message for every cause) for a wrong, used or expired code. A wrong code counts
    against the user and ``ip``; a correct one clears the user's count.
    """
    user_limiter, ip_limiter = _limiters()
    user_key = str(user.pk)
    wait = max(user_limiter.locked_for(user_key), ip_limiter.locked_for(ip) if ip else 0)
    if wait:
        raise TooManyAttempts(wait)
    device = device or device_for(user, method)
    token = normalise_code(code)
    if device is None or not token:
        raise TwoFactorError(INVALID_CODE)
    with transaction.atomic():
        # Locked row: two requests with the same code cannot both succeed.
        locked = Device.from_persistent_id(device.persistent_id, for_verify=True)
        if locked is None or locked.user_id != user.pk:
            raise TwoFactorError(INVALID_CODE)
        allowed, info = locked.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until")
            raise TooManyAttempts((until.timestamp() - time.time()) if until else 60)
        verified = locked.verify_token(token)
    if not verified:
        locked_now = user_limiter.hit(user_key)
        if ip:
            locked_now = ip_limiter.hit(ip) or locked_now
        if locked_now:
            log(instance=_log_instance(user), action=ACTION_FAILED, user=user)
            raise TooManyAttempts(
                max(user_limiter.locked_for(user_key), ip_limiter.locked_for(ip) if ip else 0)
            )
        raise TwoFactorError(INVALID_CODE)
    user_limiter.reset(user_key)
    return locked


def attempts_locked_for(user, ip=None):
    """Seconds until ``user`` (and ``ip``) may try codes again; 0 if not locked out."""
    user_limiter, ip_limiter = _limiters()
    return max(user_limiter.locked_for(str(user.pk)), ip_limiter.locked_for(ip) if ip else 0)


# Email codes ---------------------------------------------------------------------------------


def mask_email(address):
    """``e***@example.org``: enough to recognise the address, not enough to learn it."""
    local, _sep, domain = (address or "").partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def send_email_code(user, *, device=None, request=None):
    """Send a new one-time code to the user's email address; return the device.

    Uses the user's confirmed email device, or ``device`` (one being set up). The code is
    valid for ``OTP_EMAIL_TOKEN_VALIDITY`` seconds (django-otp, default 300) and replaces any
    earlier one. Raises ``TooManyAttempts`` when django-otp's cooldown
    (``OTP_EMAIL_COOLDOWN_DURATION``) has not passed or the ``two_factor_email_send`` limit is
    reached, and ``TwoFactorError`` when the user has no email address or device.
    """
    device = device or email_device(user)
    if device is None or not user.email:
        raise TwoFactorError(_("Codes by email are not set up for your account."))
    allowed, info = device.generate_is_allowed()
    if not allowed:
        until = (info or {}).get("next_generation_at")
        raise TooManyAttempts((until.timestamp() - time.time()) if until else 60)
    limiter = RateLimit.for_scope("two_factor_email_send")
    key = str(user.pk)
    wait = limiter.locked_for(key)
    if wait:
        raise TooManyAttempts(wait)
    limiter.hit(key)  # every mail counts, not only failures
    device.cooldown_set(commit=False)
    device.generate_token(valid_secs=otp_email_settings.OTP_EMAIL_TOKEN_VALIDITY, commit=True)
    _send_code_mail(user, device, request=request)
    return device


def _send_code_mail(user, device, *, request=None):
    company = get_adapter().mail_company(request, user)
    context = {
        "user": user,
        "code": device.token,
        "minutes": max(1, otp_email_settings.OTP_EMAIL_TOKEN_VALIDITY // 60),
    }
    get_adapter().send_mail("otp_code", device.email or user.email, context, request=request, company=company)


# Setting up and removing methods -------------------------------------------------------------


def user_company(user):
    """The first company of the user's active parties (for names and issuer), or None."""
    if not _is_user(user):
        return None
    return (
        Company.objects.filter(
            parties__account_links__account__user=user, parties__account_links__active=True
        )
        .order_by("pk")
        .first()
    )


def issuer_name(user, *, staff=False):
    """Name the authenticator app shows above the code: the portal or company name."""
    if staff:
        return getattr(django_settings, "WAGTAIL_SITE_NAME", "") or str(portal_settings.PORTAL_NAME)
    return str(get_adapter().portal_name(user_company(user)))


def start_totp_setup(user):
    """The unconfirmed authenticator device of ``user``; created on the first call.

    Reloading the setup page shows the same secret until it is confirmed. Raises
    ``TwoFactorError`` while the email address is not confirmed.
    """
    require_verified_email(user)
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device):
    """The base32 secret, as typed into an app by hand."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped(secret, size=4):
    """``ABCD EFGH …``: easier to copy by hand."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def totp_config_url(device, *, issuer):
    """The ``otpauth://totp/…`` URL for a QR code (Key URI format, issuer = portal name)."""
    issuer = (issuer or "").replace(":", "").strip()
    account = device.user.email or device.user.get_username()
    label = f"{issuer}:{account}" if issuer else account
    params = {
        "secret": totp_secret(device),
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    url = f"otpauth://totp/{quote(label)}?{urlencode(params)}"
    if issuer:
        url += f"&issuer={quote(issuer)}"
    return url


def qr_svg(data, *, title):
    """An inline SVG QR code of ``data`` (no JavaScript, no external request)."""
    import segno

    svg = segno.make_qr(data, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=str(title), svgclass="tp-qr"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)  # announced as an image named by its <title>


def confirm_totp(request, code, *, device=None, ip=None):
    """Confirm the authenticator app being set up with its first code.

    On success the device replaces an earlier app, the session counts as verified with it,
    and a first set of backup codes is created if the user has none: returns that list (show
    it once) or an empty list. Raises ``TwoFactorError``/``TooManyAttempts`` like ``verify``.
    """
    confirmed, new_codes = confirm_totp_device(request.user, code, device=device, ip=ip)
    mark_session_verified(request, confirmed)
    return new_codes


def confirm_totp_device(user, code, *, device=None, ip=None):
    """``confirm_totp`` without a session (the API): returns ``(device, new_backup_codes)``;
    the caller marks its session or token as verified with the device."""
    device = device or totp_device(user, confirmed=False)
    if device is None:
        raise TwoFactorError(_("Please start the set-up again."))
    confirmed = verify(user, TOTP, code, ip=ip, device=device)
    with transaction.atomic():
        confirmed.confirmed = True
        confirmed.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=confirmed.pk).delete()
        new_codes = [] if backup_codes_left(user) else generate_backup_codes(user, _log=False)
    log(instance=_log_instance(user), action=ACTION_ENABLED, user=user, data={"method": TOTP})
    return confirmed, new_codes


def start_email_setup(user, *, request=None):
    """Send a code to the user's email address to confirm codes by email; return the device."""
    require_verified_email(user)
    if not user.email:
        raise TwoFactorError(_("Your account has no email address."))
    device = email_device(user, confirmed=False)
    if device is None:
        device = EmailDevice.objects.create(user=user, name=EMAIL_DEVICE_NAME, confirmed=False)
    return send_email_code(user, device=device, request=request)


def confirm_email(request, code, *, ip=None):
    """Confirm codes by email with the code just sent (see ``confirm_totp`` for the result)."""
    confirmed, new_codes = confirm_email_device(request.user, code, ip=ip)
    mark_session_verified(request, confirmed)
    return new_codes


def confirm_email_device(user, code, *, ip=None):
    """``confirm_email`` without a session (the API); see ``confirm_totp_device``."""
    device = email_device(user, confirmed=False)
    if device is None:
        raise TwoFactorError(_("Please request a new code."))
    confirmed = verify(user, EMAIL, code, ip=ip, device=device)
    with transaction.atomic():
        confirmed.confirmed = True
        confirmed.save(update_fields=["confirmed"])
        EmailDevice.objects.filter(user=user).exclude(pk=confirmed.pk).delete()
        new_codes = [] if backup_codes_left(user) else generate_backup_codes(user, _log=False)
    log(instance=_log_instance(user), action=ACTION_ENABLED, user=user, data={"method": EMAIL})
    return confirmed, new_codes


def generate_backup_codes(user, *, _log=True):
    """Replace the user's backup codes by ``TWO_FACTOR_BACKUP_CODES`` new ones; return them.

    The plain codes are returned once for display (django-otp keeps them to compare).
    Raises ``TwoFactorError`` if the user has no app and no email codes: backup codes only
    complement a method.
    """
    current = status(user)
    if not current.enabled:
        raise TwoFactorError(_("Please set up an authenticator app or codes by email first."))
    count = max(1, int(portal_settings.TWO_FACTOR_BACKUP_CODES))
    with transaction.atomic():
        device = backup_device(user)
        if device is None:
            device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        else:
            device.token_set.all().delete()
            device.throttle_reset(commit=True)
        codes = _unique_codes(count)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    if _log:
        log(instance=_log_instance(user), action=ACTION_BACKUP_CODES, user=user, data={"count": count})
    return codes


def _unique_codes(count):
    codes = []
    while len(codes) < count:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    return codes


def display_code(code):
    """A backup code in two groups (``abcd efgh``)."""
    return grouped(code.upper())


def can_remove(user, method):
    """Whether ``method`` ("totp", "email" or "all") may be removed under the company policy.

    Not allowed while a company requires two-factor unless another method remains.
    """
    if not policy_requires_two_factor(user):
        return True
    current = status(user)
    remaining = set(current.methods) - ({TOTP, EMAIL} if method == "all" else {method})
    return bool(remaining)


def remove_method(request, method):
    """Remove the user's ``method`` ("totp", "email" or "all").

    Removing the last method also deletes the backup codes (two-factor is then off). If the
    session was verified with a removed device and another method remains, it stays verified
    with that one. Raises ``TwoFactorError`` when the company policy forbids it.
    """
    user = request.user
    remaining = remove_user_method(user, method)
    if remaining.enabled and _session_verified(request) and request.user.otp_device is not None:
        if not type(request.user.otp_device).objects.filter(pk=request.user.otp_device.pk).exists():
            mark_session_verified(request, device_for(user, remaining.methods[0]), cycle=False)
    return remaining


def remove_user_method(user, method):
    """``remove_method`` without a session (the API): returns the ``TwoFactorStatus`` left;
    the caller keeps its session or token verified with a remaining device."""
    if method not in (TOTP, EMAIL, "all"):
        raise TwoFactorError(_("Unknown method."))
    if not can_remove(user, method):
        raise TwoFactorError(
            _(
                "Your landlord requires two-factor authentication. Set up another method before you "
                "remove this one."
            )
        )
    with transaction.atomic():
        if method in (TOTP, "all"):
            TOTPDevice.objects.filter(user=user).delete()
        if method in (EMAIL, "all"):
            EmailDevice.objects.filter(user=user).delete()
        remaining = status(user)
        if not remaining.enabled:
            StaticDevice.objects.filter(user=user).delete()
    log(
        instance=_log_instance(user),
        action=ACTION_DISABLED,
        user=user,
        data={"method": method, "two_factor_off": not remaining.enabled},
    )
    return remaining


def mark_session_verified(request, device, *, cycle=True):
    """Mark the (logged-in) session as verified with ``device``."""
    if device is None:
        return
    if cycle:
        request.session.cycle_key()  # more rights now: a new session id
    django_otp.login(request, device)


def _log_instance(user):
    return auth.get_account(user) or user


def email_verified(user):
    """Whether the user's email address is confirmed (True for staff without a portal account:
    their addresses come from the site's administrators)."""
    account = auth.get_account(user)
    if account is None:
        return True
    return getattr(account, "email_verified_at", None) is not None


def require_verified_email(user):
    """Raise ``TwoFactorError`` unless the email address is confirmed (set-up needs it)."""
    if not email_verified(user):
        raise TwoFactorError(
            _("Please confirm your email address before you set up two-factor authentication.")
        )
