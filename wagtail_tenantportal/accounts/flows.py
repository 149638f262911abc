"""Registration, email verification, login, password reset and activation: the business
logic the HTML views (and later the API) call. Views stay thin.

What callers may rely on:

- Bad input raises a ``FlowError`` subclass whose ``message`` is translated and safe to
  show. Messages never tell whether an email address is known or which of several secrets
  was wrong; ``TooManyAttempts`` says an attempt limit locked the action for a while.
- Nothing is saved unless the whole step is valid (each step runs in one transaction).
- Mails are rendered in the request and sent by a task after the transaction commits
  (``wagtail_tenantportal.core.mail``); a mail that cannot be sent is logged by the task and does
  not undo the step (the tenant can ask for it again). With a worker task backend the
  response never waits for the mail server.
- Registration and reset return the same result whether or not the email address belongs
  to an account: when it does, the owner of the address gets a notice instead.

Registration codes (checking and redeeming) belong to ``services``; this module calls them.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from ..core import mail
from ..core.adapter import get_adapter
from ..core.conf import portal_settings
from ..core.ratelimit import RateLimit
from ..tenancy.models import Contract, ContractParty
from . import codes, services
from .models import AccountParty, Consent, EmailVerification, PortalAccount, RegistrationClaim
from .signals import account_registered, email_confirmed

logger = logging.getLogger(__name__)

#: Session key of a registration that still waits for the email code (see ``register_*``).
PENDING_VERIFICATION_SESSION_KEY = "_tenantportal_pending_verification"

ACTION_REGISTERED = "tenantportal.account_registered"
ACTION_EMAIL_CONFIRMED = "tenantportal.email_confirmed"
ACTION_CLAIM_MATCHED = "tenantportal.claim_matched"
ACTION_CLAIM_REJECTED = "tenantportal.claim_rejected"
ACTION_ACTIVATED = "tenantportal.account_activated"

_CODE_SALT = "wagtail_tenantportal.accounts.email_code"
_LINK_SALT = "wagtail_tenantportal.accounts.email_link"


# -- errors -----------------------------------------------------------------------------------


class FlowError(Exception):
    """A step failed; ``message`` is translated and safe to show to anybody."""

    message = _("Something went wrong. Please try again.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class TooManyAttempts(FlowError):
    """An attempt limit locked the action; ``retry_after`` seconds until it ends."""

    def __init__(self, retry_after):
        self.retry_after = max(1, int(retry_after + 0.999))
        minutes = max(1, (self.retry_after + 59) // 60)
        super().__init__(
            ngettext(
                "Too many attempts. Please try again in %(minutes)d minute.",
                "Too many attempts. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


class RegistrationInvalid(FlowError):
    """The registration details do not fit a valid registration code (one message for all causes)."""

    message = services.RegistrationCodeInvalid.message


class LoginFailed(FlowError):
    message = _(
        "The email address or the password is not correct. Please note that upper and lower case "
        "matter in the password."
    )


class VerificationInvalid(FlowError):
    message = _(
        "This code is not valid. A code is valid for 15 minutes and for five attempts; you can request a "
        "new email."
    )


class VerificationLinkInvalid(FlowError):
    message = _(
        "This confirmation link is not valid any more: it has expired, was already used, or a newer email "
        "replaced it. You can request a new email."
    )


class EmailUnavailable(FlowError):
    message = _("This email address cannot be used for your account. Please choose another one.")


class ActivationInvalid(FlowError):
    message = _(
        "This activation code is not valid. Please check the code printed on our letter; if it has "
        "expired, please contact us."
    )


def _limit(scope, *keys):
    """Raise ``TooManyAttempts`` if any key of ``scope`` is locked; return the limiter."""
    limiter = RateLimit.for_scope(scope)
    wait = max((limiter.locked_for(key) for key in keys if key), default=0)
    if wait > 0:
        raise TooManyAttempts(wait)
    return limiter


# -- helpers ----------------------------------------------------------------------------------


def normalise_email(email):
    """Email addresses are compared and stored in lower case without surrounding spaces."""
    return str(email or "").strip().lower()


def client_ip(request):
    return get_adapter().get_client_ip(request) if request is not None else None


def consent_versions():
    """``{kind: version}`` of the consent texts in force (setting ``CONSENT_VERSIONS``)."""
    versions = portal_settings.CONSENT_VERSIONS or {}
    return {kind: str(versions.get(kind) or "1") for kind in Consent.Kind.values}


def record_consents(account, kinds, *, now=None):
    """Store one ``Consent`` per kind in ``kinds`` with the version in force and the time."""
    now = now or timezone.now()
    versions = consent_versions()
    Consent.objects.bulk_create(
        [Consent(account=account, kind=kind, version=versions[kind], given_at=now) for kind in kinds]
    )


def _dummy_password_hash(password):
    # Same work as a real account creation or login, so the time taken does not tell.
    get_user_model()().set_password(password)


def _render(template_prefix, email, context, *, request=None, company=None):
    """The rendered message, or None (logged) if rendering failed."""
    try:
        return get_adapter().render_mail(template_prefix, email, context, request=request, company=company)
    except Exception:  # a template problem must not undo the step; the tenant can retry
        logger.exception("Could not render the %s mail", template_prefix)
        return None


def _send(template_prefix, email, context, *, request=None, company=None, deliver=True):
    """Render the mail now and queue its sending (``mail.send_later``): the request never
    waits for the mail server, so its duration does not tell whether an account exists.

    True if the mail was rendered and queued. ``deliver=False`` does the same rendering and
    queues nothing (the unknown-address branch of the enumeration-safe flows).
    """
    message = _render(template_prefix, email, context, request=request, company=company)
    if message is None or not deliver:
        return False
    mail.send_later(message)
    return True


def _placeholder_user():
    """An unsaved user standing in for an unknown address (never stored, never mailed)."""
    return get_user_model()()


def _absolute(request, path):
    return get_adapter().build_absolute_uri(request, path)


def _notify_email_in_use(request, email, *, company=None):
    user = get_adapter().find_user_by_email(email)
    if user is None:
        return
    _send(
        "email_in_use",
        email,
        {
            "user": user,
            "login_url": _absolute(request, reverse("wagtail_tenantportal:login")),
            "password_reset_url": _absolute(request, reverse("wagtail_tenantportal:password_reset")),
        },
        request=request,
        company=company,
    )


# -- email verification -----------------------------------------------------------------------


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


def send_verification_mail(request, verification, code, *, deliver=True):
    """Mail the link and the code of ``verification`` to its address (queued, see ``_send``).

    ``deliver=False`` renders the mail and queues nothing."""
    path = reverse("wagtail_tenantportal:verify_email", kwargs={"token": make_link_token(verification)})
    return _send(
        "email_verification",
        verification.email,
        {
            "user": verification.account.user,
            "code": code,
            "verify_url": _absolute(request, path),
            "code_url": _absolute(request, reverse("wagtail_tenantportal:verify_email_code")),
            "link_hours": int(portal_settings.EMAIL_VERIFICATION_LINK_SECONDS) // 3600,
            "code_minutes": int(portal_settings.EMAIL_CODE_SECONDS) // 60,
            "purpose": verification.purpose,
        },
        request=request,
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


def verify_email_code(account, code, *, now=None):
    """Confirm the account's open verification with the 6-digit ``code``; return the account.

    ``account`` may be None (a registration whose address was already in use): the code
    then always fails, exactly as a wrong code does. A code counts ``EMAIL_CODE_MAX_ATTEMPTS``
    tries and lasts ``EMAIL_CODE_SECONDS``; failures also count against the account in the
    ``email_code`` limit, whose lockout expires. Raises ``VerificationInvalid`` or
    ``TooManyAttempts``.
    """
    now = now or timezone.now()
    key = f"account:{account.pk}" if account is not None else None
    limiter = _limit("email_code", key)
    code = "".join(ch for ch in str(code or "") if not ch.isspace())
    verification = None
    if account is not None:
        verification = (
            EmailVerification.objects.open().filter(account=account).order_by("-created_at").first()
        )
    ok = False
    if verification is not None and verification.code_expires_at > now:
        # Count the attempt before comparing, so parallel guesses cannot exceed the limit.
        counted = (
            EmailVerification.objects.filter(
                pk=verification.pk, attempts__lt=int(portal_settings.EMAIL_CODE_MAX_ATTEMPTS)
            ).update(attempts=F("attempts") + 1)
            == 1
        )
        ok = counted and constant_time_compare(verification.code_hash, _hash_code(verification.uuid, code))
    if not ok:
        if key:
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
    """The "I received no email" form: the same outcome whatever ``email`` is.

    If it belongs to an account that waits for confirmation, a new mail goes out; otherwise
    nothing happens. Limited per address entered and per client address.
    """
    email = normalise_email(email)
    ip = client_ip(request)
    key = f"verify:{email}"
    limiter = _limit("email_send", key)
    ip_limiter = _limit("email_send_ip", ip)
    limiter.hit(key)
    if ip:
        ip_limiter.hit(ip)
    user = get_adapter().find_user_by_email(email)
    account = PortalAccount.objects.filter(user=user).first() if user is not None else None
    if account is None or account.email_verified_at is not None:
        # Comparable work to the known-address branch (a mail is rendered), nothing queued.
        dummy = EmailVerification(
            uuid=uuid.uuid4(), email=email, account=PortalAccount(user=_placeholder_user())
        )
        send_verification_mail(request, dummy, f"{secrets.randbelow(10**6):06d}", deliver=False)
        return
    verification, code = start_email_verification(account)
    send_verification_mail(request, verification, code)


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
    account = None
    if data.get("account"):
        account = PortalAccount.objects.select_related("user").filter(pk=data["account"]).first()
    return account, data.get("email") or ""


# -- registration -----------------------------------------------------------------------------


@dataclass
class Registration:
    """Outcome of a registration step: what the "check your mailbox" page shows.

    ``account`` is None when the address already belonged to an account (its owner got a
    notice); callers must not show the difference.
    """

    email: str
    account: PortalAccount | None = None


def _create_account(email, password, *, first_name="", last_name="", now):
    user = get_adapter().create_user(email, password, first_name=first_name, last_name=last_name)
    return PortalAccount.objects.create(user=user, created_at=now)


def register_with_code(
    request,
    *,
    contract_number,
    code,
    last_name,
    email,
    password,
    consents,
    company=None,
    first_name="",
    now=None,
):
    """Code-first registration: contract number + letter code + last name + email + password.

    ``company`` may be None: the code identifies it. ``consents``: the consent kinds given
    (privacy and terms must be among them; the form checks that). In one transaction: the
    user, the ``PortalAccount``, the active link to the code's party, the consents, the
    code marked used and a verification record; then the verification mail is sent.
    Raises ``RegistrationInvalid`` (one message for every cause) or ``TooManyAttempts``.
    If the address is in use, nothing is saved, the owner gets a notice and the result
    looks the same as a success.
    """
    now = now or timezone.now()
    email = normalise_email(email)
    ip = client_ip(request)
    try:
        record = services.check_registration_code(
            contract_number, code, last_name, company=company, ip=ip, now=now
        )
    except services.TooManyAttempts as error:
        raise TooManyAttempts(error.retry_after) from error
    except services.RegistrationCodeInvalid as error:
        raise RegistrationInvalid() from error
    # A code sent to activate a matched "verify later" account belongs to that account.
    if RegistrationClaim.objects.filter(
        party_id=record.party_id, status=RegistrationClaim.Status.MATCHED, activated_at__isnull=True
    ).exists():
        raise RegistrationInvalid()
    adapter = get_adapter()
    if adapter.find_user_by_email(email) is not None:
        _dummy_password_hash(password)
        _notify_email_in_use(request, email, company=record.company)
        return Registration(email=email)
    try:
        with transaction.atomic():
            account = _create_account(
                email,
                password,
                first_name=first_name or record.party.first_name,
                last_name=record.party.last_name,
                now=now,
            )
            services.redeem(record, account.user, now=now)
            AccountParty.objects.create(account=account, party=record.party, active=True, linked_at=now)
            record_consents(account, consents, now=now)
            verification, plain = start_email_verification(account, email, now=now)
            log(account, ACTION_REGISTERED, user=account.user, data={"flow": "code_first"})
    except services.RegistrationCodeInvalid as error:  # the code was used concurrently
        raise RegistrationInvalid() from error
    except IntegrityError:  # the address was taken concurrently
        _notify_email_in_use(request, email, company=record.company)
        return Registration(email=email)
    account_registered.send(sender=PortalAccount, account=account, flow="code_first")
    send_verification_mail(request, verification, plain)
    return Registration(email=email, account=account)


def register_for_matching(
    request,
    *,
    company,
    first_name,
    last_name,
    street,
    postal_code,
    city,
    email,
    password,
    consents,
    phone="",
    contract_number="",
    now=None,
):
    """Registration in the "verify later" flow: personal data now, staff match it to a party later.

    Creates the user, the ``PortalAccount`` (without any party link), a pending
    ``RegistrationClaim`` with the data, the consents and a verification record in one
    transaction, then sends the verification mail. The account sees no contract until
    ``activate_with_code``. Limited per client address (``signup_ip``). If the address is
    in use, nothing is saved and the owner gets a notice; the result looks the same.
    """
    now = now or timezone.now()
    email = normalise_email(email)
    ip = client_ip(request)
    limiter = _limit("signup_ip", ip)
    if ip:
        limiter.hit(ip)
    if get_adapter().find_user_by_email(email) is not None:
        _dummy_password_hash(password)
        _notify_email_in_use(request, email, company=company)
        return Registration(email=email)
    try:
        with transaction.atomic():
            account = _create_account(email, password, first_name=first_name, last_name=last_name, now=now)
            RegistrationClaim.objects.create(
                account=account,
                company=company,
                first_name=first_name,
                last_name=last_name,
                street=street,
                postal_code=postal_code,
                city=city,
                phone=phone,
                contract_number=contract_number,
                created_at=now,
            )
            record_consents(account, consents, now=now)
            verification, plain = start_email_verification(account, email, now=now)
            log(account, ACTION_REGISTERED, user=account.user, data={"flow": "verify_later"})
    except IntegrityError:
        _notify_email_in_use(request, email, company=company)
        return Registration(email=email)
    account_registered.send(sender=PortalAccount, account=account, flow="verify_later")
    send_verification_mail(request, verification, plain)
    return Registration(email=email, account=account)


def add_party_with_code(request, account, *, contract_number, code, last_name, now=None):
    """Link a further contract to a logged-in account with the letter of its party.

    For tenants with contracts of several parties or companies: the same checks as the
    code-first registration (one message for every cause, the same attempt limits); the
    code is marked used and the party linked in one transaction. Returns the new
    ``AccountParty``. Raises ``RegistrationInvalid`` or ``TooManyAttempts``.
    """
    now = now or timezone.now()
    try:
        record = services.check_registration_code(
            contract_number, code, last_name, ip=client_ip(request), now=now
        )
    except services.TooManyAttempts as error:
        raise TooManyAttempts(error.retry_after) from error
    except services.RegistrationCodeInvalid as error:
        raise RegistrationInvalid() from error
    try:
        with transaction.atomic():
            services.redeem(record, account.user, now=now)
            link, created = AccountParty.objects.get_or_create(
                account=account, party=record.party, defaults={"active": True, "linked_at": now}
            )
            if not created and not link.active:
                link.active, link.linked_at = True, now
                link.save(update_fields=["active", "linked_at"])
            log(account, ACTION_ACTIVATED, user=account.user, data={"party": record.party_id})
    except services.RegistrationCodeInvalid as error:
        raise RegistrationInvalid() from error
    return link


# -- verify later: staff match, activation by letter code ------------------------------------


def _claim_contract(claim, party):
    """The contract the activation letter names: the one the tenant gave if it is the party's,
    else a current one (rental before parking before membership)."""
    links = list(
        ContractParty.objects.filter(party=party, contract__in=Contract.objects.current()).select_related(
            "contract"
        )
    )
    if not links:
        return None
    wanted = services.normalise_contract_number(claim.contract_number)
    for link in links:
        if wanted and services.normalise_contract_number(link.contract.number) == wanted:
            return link.contract
    rank = {Contract.Kind.RENTAL: 0, Contract.Kind.PARKING: 1, Contract.Kind.MEMBERSHIP: 2}
    return min(links, key=lambda link: (rank.get(link.contract.kind, 3), link.contract.number)).contract


def match_claim(claim, party, user, *, contract=None, now=None):
    """Staff matched ``claim`` to ``party``: issue an activation code for the letter.

    Links nothing yet: the account gets the party only when the tenant enters the code
    (``activate_with_code``). Returns the ``services.IssuedCode`` (its plain ``code`` is the
    only copy: print the letter with it, e.g. with ``letters.LetterRenderer``; or call
    ``services.reprint(issued.record, out)`` for a fresh code and letter). Older unused
    codes of the party are revoked by the codes service. Raises ``ValueError`` if the party
    belongs to another company, has no current contract, or the claim is not pending.
    """
    now = now or timezone.now()
    if claim.status != RegistrationClaim.Status.PENDING:
        raise ValueError("Only pending claims can be matched.")
    if party.company_id != claim.company_id:
        raise ValueError("The party belongs to another company than the claim.")
    contract = contract or _claim_contract(claim, party)
    if contract is None:
        raise ValueError("The party has no current contract.")
    with transaction.atomic():
        issued = services.issue_code(party, contract, user=user, now=now)
        claim.status = RegistrationClaim.Status.MATCHED
        claim.party = party
        claim.code = issued.record
        claim.decided_at = now
        claim.decided_by = user if getattr(user, "is_authenticated", False) else None
        claim.save(update_fields=["status", "party", "code", "decided_at", "decided_by"])
        log(claim, ACTION_CLAIM_MATCHED, user=claim.decided_by, data={"party": party.pk})
    _send(
        "claim_matched",
        get_adapter().user_email(claim.account.user),
        {"user": claim.account.user, "claim": claim, "company": claim.company},
        company=claim.company,
    )
    return issued


def reject_claim(claim, user, *, note="", now=None):
    """Staff could not match ``claim``: mark it rejected and tell the tenant by mail."""
    now = now or timezone.now()
    if claim.status != RegistrationClaim.Status.PENDING:
        raise ValueError("Only pending claims can be rejected.")
    claim.status = RegistrationClaim.Status.REJECTED
    claim.note = note
    claim.decided_at = now
    claim.decided_by = user if getattr(user, "is_authenticated", False) else None
    claim.save(update_fields=["status", "note", "decided_at", "decided_by"])
    log(claim, ACTION_CLAIM_REJECTED, user=claim.decided_by)
    _send(
        "claim_rejected",
        get_adapter().user_email(claim.account.user),
        {"user": claim.account.user, "claim": claim, "company": claim.company},
        company=claim.company,
    )
    return claim


def activate_with_code(account, code, *, ip=None, now=None):
    """The tenant entered the activation code of the letter: link the matched party.

    Accepts any valid code of a party that one of the account's matched claims names
    (staff may have reprinted the letter). In one transaction the code is marked used, the
    ``AccountParty`` link becomes active and the claim is marked activated. Returns the
    link. Raises ``ActivationInvalid`` or ``TooManyAttempts`` (limit ``activation_code``
    per account and ``registration_ip`` per client address).
    """
    now = now or timezone.now()
    key = f"account:{account.pk}"
    limiter = _limit("activation_code", key)
    ip_limiter = _limit("registration_ip", ip)
    claims = {
        claim.party_id: claim
        for claim in account.claims.filter(status=RegistrationClaim.Status.MATCHED, activated_at__isnull=True)
    }
    normalised = codes.normalise(code)
    record = None
    if claims and codes.is_well_formed(normalised):
        record = (
            services.RegistrationCode.objects.active(now)
            .filter(code_hash__in=codes.candidate_hashes(normalised), party_id__in=list(claims))
            .select_related("party")
            .first()
        )
    taken = (
        record is not None
        and AccountParty.objects.filter(party_id=record.party_id, active=True)
        .exclude(account=account)
        .exists()
    )
    if record is None or taken:
        limiter.hit(key)
        if ip:
            ip_limiter.hit(ip)
        raise ActivationInvalid()
    claim = claims[record.party_id]
    try:
        with transaction.atomic():
            services.redeem(record, account.user, now=now)
            link, created = AccountParty.objects.get_or_create(
                account=account, party=record.party, defaults={"active": True, "linked_at": now}
            )
            if not created and not link.active:
                link.active, link.linked_at = True, now
                link.save(update_fields=["active", "linked_at"])
            claim.activated_at = now
            claim.save(update_fields=["activated_at"])
            log(account, ACTION_ACTIVATED, user=account.user, data={"party": record.party_id})
    except services.RegistrationCodeInvalid as error:
        raise ActivationInvalid() from error
    limiter.reset(key)
    return link


# -- login ------------------------------------------------------------------------------------


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


# -- password reset and change ------------------------------------------------------------------


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
        {"user": user, "reset_url": _absolute(request, path)},
        request=request,
        deliver=known,
    )


def password_was_reset(request, user):
    """After a reset by mail link: end all sessions, count the address as verified (the link
    proved it), notify the owner."""
    from .auth import bump_session_epoch

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

    from .auth import bump_session_epoch, restamp_session

    update_session_auth_hash(request, user)
    account = PortalAccount.objects.filter(user=user).first()
    if account is not None:
        bump_session_epoch(account)
        restamp_session(request, account)
    _send("password_changed", get_adapter().user_email(user), {"user": user}, request=request)


# -- email change and contact data ------------------------------------------------------------


def request_email_change(request, account, new_email):
    """Send a verification mail to ``new_email``; the address changes once it is confirmed.

    The current address gets a notice. If ``new_email`` belongs to another account, its
    owner gets a notice instead and the caller's answer is the same. Limited like resends.
    """
    new_email = normalise_email(new_email)
    key = f"verify:account:{account.pk}"
    limiter = _limit("email_send", key)
    limiter.hit(key)
    adapter = get_adapter()
    user = account.user
    old_email = adapter.user_email(user)
    other = adapter.find_user_by_email(new_email)
    if other is not None:
        if other.pk != user.pk:
            _notify_email_in_use(request, new_email)
        return
    verification, code = start_email_verification(
        account, new_email, purpose=EmailVerification.Purpose.EMAIL_CHANGE
    )
    send_verification_mail(request, verification, code)
    if old_email and account.email_verified_at is not None:
        _send("email_change_notice", old_email, {"user": user, "new_email": new_email}, request=request)


def set_e_delivery(account, wanted, *, now=None):
    """Give (with the text version in force) or withdraw the e-delivery consent.

    Withdrawing sets ``withdrawn_at`` on the current consent; the record stays. Returns True
    if something changed.
    """
    now = now or timezone.now()
    current = account.consents.current().filter(kind=Consent.Kind.E_DELIVERY)
    if wanted and not current.exists():
        record_consents(account, [Consent.Kind.E_DELIVERY], now=now)
        return True
    if not wanted and current.exists():
        current.update(withdrawn_at=now)
        return True
    return False


def save_contact_data(account, *, phone="", mobile="", phone_work="", now=None):
    """Store the tenant's own phone numbers and record that the contact data were checked."""
    account.phone, account.mobile, account.phone_work = phone, mobile, phone_work
    account.contact_checked_at = now or timezone.now()
    account.save(update_fields=["phone", "mobile", "phone_work", "contact_checked_at"])
    return account
