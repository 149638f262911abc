"""Registration: code first (contract number, letter code, last name) or "verify later"
(personal data for staff to match), and a further contract for a logged-in account."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from ...core.adapter import get_adapter
from .. import services
from ..models import AccountParty, PortalAccount, RegistrationClaim
from ..signals import account_registered
from .common import (
    ACTION_ACTIVATED,
    ACTION_REGISTERED,
    RegistrationInvalid,
    TooManyAttempts,
    _dummy_password_hash,
    _limit,
    _link_party,
    _notify_email_in_use,
    client_ip,
    normalise_email,
)
from .profile import record_consents
from .verification import send_verification_mail, start_email_verification


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


def _checked_code(contract_number, code, last_name, *, company=None, ip=None, now, user=None):
    """The ``RegistrationCode`` matching the tenant's input (``services.check_registration_code``),
    its errors turned into the flows' ``RegistrationInvalid`` / ``TooManyAttempts``."""
    try:
        return services.check_registration_code(
            contract_number, code, last_name, company=company, ip=ip, now=now, user=user
        )
    except services.TooManyAttempts as error:
        raise TooManyAttempts(error.retry_after) from error
    except services.RegistrationCodeInvalid as error:
        raise RegistrationInvalid() from error


def _reserved_for_activation(record):
    """True if the code's party waits for a "verify later" activation: such a code belongs to
    the account the claim was matched for."""
    return RegistrationClaim.objects.awaiting_activation().filter(party_id=record.party_id).exists()


def _address_in_use(request, email, password, *, company, record=None, now=None):
    """True if ``email`` belongs to a user already: its owner gets a notice. The password is
    hashed anyway, so the time taken does not tell. A letter code (``record``) is spent as a
    registration with a new address spends it, kept for that owner (``services.reserve_for``),
    so that trying addresses with one letter tells nothing either."""
    owner = get_adapter().find_user_by_email(email)
    if owner is None:
        return False
    _dummy_password_hash(password)
    if record is not None:
        _reserve_code(record, owner, now=now)
    _notify_email_in_use(request, email, company=company, code_kept=record is not None)
    return True


def _reserve_code(record, owner, *, now):
    try:
        with transaction.atomic():
            services.reserve_for(record, owner, now=now)
    except services.RegistrationCodeInvalid as error:  # used concurrently: as in the other branch
        raise RegistrationInvalid() from error


def _start_account(account, email, consents, *, flow, now):
    """The steps every new account takes inside its transaction: consents, a verification
    record, the audit log. Returns ``(verification, plain_code)``."""
    record_consents(account, consents, now=now)
    verification, plain = start_email_verification(account, email, now=now)
    log(account, ACTION_REGISTERED, user=account.user, data={"flow": flow})
    return verification, plain


def _registered(request, email, account, verification, plain, *, flow, company):
    """After the transaction: the signal, the verification mail (in ``company``'s voice),
    the result."""
    account_registered.send(sender=PortalAccount, account=account, flow=flow)
    send_verification_mail(request, verification, plain, company=company)
    return Registration(email=email, account=account)


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
    record = _checked_code(contract_number, code, last_name, company=company, ip=client_ip(request), now=now)
    if _reserved_for_activation(record):
        raise RegistrationInvalid()
    if _address_in_use(request, email, password, company=record.company, record=record, now=now):
        return Registration(email=email)
    party = record.party
    try:
        with transaction.atomic():
            account = _create_account(
                email, password, first_name=first_name or party.first_name, last_name=party.last_name, now=now
            )
            services.redeem(record, account.user, now=now)
            AccountParty.objects.create(account=account, party=party, active=True, linked_at=now)
            verification, plain = _start_account(account, email, consents, flow="code_first", now=now)
    except services.RegistrationCodeInvalid as error:  # the code was used concurrently
        raise RegistrationInvalid() from error
    except IntegrityError:  # the address was taken concurrently: as if it had been taken before
        if not _address_in_use(request, email, password, company=record.company, record=record, now=now):
            raise RegistrationInvalid() from None
        return Registration(email=email)
    return _registered(
        request, email, account, verification, plain, flow="code_first", company=record.company
    )


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
    if _address_in_use(request, email, password, company=company):
        return Registration(email=email)
    claim_data = {
        "company": company,
        "first_name": first_name,
        "last_name": last_name,
        "street": street,
        "postal_code": postal_code,
        "city": city,
        "phone": phone,
        "contract_number": contract_number,
    }
    try:
        with transaction.atomic():
            account = _create_account(email, password, first_name=first_name, last_name=last_name, now=now)
            RegistrationClaim.objects.create(account=account, created_at=now, **claim_data)
            verification, plain = _start_account(account, email, consents, flow="verify_later", now=now)
    except IntegrityError:
        _notify_email_in_use(request, email, company=company)
        return Registration(email=email)
    return _registered(request, email, account, verification, plain, flow="verify_later", company=company)


def add_party_with_code(request, account, *, contract_number, code, last_name, now=None):
    """Link a further contract to a logged-in account with the letter of its party.

    For tenants with contracts of several parties or companies: the same checks as the
    code-first registration (one message for every cause, the same attempt limits); the
    code is marked used and the party linked in one transaction. Returns the new
    ``AccountParty``. Raises ``RegistrationInvalid`` or ``TooManyAttempts``.
    """
    now = now or timezone.now()
    record = _checked_code(
        contract_number, code, last_name, ip=client_ip(request), now=now, user=account.user
    )
    try:
        with transaction.atomic():
            services.redeem(record, account.user, now=now)
            link = _link_party(account, record.party, now=now)
            log(account, ACTION_ACTIVATED, user=account.user, data={"party": record.party_id})
    except services.RegistrationCodeInvalid as error:
        raise RegistrationInvalid() from error
    return link
