"""Login (password check with attempt limits), confirming the password again, and the
password reset and change."""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from ...core.adapter import get_adapter
from ..auth import bump_session_epoch, restamp_session
from ..models import EmailVerification, PortalAccount
from .common import (
    FlowError,
    LoginFailed,
    _absolute,
    _limit,
    _mail_company,
    _placeholder_user,
    _send,
    client_ip,
    normalise_email,
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

    The caller shows the same answer either way. Limited per address entered and per
    client address (``email_send``, ``email_send_ip``); the limit applies to known and
    unknown addresses alike. Django's ``PasswordResetTokenGenerator`` makes the token: it
    stops working once the password changed or after ``PASSWORD_RESET_TIMEOUT``.
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
        # Same work as for a known address (token, link, rendering); only the queueing differs.
        user = _placeholder_user()
    company = _mail_company(request, user)
    path = reverse(
        "wagtail_tenantportal:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    _send(
        "password_reset",
        adapter.user_email(user) if known else email,
        {"user": user, "reset_url": _absolute(request, path, company)},
        request=request,
        company=company,
        deliver=known,
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


def password_was_changed(request, user):
    """After a password change: other sessions end, this one stays; the owner is notified."""
    from django.contrib.auth import update_session_auth_hash

    update_session_auth_hash(request, user)
    account = PortalAccount.objects.filter(user=user).first()
    if account is not None:
        bump_session_epoch(account)
        restamp_session(request, account)
    _send("password_changed", get_adapter().user_email(user), {"user": user}, request=request)
