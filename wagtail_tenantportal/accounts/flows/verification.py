"""Email verification: a link and a 6-digit code per mail, confirming a registration's
address or a new address (email change); resending; the registration that waits for its
code in this browser session."""

import secrets
import uuid
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_tasks import task
from wagtail.log_actions import log

from ...core.adapter import get_adapter
from ...core.conf import portal_settings
from ...core.tasks import defer
from ..models import (
    EmailVerification,
    PortalAccount,
)
from ..signals import email_confirmed
from .common import (
    ACTION_EMAIL_CONFIRMED,
    EmailUnavailable,
    VerificationInvalid,
    VerificationLinkInvalid,
    _absolute,
    _limit,
    _mail_company,
    _notify_email_in_use,
    _send,
    announce_activation,
    client_ip,
    in_language,
    mail_origin,
    normalise_email,
    task_mail_company,
)

#: Session key of a registration that still waits for the email code (see ``register_*``).
PENDING_VERIFICATION_SESSION_KEY = "_tenantportal_pending_verification"

_CODE_SALT = "wagtail_tenantportal.accounts.email_code"
_LINK_SALT = "wagtail_tenantportal.accounts.email_link"


def _hash_code(verification_uuid, code):
    return salted_hmac(_CODE_SALT, f"{verification_uuid}:{code}", algorithm="sha256").hexdigest()


def make_link_token(verification):
    """Signed, timestamped token naming ``verification`` (for the link in the mail)."""
    return signing.TimestampSigner(salt=_LINK_SALT).sign(verification.uuid.hex)


def start_email_verification(account, email=None, *, purpose=None, now=None):
    """A new verification for ``email`` (default: the user's address); returns ``(record, code)``.

    Earlier open verifications of the account are superseded (their link and code stop
    working). The 6-digit code is drawn with ``secrets`` and only its HMAC is stored.
    """
    now = now or timezone.now()
    email = normalise_email(email or get_adapter().user_email(account.user))
    purpose = purpose or EmailVerification.Purpose.REGISTRATION
    code = f"{secrets.randbelow(10**6):06d}"
    verification_uuid = uuid.uuid4()
    with transaction.atomic():
        EmailVerification.objects.open().filter(account=account).update(superseded_at=now)
        verification = EmailVerification.objects.create(
            uuid=verification_uuid,
            account=account,
            email=email,
            purpose=purpose,
            code_hash=_hash_code(verification_uuid, code),
            created_at=now,
            code_expires_at=now + timedelta(seconds=int(portal_settings.EMAIL_CODE_SECONDS)),
        )
    return verification, code


def send_verification_mail(request, verification, code, *, deliver=True, company=None, origin=None):
    """Mail the link and the code of ``verification`` to its address (queued, see ``_send``),
    in the voice of ``company`` (default: the account's own, see ``adapter.mail_company``).

    ``deliver=False`` renders the mail and queues nothing. A task passes ``request=None`` and
    the ``origin`` of the request it works for (``mail_origin``)."""
    path = reverse("wagtail_tenantportal:verify_email", kwargs={"token": make_link_token(verification)})
    user = verification.account.user
    company = company or _mail_company(request, user)
    return _send(
        "email_verification",
        verification.email,
        {
            "user": user,
            "code": code,
            "verify_url": _absolute(request, path, company, origin),
            "code_url": _absolute(
                request, reverse("wagtail_tenantportal:verify_email_code"), company, origin
            ),
            "link_hours": int(portal_settings.EMAIL_VERIFICATION_LINK_SECONDS) // 3600,
            "code_minutes": int(portal_settings.EMAIL_CODE_SECONDS) // 60,
            "purpose": verification.purpose,
        },
        request=request,
        company=company,
        deliver=deliver,
    )


def _confirm(verification, *, now):
    """Mark ``verification`` confirmed and apply it: the account's email counts as verified,
    and a new address replaces the user's old one. Returns the account."""
    adapter = get_adapter()
    account = verification.account
    user = account.user
    with transaction.atomic():
        changed = (
            EmailVerification.objects.open()
            .filter(pk=verification.pk)
            .update(confirmed_at=now, attempts=F("attempts"))
        )
        if not changed:
            raise VerificationLinkInvalid()
        if normalise_email(adapter.user_email(user)) != verification.email:
            other = adapter.find_user_by_email(verification.email)
            if other is not None and other.pk != user.pk:
                raise EmailUnavailable()
            adapter.set_user_email(user, verification.email)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError as error:
                raise EmailUnavailable() from error
        EmailVerification.objects.open().filter(account=account).update(superseded_at=now)
        PortalAccount.objects.filter(pk=account.pk).update(email_verified_at=now)
        account.email_verified_at = now
        log(account, ACTION_EMAIL_CONFIRMED, user=user, data={"purpose": verification.purpose})
    email_confirmed.send(sender=PortalAccount, account=account)
    if verification.purpose == EmailVerification.Purpose.REGISTRATION:
        # Code first: the party was linked at registration, so the account is active now.
        # Verify later: no link yet; the mail follows the activation code (activation.py).
        announce_activation(account)
    return account


