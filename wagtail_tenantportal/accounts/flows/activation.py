"""The "verify later" flow after registration: staff match a claim to a party (or reject
it), and the tenant activates the account with the code of the letter."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from ...core.adapter import get_adapter
from ...tenancy.models import Contract, ContractParty
from .. import codes, services
from ..models import AccountParty, RegistrationClaim, RegistrationCode
from .common import (
    ACTION_ACTIVATED,
    ACTION_CLAIM_MATCHED,
    ACTION_CLAIM_REJECTED,
    ActivationInvalid,
    _limit,
    _link_party,
    _send,
    announce_activation,
)


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


def _activation_code(account, code, claims, *, now):
    """The valid code of a party named by one of ``claims`` (``{party_id: claim}``) that
    ``code`` matches, unless another account already acts for that party; else None.

    One query whatever the outcome (a code of a party taken meanwhile costs what a wrong code
    costs)."""
    normalised = codes.normalise(code)
    hashes = codes.candidate_hashes(normalised) if codes.is_well_formed(normalised) else []
    taken = AccountParty.objects.filter(active=True).exclude(account=account).values("party_id")
    return (
        RegistrationCode.objects.active(now)
        .filter(code_hash__in=hashes, party_id__in=list(claims))
        .exclude(party_id__in=taken)
        .select_related("party")
        .first()
    )


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
    claims = {claim.party_id: claim for claim in account.claims.awaiting_activation()}
    record = _activation_code(account, code, claims, now=now)
    if record is None:
        limiter.hit(key)
        if ip:
            ip_limiter.hit(ip)
        raise ActivationInvalid()
    claim = claims[record.party_id]
    try:
        with transaction.atomic():
            services.redeem(record, account.user, now=now)
            link = _link_party(account, record.party, now=now)
            claim.activated_at = now
            claim.save(update_fields=["activated_at"])
            log(account, ACTION_ACTIVATED, user=account.user, data={"party": record.party_id})
    except services.RegistrationCodeInvalid as error:
        raise ActivationInvalid() from error
    limiter.reset(key)
    announce_activation(account, company=claim.company)
    return link
