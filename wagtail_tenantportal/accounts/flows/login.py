"""Login (password check with attempt limits), confirming the password again, and the
password reset and change."""

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ...core.adapter import get_adapter
from ...core.conf import portal_settings
from ...core.tasks import defer
from ..auth import bump_session_epoch, restamp_session
from ..models import EmailVerification, PortalAccount
from .common import (
    FlowError,
    LoginFailed,
    VerificationInvalid,
    _absolute,
    _limit,
    _placeholder_user,
    _send,
    client_ip,
    in_language,
    mail_origin,
    normalise_email,
    task_mail_company,
)


def authenticate_login(request, email, password):
    """The user for ``email`` and ``password``, or ``LoginFailed`` / ``TooManyAttempts``.

    Unknown addresses, wrong passwords, inactive users and users without a portal account
    fail alike, and an unknown address runs the password hasher once like a known one.
    Failures count against the address entered (``login_account``) and the client address
    (``login_ip``); both lockouts expire. A success clears the count of the address.
    Does not log in: the caller continues with the second factor or ``complete_login``.
    """
    key = normalise_email(email)
    ip = client_ip(request)
    account_limiter = _limit("login_account", key)
    ip_limiter = _limit("login_ip", ip)
    user = get_adapter().authenticate(request, key, password)
    if user is None:
        account_limiter.hit(key)
        if ip:
            ip_limiter.hit(ip)
        raise LoginFailed()
    account_limiter.reset(key)
    return user


def check_password_attempt(request, user, password):
    """Confirm the password of the logged-in ``user`` again (e.g. before an email change).

    Wrong passwords count against the user's address in the ``login_account`` limit, like
    failed logins. Raises ``TooManyAttempts`` or ``FlowError``.
    """
    key = normalise_email(get_adapter().user_email(user))
    limiter = _limit("login_account", key)
    if not user.check_password(password):
        limiter.hit(key)
        raise FlowError(_("The password is not correct."))


def request_password_reset(request, email):
    """Send a reset link if ``email`` belongs to an active portal account; otherwise nothing.

    The caller shows the same answer either way, and the request does the same work either
    way: it counts the attempt per address entered and per client address (``email_send``,
    ``email_send_ip``; known and unknown addresses alike) and queues
    ``password_reset_task``, which looks the address up. Django's
    ``PasswordResetTokenGenerator`` makes the token: it stops working once the password
    changed or after ``PASSWORD_RESET_TIMEOUT``.
    """
    email = normalise_email(email)
    ip = client_ip(request)
    key = f"reset:{email}"
    limiter = _limit("email_send", key)
    ip_limiter = _limit("email_send_ip", ip)
    limiter.hit(key)
    if ip:
        ip_limiter.hit(ip)
    defer(password_reset_task, email, **mail_origin(request))


@task()
def password_reset_task(email, origin=None, language=None, site_company_id=None):
    """Mail a reset link to the active portal account of ``email``; True if one was queued."""
    adapter = get_adapter()
    user = adapter.find_user_by_email(email)
    if user is None or not adapter.can_log_in(user) or not user.has_usable_password():
        return False
    company = task_mail_company(user, site_company_id)
    path = reverse(
        "wagtail_tenantportal:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with in_language(language):
        return _send(
            "password_reset",
            adapter.user_email(user),
            {"user": user, "reset_url": _absolute(None, path, company, origin)},
            company=company,
        )


def password_was_reset(request, user):
    """After a reset by mail link: end all sessions, count the address as verified (the link
    proved it), notify the owner."""
    account = PortalAccount.objects.filter(user=user).first()
    if account is not None:
        bump_session_epoch(account)
        if account.email_verified_at is None:
            now = timezone.now()
            PortalAccount.objects.filter(pk=account.pk).update(email_verified_at=now)
            EmailVerification.objects.open().filter(account=account).update(superseded_at=now)
    _send("password_changed", get_adapter().user_email(user), {"user": user}, request=request)


def password_was_changed(request, user, *, keep_session=True):
    """After a password change: other sessions end, this one stays; the owner is notified.

    ``keep_session=False`` for a caller without a session (an app token keeps itself alive):
    every session ends then."""
    from django.contrib.auth import update_session_auth_hash

    if keep_session:
        update_session_auth_hash(request, user)
    account = PortalAccount.objects.filter(user=user).first()
    if account is not None:
        bump_session_epoch(account)
        if keep_session:
            restamp_session(request, account)
    _send("password_changed", get_adapter().user_email(user), {"user": user}, request=request)


# -- password reset by 6-digit code (apps) -----------------------------------------------------

_RESET_CODE_SALT = "wagtail_tenantportal.accounts.reset_code"


def _reset_code(user, email, bucket):
    """The code for ``user`` in time bucket ``bucket``. Like Django's reset tokens it is
    derived from the password hash and the last login, so it stops working once the password
    changed or the user logged in; nothing is stored."""
    last_login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
    state = f"{user.pk}\0{user.password}\0{last_login}\0{email}\0{bucket}"
    digest = salted_hmac(_RESET_CODE_SALT, state, algorithm="sha256").digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"


def _reset_buckets(now=None):
    window = max(60, int(portal_settings.EMAIL_CODE_SECONDS))
    current = int((now or timezone.now()).timestamp()) // window
    return current, current - 1


def request_password_reset_code(request, email):
    """``request_password_reset`` for apps: the mail carries a 6-digit code instead of a link.

    The same answer, limits and work for known and unknown addresses. The code is valid for at
    least ``EMAIL_CODE_SECONDS`` (at most twice that) and dies with a password change or login.
    """
    email = normalise_email(email)
    ip = client_ip(request)
    key = f"reset:{email}"
    limiter = _limit("email_send", key)
    ip_limiter = _limit("email_send_ip", ip)
    limiter.hit(key)
    if ip:
        ip_limiter.hit(ip)
    adapter = get_adapter()
    user = adapter.find_user_by_email(email)
    known = user is not None and adapter.can_log_in(user) and user.has_usable_password()
    if not known:
        user = _placeholder_user()
    code = _reset_code(user, email, _reset_buckets()[0])
    _send(
        "password_reset_code",
        adapter.user_email(user) if known else email,
        {"user": user, "code": code, "code_minutes": int(portal_settings.EMAIL_CODE_SECONDS) // 60},
        request=request,
        deliver=known,
    )


def reset_password_with_code(request, email, code, new_password):
    """Set ``new_password`` for the account of ``email`` if ``code`` is its current reset code.

    Wrong codes count against the address in the ``email_code`` limit (the lockout expires);
    unknown addresses fail exactly like wrong codes (``VerificationInvalid``). The new password
    must pass the site's validators (Django ``ValidationError`` with their messages). On
    success every session and app token of the account ends (``password_was_reset``) and the
    code cannot be used again. Returns the user.
    """
    email = normalise_email(email)
    key = f"reset:{email}"
    limiter = _limit("email_code", key)
    code = "".join(ch for ch in str(code or "") if not ch.isspace())
    adapter = get_adapter()
    user = adapter.find_user_by_email(email)
    known = user is not None and adapter.can_log_in(user) and user.has_usable_password()
    candidate = user if known else _placeholder_user()
    matches = [constant_time_compare(_reset_code(candidate, email, b), code) for b in _reset_buckets()]
    if not (known and any(matches)):
        limiter.hit(key)
        raise VerificationInvalid()
    validate_password(new_password, user)
    limiter.reset(key)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        password_was_reset(request, user)
    return user