def confirm_email_link(token, *, now=None):
    """Confirm the address behind a link token (POST only); return the ``PortalAccount``.

    Raises ``VerificationLinkInvalid`` for a forged, expired (``EMAIL_VERIFICATION_LINK_SECONDS``),
    used or superseded link, ``EmailUnavailable`` if the new address was taken meanwhile.
    """
    now = now or timezone.now()
    max_age = int(portal_settings.EMAIL_VERIFICATION_LINK_SECONDS)
    try:
        value = signing.TimestampSigner(salt=_LINK_SALT).unsign(str(token), max_age=max_age)
        verification_uuid = uuid.UUID(hex=value)
    except (signing.BadSignature, ValueError) as error:
        raise VerificationLinkInvalid() from error
    verification = (
        EmailVerification.objects.open()
        .select_related("account__user")
        .filter(uuid=verification_uuid)
        .first()
    )
    if verification is None:
        raise VerificationLinkInvalid()
    return _confirm(verification, now=now)


def check_link_token(token):
    """True if ``token`` is well signed and not expired (for the GET page; confirms nothing)."""
    try:
        signing.TimestampSigner(salt=_LINK_SALT).unsign(
            str(token), max_age=int(portal_settings.EMAIL_VERIFICATION_LINK_SECONDS)
        )
    except signing.BadSignature:
        return False
    return True


def verify_email_code(account, code, *, now=None, email=""):
    """Confirm the account's open verification with the 6-digit ``code``; return the account.

    ``account`` may be None (a registration whose address was already in use; ``email`` is
    the address it gave): the code then always fails, exactly as a wrong code does, after the
    same queries and the same attempt counting, so the answer and its work do not tell
    whether the address had an account. A code counts ``EMAIL_CODE_MAX_ATTEMPTS`` tries and
    lasts ``EMAIL_CODE_SECONDS``; failures also count in the ``email_code`` limit (per
    account, or per address entered), whose lockout expires. Raises ``VerificationInvalid``
    or ``TooManyAttempts``.
    """
    now = now or timezone.now()
    key = f"account:{account.pk}" if account is not None else f"address:{normalise_email(email)}"
    limiter = _limit("email_code", key)
    code = "".join(ch for ch in str(code or "") if not ch.isspace())
    # Without an account this matches nothing (no id is 0) but costs the same query.
    account_id = account.pk if account is not None else 0
    verification = (
        EmailVerification.objects.open().filter(account_id=account_id).order_by("-created_at").first()
    )
    # Count the attempt before comparing, so parallel guesses cannot exceed the limit; an
    # expired, used-up or missing verification updates no row (the same query all the same).
    counted = (
        EmailVerification.objects.filter(
            pk=verification.pk if verification is not None else 0,
            attempts__lt=int(portal_settings.EMAIL_CODE_MAX_ATTEMPTS),
            code_expires_at__gt=now,
        ).update(attempts=F("attempts") + 1)
        == 1
    )
    expected = verification.code_hash if verification is not None else ""
    given = _hash_code(verification.uuid if verification is not None else uuid.UUID(int=0), code)
    if not (constant_time_compare(expected, given) and counted):
        limiter.hit(key)
        raise VerificationInvalid()
    limiter.reset(key)
    verification.account = account
    return _confirm(verification, now=now)


def resend_verification(request, account):
    """Send a new verification mail to ``account`` (nothing if already verified).

    Limited per account (``email_send``) and per client address (``email_send_ip``).
    """
    ip = client_ip(request)
    key = f"verify:account:{account.pk}"
    limiter = _limit("email_send", key)
    ip_limiter = _limit("email_send_ip", ip)
    limiter.hit(key)
    if ip:
        ip_limiter.hit(ip)
    open_verification = (
        EmailVerification.objects.open().filter(account=account).order_by("-created_at").first()
    )
    if account.email_verified_at is not None and open_verification is None:
        return False
    email = open_verification.email if open_verification else None
    purpose = open_verification.purpose if open_verification else None
    verification, code = start_email_verification(account, email, purpose=purpose)
    return send_verification_mail(request, verification, code)


