"""Registration codes and letters: the one road for views, admin, commands and the API.

Issuing: ``issue_code`` (one code, no letter), ``issue_letters`` (codes and one PDF for many
parties), ``reprint`` (a new code and letter for an existing one; the old code is revoked),
``revoke_code``. Issuing a new code for a party revokes its older unused codes.

Checking: ``check_registration_code`` either returns the matching ``RegistrationCode`` or
raises ``RegistrationCodeInvalid`` with one message for every cause (wrong code, expired,
used, revoked, wrong contract number, name mismatch, already registered), so the response
never tells which secret was wrong. ``TooManyAttempts`` (a subclass) says the attempt limits
lock the contract number, the code or the client address for a while.

Every action is written to Wagtail's audit log (``tenantportal.code_*`` actions).
"""

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

from ...core.conf import portal_settings
from ...core.ratelimit import RateLimit
from ...tenancy.models import Contract, ContractParty, Party
from .. import codes
from ..letters import Letter, LetterRenderer
from ..models import AccountParty, CodeRequest, CompanyLetterSettings, RegistrationCode

ACTION_ISSUED = "tenantportal.code_issued"
ACTION_REVOKED = "tenantportal.code_revoked"
ACTION_REDEEMED = "tenantportal.code_redeemed"
ACTION_RESERVED = "tenantportal.code_reserved"
ACTION_REQUESTED = "tenantportal.code_requested"
ACTION_REQUEST_HANDLED = "tenantportal.code_request_handled"
ACTION_REQUEST_REJECTED = "tenantportal.code_request_rejected"