def resend_verification_by_email(request, email):
    """The "I received no email" form: the same outcome, and the same work, whatever ``email`` is.

    The request counts the attempt (per address entered, ``email_send``, and per client
    address, ``email_send_ip``) and hands the address to ``resend_verification_task``; it
    never looks the address up. The task sends a new mail if the address belongs to an
    account that waits for confirmation, and does nothing otherwise. So unknown, confirmed
    and unconfirmed addresses cost the request the same queries and one queued task each.
    """
    email = normalise_email(email)
    ip = client_ip(request)
    key = f"verify:{email}"
    limiter = _limit("email_send", key)
    ip_limiter = _limit("email_send_ip", ip)
    limiter.hit(key)
    if ip:
        ip_limiter.hit(ip)
    defer(resend_verification_task, email, **mail_origin(request))


@task()
def resend_verification_task(email, origin=None, language=None, site_company_id=None):
    """Send a new verification mail if ``email`` belongs to an account waiting for confirmation.

    Returns True if a mail was queued. Runs outside the request (``resend_verification_by_email``).
    """
    user = get_adapter().find_user_by_email(email)
    account = PortalAccount.objects.filter(user=user).first() if user is not None else None
    if account is None or account.email_verified_at is not None:
        return False
    company = task_mail_company(user, site_company_id)
    with in_language(language):
        verification, code = start_email_verification(account)
        return send_verification_mail(None, verification, code, company=company, origin=origin)


def remember_pending_verification(request, account, email):
    """Let this browser session enter the email code without logging in (``account`` may be
    None when the address was already in use: the code form then behaves as for a wrong code)."""
    request.session[PENDING_VERIFICATION_SESSION_KEY] = {
        "account": account.pk if account is not None else None,
        "email": email,
        "at": timezone.now().timestamp(),
    }


def clear_pending_verification(request):
    request.session.pop(PENDING_VERIFICATION_SESSION_KEY, None)


def pending_verification(request):
    """``(account_or_None, email)`` of the registration this session made, or None.

    Expires with the confirmation link (``EMAIL_VERIFICATION_LINK_SECONDS``).
    """
    data = request.session.get(PENDING_VERIFICATION_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    age = timezone.now().timestamp() - float(data.get("at") or 0)
    if age > int(portal_settings.EMAIL_VERIFICATION_LINK_SECONDS):
        request.session.pop(PENDING_VERIFICATION_SESSION_KEY, None)
        return None
    # The same query with or without an account (no id is 0): a registration with an address
    # in use must not be told apart by the time its pages take.
    account = PortalAccount.objects.select_related("user").filter(pk=data.get("account") or 0).first()
    return account, data.get("email") or ""


def request_email_change(request, account, new_email):
    """Send a verification mail to ``new_email``; the address changes once it is confirmed.

    The current address gets a notice. If ``new_email`` belongs to another account, its
    owner gets a notice instead and the caller's answer is the same. Limited like resends.
    The request only counts the attempt and queues ``email_change_task``, which looks the
    address up: whether it is in use changes neither the answer nor the request's work.
    """
    new_email = normalise_email(new_email)
    key = f"verify:account:{account.pk}"
    limiter = _limit("email_send", key)
    limiter.hit(key)
    defer(email_change_task, account.pk, new_email, **mail_origin(request))


@task()
def email_change_task(account_pk, new_email, origin=None, language=None, site_company_id=None):
    """The work of ``request_email_change``, outside the request. Returns what was sent:
    ``"in_use"`` (the owner of ``new_email`` was told), ``"verification"`` or ``""``."""
    account = PortalAccount.objects.select_related("user").filter(pk=account_pk).first()
    if account is None:
        return ""
    adapter = get_adapter()
    user = account.user
    company = task_mail_company(user, site_company_id)
    with in_language(language):
        other = adapter.find_user_by_email(new_email)
        if other is not None:
            if other.pk == user.pk:
                return ""
            _notify_email_in_use(
                None, new_email, company=task_mail_company(None, site_company_id), origin=origin
            )
            return "in_use"
        old_email = adapter.user_email(user)
        verification, code = start_email_verification(
            account, new_email, purpose=EmailVerification.Purpose.EMAIL_CHANGE
        )
        send_verification_mail(None, verification, code, company=company, origin=origin)
        if old_email and account.email_verified_at is not None:
            _send("email_change_notice", old_email, {"user": user, "new_email": new_email}, company=company)
    return "verification"