class RegistrationCodeInvalid(Exception):
    """The registration details do not match a valid code. ``message`` is safe to show."""

    message = _(
        "The details you entered do not match a valid registration code. Please check your contract "
        "number, the registration code and your last name as printed on our letter. If your code has "
        "expired or has already been used, you can request a new one."
    )

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class TooManyAttempts(RegistrationCodeInvalid):
    """Attempt limits reached; ``retry_after`` seconds until the lockout ends."""

    def __init__(self, retry_after):
        self.retry_after = int(retry_after)
        minutes = max(1, (self.retry_after + 59) // 60)
        super().__init__(
            ngettext(
                "Too many attempts. Please try again in %(minutes)d minute.",
                "Too many attempts. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


@dataclass
class IssuedCode:
    """A code just issued: the record and the plain code (never stored, print it now)."""

    record: RegistrationCode
    code: str

    @property
    def formatted(self):
        return codes.format_code(self.code)


@dataclass
class LetterBatch:
    """Result of a print run: letters in the PDF, parties skipped (no current contract).

    ``code_ids`` are the ids of the codes issued (ids only: a run of 10,000 letters should
    not keep 10,000 model instances alive); ``codes`` returns them as a queryset.
    """

    count: int = 0
    skipped: list = field(default_factory=list)
    code_ids: list = field(default_factory=list)

    @property
    def codes(self):
        return RegistrationCode.objects.filter(pk__in=self.code_ids).order_by("pk")


# -- settings per company ---------------------------------------------------------------------


def letter_settings_for(companies):
    """``{company_id: CompanyLetterSettings}`` for the given companies (one query)."""
    ids = {getattr(company, "pk", company) for company in companies}
    return {s.company_id: s for s in CompanyLetterSettings.objects.filter(company_id__in=ids)}


def code_validity_days(company=None, letter_settings=None):
    if letter_settings is None and company is not None:
        letter_settings = CompanyLetterSettings.objects.filter(company=company).first()
    if letter_settings is not None and letter_settings.code_validity_days:
        return letter_settings.code_validity_days
    return portal_settings.REGISTRATION_CODE_DAYS


def registration_url(company=None, *, contract_number=None, letter_settings=None):
    """Absolute address of the registration page printed on letters and in the QR code.

    The company's letter settings may name it; else ``REGISTRATION_PATH`` (or the portal URL
    named ``register``) on the company's own site (its base URL, its Wagtail site, else
    ``PORTAL_BASE_URL`` or ``WAGTAILADMIN_BASE_URL``: ``core.links``). ``contract_number``
    is added as a query parameter only if ``REGISTRATION_URL_WITH_CONTRACT`` is set; the
    code is never put into the address.
    """
    from ...core.adapter import get_adapter

    if letter_settings is None and company is not None:
        letter_settings = CompanyLetterSettings.objects.filter(company=company).first()
    url = letter_settings.portal_url if letter_settings is not None else ""
    if not url:
        path = portal_settings.REGISTRATION_PATH
        if not path:
            try:
                path = reverse("wagtail_tenantportal:register")
            except NoReverseMatch:
                path = "/portal/register/"
        url = get_adapter().build_absolute_uri(None, "/" + str(path).lstrip("/"), company=company)
    if contract_number and portal_settings.REGISTRATION_URL_WITH_CONTRACT:
        url += ("&" if "?" in url else "?") + urlencode({"contract": contract_number})
    return url


# -- audit log --------------------------------------------------------------------------------


def _bulk_log(instances, action, *, user=None, batch_uuid=None, data=None, timestamp=None):
    """One audit-log entry per instance, written with one INSERT (``log()`` would do one each)."""
    instances = list(instances)
    if not instances:
        return
    from django.contrib.contenttypes.models import ContentType

    model = log_registry.get_log_model_for_instance(instances[0])
    if model is None:
        return
    content_type = ContentType.objects.get_for_model(instances[0], for_concrete_model=False)
    timestamp = timestamp or timezone.now()
    model.objects.bulk_create(
        [
            model(
                content_type=content_type,
                label=str(instance),
                action=action,
                data=data or {},
                timestamp=timestamp,
                uuid=batch_uuid,
                user=user,
                object_id=str(instance.pk),
            )
            for instance in instances
        ],
        batch_size=1000,
    )


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# -- issuing ----------------------------------------------------------------------------------


def _revoke_unused(party_ids, *, user, now, batch_uuid, reason):
    """Revoke the active or expired-but-unused codes of these parties; log each."""
    stale = list(
        RegistrationCode.objects.filter(party_id__in=party_ids, used_at__isnull=True, revoked_at__isnull=True)
        .select_related("party")
        .only("pk", "hint", "party__title", "party__first_name", "party__last_name")
    )
    if not stale:
        return 0
    RegistrationCode.objects.filter(pk__in=[c.pk for c in stale]).update(revoked_at=now, revoked_by=user)
    _bulk_log(stale, ACTION_REVOKED, user=user, batch_uuid=batch_uuid, data={"reason": reason}, timestamp=now)
    return len(stale)


def _new_codes(pairs, *, user, now, printed, letter_settings):
    """Create one code per (party, contract) pair with one INSERT; return IssuedCode list."""
    issued = []
    for party, contract in pairs:
        plain = codes.generate()
        days = code_validity_days(letter_settings=letter_settings.get(party.company_id))
        record = RegistrationCode(
            company_id=party.company_id,
            party=party,
            contract=contract,
            code_hash=codes.hash_code(plain),
            hint=codes.hint(plain),
            created_at=now,
            created_by=user,
            expires_at=now + timedelta(days=days),
            letter_printed_at=now if printed else None,
        )
        issued.append(IssuedCode(record, plain))
    RegistrationCode.objects.bulk_create([item.record for item in issued], batch_size=1000)
    if any(item.record.pk is None for item in issued):  # backends without RETURNING
        by_hash = dict(
            RegistrationCode.objects.filter(code_hash__in=[i.record.code_hash for i in issued]).values_list(
                "code_hash", "pk"
            )
        )
        for item in issued:
            item.record.pk = by_hash[item.record.code_hash]
    return issued


def _check_pair(party, contract):
    if contract.company_id != party.company_id:
        raise ValueError("The contract belongs to another company than the party.")
    if not ContractParty.objects.filter(contract=contract, party=party).exists():
        raise ValueError("The party is not a party to this contract.")


def issue_code(party, contract, *, user=None, now=None):
    """Issue a new code for ``party`` on ``contract``; revoke the party's older unused codes.

    Returns ``IssuedCode``; its ``code`` is the only copy of the plain code. Raises
    ``ValueError`` if the party is not on the contract.
    """
    _check_pair(party, contract)
    user, now, batch_uuid = _user(user), now or timezone.now(), uuid.uuid4()
    with transaction.atomic():
        _revoke_unused([party.pk], user=user, now=now, batch_uuid=batch_uuid, reason="reissued")
        settings = letter_settings_for([party.company_id])
        (issued,) = _new_codes(
            [(party, contract)], user=user, now=now, printed=False, letter_settings=settings
        )
        log(issued.record, ACTION_ISSUED, user=user, uuid=batch_uuid)
    return issued


def revoke_code(code, *, user=None, now=None):
    """Revoke ``code`` if it is still unused and not revoked; return True if it was revoked now."""
    user, now = _user(user), now or timezone.now()
    with transaction.atomic():
        changed = RegistrationCode.objects.filter(
            pk=code.pk, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=user)
        if changed:
            code.revoked_at, code.revoked_by = now, user
            log(code, ACTION_REVOKED, user=user, data={"reason": "revoked"})
    return bool(changed)


def select_parties(
    *,
    company=None,
    property=None,
    parties=None,
    unregistered=False,
    contract_kind=None,
    skip_active_codes=False,
    now=None,
    staff=None,
):
    """Parties for a print run, in postal order. All filters combine (AND).

    ``staff``: only parties of the companies this staff user works for (the admin always
    gives it; commands run for every company).

    ``parties``: Party instances or ids. ``property``: parties with a current contract on a
    unit of the property. ``unregistered``: without an active portal account link.
    ``contract_kind``: parties with a current contract of that kind. ``skip_active_codes``:
    leave out parties who hold a valid code (so a repeated run does not void letters in the
    post).
    """
    qs = Party.objects.all()
    if staff is not None:
        qs = qs.for_staff(staff)
    if company is not None:
        qs = qs.filter(company=company)
    if parties is not None:
        qs = qs.filter(pk__in=[getattr(p, "pk", p) for p in parties])
    contracts = Contract.objects.current()
    if contract_kind:
        contracts = contracts.filter(kind=contract_kind)
    if property is not None:
        contracts = contracts.filter(unit__property=property)
    if contract_kind or property is not None:
        qs = qs.filter(pk__in=ContractParty.objects.filter(contract__in=contracts).values("party_id"))
    if unregistered:
        qs = qs.exclude(pk__in=AccountParty.objects.filter(active=True).values("party_id"))
    if skip_active_codes:
        qs = qs.exclude(pk__in=RegistrationCode.objects.active(now).values("party_id"))
    return qs.order_by("company_id", "postal_code", "street", "last_name", "first_name", "pk")


def _contract_links(contract_kind=None, property=None, today=None):
    """Contract links of current contracts (filters on the join, so the party index is used)."""
    today = today or timezone.localdate()
    links = (
        ContractParty.objects.exclude(contract__status=Contract.Status.ENDED)
        .filter(Q(contract__end_date__isnull=True) | Q(contract__end_date__gte=today))
        .select_related("contract")
    )
    if contract_kind:
        links = links.filter(contract__kind=contract_kind)
    if property is not None:
        links = links.filter(contract__unit__property=property)
    return links.order_by("contract__kind", "-contract__start_date", "contract__number")


def _letter_contract(
    party, kind_order=(Contract.Kind.RENTAL, Contract.Kind.PARKING, Contract.Kind.MEMBERSHIP)
):
    """The contract a party's letter names: a current one, rental before parking before membership."""
    links = party.letter_links
    if not links:
        return None
    rank = {kind: index for index, kind in enumerate(kind_order)}
    return min(links, key=lambda link: rank.get(link.contract.kind, len(rank))).contract


class _NoSettings:
    """Stands in for a company without letter settings (saves a query per letter)."""

    portal_url = ""
    code_validity_days = None


_NO_SETTINGS = _NoSettings()


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _render_pairs(pair_chunks, out, *, user, now, reason, title=None):
    """Issue codes for each chunk of (party, contract) pairs and draw their letters.

    Runs in one transaction: if rendering fails, no code stays issued without its letter.
    """
    batch = LetterBatch()
    batch_uuid = uuid.uuid4()
    settings_cache = {}
    urls = {}
    with_contract = portal_settings.REGISTRATION_URL_WITH_CONTRACT
    with transaction.atomic():
        renderer = LetterRenderer(out, letter_settings=settings_cache, title=title)
        for pairs in pair_chunks:
            if not pairs:
                continue
            missing = {party.company_id for party, _ in pairs} - set(settings_cache)
            if missing:
                settings_cache.update(letter_settings_for(missing))
                for company_id in missing:
                    settings_cache.setdefault(company_id, None)
            _revoke_unused(
                [party.pk for party, _ in pairs], user=user, now=now, batch_uuid=batch_uuid, reason=reason
            )
            issued = _new_codes(pairs, user=user, now=now, printed=True, letter_settings=settings_cache)
            _bulk_log(
                [item.record for item in issued],
                ACTION_ISSUED,
                user=user,
                batch_uuid=batch_uuid,
                timestamp=now,
            )
            for item in issued:
                record = item.record
                url_key = (record.company_id, record.contract.number if with_contract else None)
                if url_key not in urls:
                    urls[url_key] = registration_url(
                        record.party.company,
                        contract_number=record.contract.number,
                        letter_settings=settings_cache.get(record.company_id) or _NO_SETTINGS,
                    )
                renderer.add(
                    Letter(
                        party=record.party,
                        contract=record.contract,
                        code=item.code,
                        valid_until=record.expires_at,
                        url=urls[url_key],
                    )
                )
                batch.code_ids.append(record.pk)
            batch.count += len(issued)
        renderer.close()
    return batch


def issue_letters(
    parties, out, *, user=None, contract_kind=None, property=None, now=None, dry_run=False, chunk_size=500
):
    """Issue a code for each party and render one PDF with one letter per party into ``out``.

    ``parties``: a Party queryset (e.g. from ``select_parties``) or Party instances/ids.
    Each letter names a current contract of the party (``contract_kind`` if given, else
    rental before parking before membership); parties without one are skipped and listed in
    ``LetterBatch.skipped``. Older unused codes of these parties are revoked. Codes, log
    entries and the PDF are made in one transaction; ``out`` is a path or a binary file.
    Queries: a fixed number per chunk of ``chunk_size`` parties, not per party.
    With ``dry_run`` nothing is written and ``out`` may be None; the counts are the same.
    """
    user, now = _user(user), now or timezone.now()
    if hasattr(parties, "values_list"):
        ids = list(parties.values_list("pk", flat=True))
    else:
        ids = [getattr(p, "pk", p) for p in parties]
    links = _contract_links(contract_kind, property)
    batch = LetterBatch()

    def pair_chunks():
        for chunk_ids in _chunks(ids, chunk_size):
            chunk = (
                Party.objects.filter(pk__in=chunk_ids)
                .select_related("company", "company__logo")
                .prefetch_related(Prefetch("contract_parties", queryset=links, to_attr="letter_links"))
            )
            order = {pk: index for index, pk in enumerate(chunk_ids)}
            pairs = []
            for party in sorted(chunk, key=lambda p: order[p.pk]):
                contract = _letter_contract(party)
                if contract is None:
                    batch.skipped.append(party)
                else:
                    contract.company = party.company  # the letter reads it; same company by import
                    pairs.append((party, contract))
            yield pairs

    if dry_run:
        batch.count = sum(len(pairs) for pairs in pair_chunks())
        return batch
    result = _render_pairs(
        pair_chunks(), out, user=user, now=now, reason="reissued", title=str(_("Registration letters"))
    )
    result.skipped = batch.skipped
    return result


def reprint(code, out, *, user=None, now=None):
    """A new code and letter for the party and contract of ``code``; ``code`` is revoked.

    Returns the ``LetterBatch`` (one letter). Works for used, expired or revoked codes too
    (e.g. a tenant lost the letter); the party's other unused codes are revoked as well.
    """
    user, now = _user(user), now or timezone.now()
    party = Party.objects.select_related("company", "company__logo").get(pk=code.party_id)
    contract = Contract.objects.get(pk=code.contract_id)
    contract.company = party.company
    return _render_pairs([[(party, contract)]], out, user=user, now=now, reason="reprinted")


def handle_code_request(code_request, out, *, user=None, now=None):
    """Send a letter for a matched ``CodeRequest`` and mark it handled.

    The letter goes to the party's address on file. Raises ``ValueError`` for a request whose
    details matched no party (staff check those by hand and use ``mark_request_handled``).
    """
    if not code_request.matched or code_request.contract_id is None:
        raise ValueError("The request matches no party and contract.")
    user, now = _user(user), now or timezone.now()
    party = Party.objects.select_related("company", "company__logo").get(pk=code_request.party_id)
    contract = Contract.objects.get(pk=code_request.contract_id)
    contract.company = party.company
    with transaction.atomic():
        batch = _render_pairs([[(party, contract)]], out, user=user, now=now, reason="requested")
        code_request.code = batch.codes.get()
        mark_request_handled(code_request, user=user, now=now)
    return batch


def reject_code_request(code_request, *, reason, user=None, now=None):
    """Staff refuse ``code_request`` (e.g. the requester holds no contract): mark it handled,
    record the ``reason`` in the audit log and, if the matched party has an email address on
    file, tell the requester by mail (through the outbox, in the company's voice). Returns
    True if a mail was queued. Raises ``ValidationError`` for an empty reason or a request
    already handled; nothing is changed then."""
    from django.core.exceptions import ValidationError

    from ...core import mail
    from ...core.adapter import get_adapter

    reason = " ".join(str(reason or "").split())[:2000]
    if not reason:
        raise ValidationError({"reason": [_("Please give a reason.")]})
    if code_request.handled:
        raise ValidationError({"__all__": [_("This request has been handled already.")]})
    party = code_request.party if code_request.matched else None
    address = party.email if party is not None else ""
    company = code_request.company or (party.company if party is not None else None)
    user, now = _user(user), now or timezone.now()
    with transaction.atomic():
        code_request.handled, code_request.handled_at, code_request.handled_by = True, now, user
        code_request.save(update_fields=["handled", "handled_at", "handled_by"])
        log(
            code_request, ACTION_REQUEST_REJECTED, user=user, data={"reason": reason, "mailed": bool(address)}
        )
        if address:
            context = {"recipient": party, "reason": reason, "company": company, "code_request": code_request}
            message = get_adapter().render_mail("code_request_rejected", address, context, company=company)
            mail.send_later(message, company_id=company.pk if company else None)
    return bool(address)


def mark_request_handled(code_request, *, user=None, now=None):
    code_request.handled = True
    code_request.handled_at = now or timezone.now()
    code_request.handled_by = _user(user)
    code_request.save(update_fields=["handled", "handled_at", "handled_by", "code"])
    log(code_request, ACTION_REQUEST_HANDLED, user=_user(user))


# -- checking and redeeming ----------------------------------------------------------------


def normalise_contract_number(value):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).casefold()


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise_name(value):
    """Names compared without case, accents, spaces, hyphens and apostrophes; ä = ae."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold().translate(_UMLAUTS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text)


def _limiters():
    return RateLimit.for_scope("registration_code"), RateLimit.for_scope("registration_ip")


def check_registration_code(contract_number, code, last_name, *, company=None, ip=None, now=None, user=None):
    """The ``RegistrationCode`` matching the tenant's input, with party, contract and company.

    ``user`` (a logged-in tenant adding a contract) may also use a code kept for them
    (``reserve_for``). Raises ``RegistrationCodeInvalid`` (one message for every cause) or ``TooManyAttempts``.
    Does not mark the code used: call ``redeem`` in the transaction that creates the account.
    Failures count against the contract number, the code entered and ``ip``; a success
    clears the counts of the contract number and code.
    """
    now = now or timezone.now()
    code_limiter, ip_limiter = _limiters()
    number = normalise_contract_number(contract_number)
    normalised_code = codes.normalise(code)
    hashes = codes.candidate_hashes(normalised_code)
    company_key = getattr(company, "pk", company) or "*"
    keys = [f"contract:{company_key}:{number}", f"code:{hashes[0]}"]

    waits = [code_limiter.locked_for(key) for key in keys]
    ip_wait = ip_limiter.locked_for(ip) if ip else 0
    if max(waits) > 0 or ip_wait > 0:
        if ip and not ip_wait:
            ip_limiter.hit(ip)  # trying locked contract numbers counts against the address too
        raise TooManyAttempts(max(*waits, ip_wait))

    record = None
    if number and codes.is_well_formed(normalised_code):
        record = (
            RegistrationCode.objects.select_related("party", "contract", "company")
            .filter(code_hash__in=hashes)
            .first()
        )
    if record is None or not _matches(record, number, last_name, company, now, user):
        for key in keys:
            code_limiter.hit(key)
        if ip:
            ip_limiter.hit(ip)
        raise RegistrationCodeInvalid()
    for key in keys:
        code_limiter.reset(key)
    return record


def _matches(record, number, last_name, company, now, user=None):
    """True if the code is redeemable and every detail matches. All conditions are evaluated."""
    checks = [
        record.used_at is None or (user is not None and record.reserved_for_id == user.pk),
        record.revoked_at is None,
        record.expires_at > now,
        constant_time_compare(normalise_contract_number(record.contract.number), number),
        record.contract.company_id == record.company_id,
        company is None or getattr(company, "pk", company) == record.company_id,
        record.company.portal_enabled,
        record.contract.status != Contract.Status.ENDED
        and (record.contract.end_date is None or record.contract.end_date >= timezone.localdate(now)),
        bool(normalise_name(last_name))
        and constant_time_compare(normalise_name(record.party.last_name), normalise_name(last_name)),
        not AccountParty.objects.filter(party_id=record.party_id, active=True).exists(),
    ]
    return all(checks)


def redeem(code, user, *, now=None):
    """Mark ``code`` used by ``user``. Call inside the transaction that creates the account.

    The update is conditional (still unused or kept for ``user``, not revoked, not expired),
    so of two concurrent registrations with the same code only one succeeds; the other gets
    ``RegistrationCodeInvalid`` and its transaction should roll back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem() must run inside the transaction that creates the account.")
    now = now or timezone.now()
    redeemable = Q(used_at__isnull=True)
    if getattr(user, "pk", None) is not None:
        redeemable |= Q(reserved_for=user)
    changed = RegistrationCode.objects.filter(
        redeemable, pk=code.pk, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, used_by=user, reserved_for=None)
    if not changed:
        raise RegistrationCodeInvalid()
    code.used_at, code.used_by, code.reserved_for = now, user, None
    log(code, ACTION_REDEEMED, user=user)
    return code


def reserve_for(code, owner, *, now=None):
    """Spend ``code`` in a registration whose address belongs to ``owner`` already.

    The code counts as used from now on, exactly as after a registration with a new address,
    so whoever holds a letter learns nothing about which addresses have accounts by trying
    them. ``owner`` may still add the contract with it once (``check_registration_code`` and
    ``redeem`` with ``user=owner``). Conditional like ``redeem``: raises
    ``RegistrationCodeInvalid`` if the code was used, revoked or expired meanwhile.
    """
    now = now or timezone.now()
    changed = RegistrationCode.objects.filter(
        pk=code.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, used_by=None, reserved_for=owner)
    if not changed:
        raise RegistrationCodeInvalid()
    code.used_at, code.used_by, code.reserved_for = now, None, owner
    log(code, ACTION_RESERVED)
    return code


# -- requests from tenants without a code ------------------------------------------------------


def request_code(contract_number, last_name, *, company=None, ip=None, message="", now=None):
    """Record that a tenant asks for a (new) registration code; staff send the letter.

    Always returns a ``CodeRequest`` (also when nothing matched: staff see those too, with
    empty party), after the same queries whether the details matched or not, so the caller
    can show the same answer whatever was entered; the letter
    only ever goes to the address on file. An open request for the same party is returned
    instead of a duplicate. Raises ``TooManyAttempts`` when the client address made too many
    requests.
    """
    from ..signals import code_requested

    now = now or timezone.now()
    limiter = RateLimit.for_scope("code_request_ip")
    if ip:
        wait = limiter.locked_for(ip)
        if wait > 0:
            raise TooManyAttempts(wait)
        limiter.hit(ip)
    number = normalise_contract_number(contract_number)
    name = normalise_name(last_name)
    party = contract = None
    if number and name:
        contracts = Contract.objects.current(timezone.localdate(now)).select_related("company")
        if company is not None:
            contracts = contracts.filter(company=company)
        candidates = ContractParty.objects.filter(
            contract__in=contracts.filter(number__iexact=str(contract_number).strip())
        ).select_related("party", "contract__company")  # the company too: a match costs no extra query
        for link in candidates:
            if normalise_name(link.party.last_name) == name:
                party, contract = link.party, link.contract
                break
    with transaction.atomic():
        open_requests = CodeRequest.objects.filter(handled=False)
        if party is not None:
            existing = open_requests.filter(party=party).first()
        else:
            existing = open_requests.filter(
                party__isnull=True, contract_number=str(contract_number)[:40], last_name=str(last_name)[:200]
            ).first()
        if existing is not None:
            return existing
        request = CodeRequest.objects.create(
            company=contract.company if contract else company,
            party=party,
            contract=contract,
            contract_number=str(contract_number)[:40],
            last_name=str(last_name)[:200],
            message=str(message or "")[:2000],
            requested_at=now,
        )
        log(request, ACTION_REQUESTED)
    code_requested.send(sender=CodeRequest, request=request)
    return request
