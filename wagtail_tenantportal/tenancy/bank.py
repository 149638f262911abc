"""Bank-details changes (re-exported by ``services``): the tenant files one per contract, staff
approve or reject it. One road for the portal's form, the REST API and the admin.

What callers may rely on:

- ``submit_bank_details_change`` checks everything before it writes: the rate limit, the
  IBAN (schwifty: check digits, length, country format), the SEPA zone and the company's
  choice of countries, the holder, the confirmed mandate, no pending request for the
  contract. Bad input raises ``ValidationError`` with translated messages per field
  (``account_holder``, ``iban``, ``mandate_confirmed``, ``__all__``) and writes nothing.
- BIC and bank name come from the IBAN (schwifty's bank registry), never from the tenant.
- Approving changes the contract's ``account_holder``, ``iban`` and ``bic`` in the same
  transaction as the request's status; a request is decided once. Every step is in Wagtail's
  audit log; approval sends ``signals.bank_details_approved`` (the ERP link records an event);
  the tenant who asked gets a mail with the decision (the IBAN masked).
"""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from wagtail.log_actions import log

from ..core.adapter import get_adapter
from ..core.ratelimit import RateLimit
from . import signals
from .bank_models import BankDetailsChange
from .models import BankCountries, Contract
from .validators import normalize_iban

logger = logging.getLogger("wagtail_tenantportal.tenancy")

RATE_SCOPE = "bank_details_change"
#: SEPA limits the debtor's name to 70 characters.
HOLDER_MAX_LENGTH = 70

ACTION_REQUESTED = "tenantportal.bank_details.requested"
ACTION_APPROVED = "tenantportal.bank_details.approved"
ACTION_REJECTED = "tenantportal.bank_details.rejected"


def log_actions():
    """``[(action, label, message)]`` for Wagtail's audit log (registered in wagtail_hooks)."""
    from django.utils.translation import gettext_lazy

    return [
        (
            ACTION_REQUESTED,
            gettext_lazy("Request bank details change"),
            gettext_lazy("Bank details change requested"),
        ),
        (
            ACTION_APPROVED,
            gettext_lazy("Approve bank details change"),
            gettext_lazy("Bank details change approved"),
        ),
        (
            ACTION_REJECTED,
            gettext_lazy("Reject bank details change"),
            gettext_lazy("Bank details change rejected"),
        ),
    ]


# -- the company's policy ---------------------------------------------------------------------


def mandate_text(company):
    """The SEPA mandate tenants confirm for ``company``: its own text, else the standard wording."""
    if company.sepa_mandate_text.strip():
        return company.sepa_mandate_text.strip()
    return _(
        "I authorise %(company)s to collect payments from my account by direct debit. At the "
        "same time I instruct my bank to honour the direct debits drawn on my account by "
        "%(company)s. Note: I can demand a refund of the amount debited within eight weeks, "
        "starting with the date of the debit. The conditions agreed with my bank apply."
    ) % {"company": company.display_name}


def accepts_country(company, country_code):
    return company.bank_change_countries != BankCountries.GERMANY or country_code == "DE"


# -- reading --------------------------------------------------------------------------------------


def bank_change_contract(user, contract_id):
    """The current contract ``contract_id`` of ``user`` with its company, for the change form;
    404 for another tenant's, an ended or a missing one."""
    contract = (
        Contract.objects.visible_to(user)
        .current()
        .select_related("company", "unit__property")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def latest_bank_change(contract):
    """The contract's newest request (pending or decided), or None. One query."""
    return BankDetailsChange.objects.filter(contract=contract).order_by("-created_at", "-pk").first()


def tenant_bank_changes(user, contract):
    """The requests about ``contract`` that ``user`` may see, newest first (a list)."""
    return list(
        BankDetailsChange.objects.visible_to(user).filter(contract=contract).order_by("-created_at", "-pk")
    )


def staff_bank_change(pk, user):
    """The request ``pk`` of ``user``'s companies with contract, company and deciders, or None."""
    return (
        BankDetailsChange.objects.for_staff(user)
        .select_related("contract", "company", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )


def pending_count(user):
    """How many changes of ``user``'s companies wait for a decision (one query)."""
    return BankDetailsChange.objects.for_staff(user).pending().count()


# -- checking -------------------------------------------------------------------------------------


def _add(errors, key, message):
    errors.setdefault(key, []).append(message)


def check_iban(company, value, errors):
    """``schwifty.IBAN`` of ``value`` if ``company`` accepts it, else None with the reason in ``errors``."""
    value = normalize_iban(value)
    if not value:
        _add(errors, "iban", _("Enter the IBAN of the new account."))
        return None
    try:
        iban = IBAN(value)
    except (SchwiftyException, ValueError):
        _add(
            errors,
            "iban",
            _("This is not a valid IBAN. Please check it against your bank card or statement."),
        )
        return None
    if not iban.in_sepa_zone:
        _add(
            errors,
            "iban",
            _("This account is outside the SEPA area: we cannot collect direct debits from it."),
        )
        return None
    if not accepts_country(company, iban.country_code):
        _add(
            errors,
            "iban",
            _("%(company)s collects direct debits from German accounts only (IBAN starting with DE).")
            % {"company": company.display_name},
        )
        return None
    return iban


def check_holder(value, errors):
    holder = " ".join(str(value or "").split())
    if not holder:
        _add(errors, "account_holder", _("Enter the name of the account holder."))
    elif len(holder) > HOLDER_MAX_LENGTH:
        _add(
            errors,
            "account_holder",
            _("Please shorten the name to %(max)d characters, as your bank prints it.")
            % {"max": HOLDER_MAX_LENGTH},
        )
    elif "\x00" in holder:
        _add(errors, "account_holder", _("The name contains characters that are not allowed."))
    return holder


def _pending_error():
    return _(
        "A change of the bank details of this contract is waiting for our approval already. "
        "Please wait for our answer before you send another one."
    )


def _check_rate(user):
    if user is None:
        return
    left = RateLimit.for_scope(RATE_SCOPE).locked_for(user.pk)
    if left:
        minutes = max(1, int(left + 59) // 60)
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("You have sent a lot in a short time. Please try again in %(minutes)d minutes.")
                    % {"minutes": minutes}
                ]
            }
        )


# -- writing --------------------------------------------------------------------------------------


def submit_bank_details_change(user, contract, *, account_holder, iban, mandate_confirmed):
    """File a change of ``contract``'s bank details for ``user`` (who may see the contract:
    callers fetch it with ``bank_change_contract``). Returns the ``BankDetailsChange``;
    raises ``ValidationError`` (nothing written) for bad input."""
    _check_rate(user)
    if user is not None:
        RateLimit.for_scope(RATE_SCOPE).hit(user.pk)  # every attempt counts, valid or not
    company = contract.company
    errors = {}
    holder = check_holder(account_holder, errors)
    checked = check_iban(company, iban, errors)
    if not mandate_confirmed:
        _add(errors, "mandate_confirmed", _("Please confirm the SEPA direct debit mandate."))
    if checked is not None and holder and not errors:
        if str(checked.compact) == normalize_iban(contract.iban) and holder == contract.account_holder:
            _add(errors, NON_FIELD_ERRORS, _("These are the bank details we have already."))
    if BankDetailsChange.objects.pending().filter(contract=contract).exists():
        _add(errors, NON_FIELD_ERRORS, _pending_error())
    if errors:
        raise ValidationError(errors)
    bic = checked.bic
    try:
        with transaction.atomic():
            change = BankDetailsChange.objects.create(
                company=company,
                contract=contract,
                requested_by=user,
                account_holder=holder,
                iban=str(checked.compact),
                bic=str(bic) if bic else "",
                bank_name=(checked.bank_name or "")[:200],
                mandate_text=mandate_text(company),
            )
            log(change, ACTION_REQUESTED, user=user, data={"contract": contract.number})
    except IntegrityError:
        # Another request of the same contract won the race (the one-pending constraint).
        raise ValidationError({NON_FIELD_ERRORS: [_pending_error()]}) from None
    return change


def _tell_tenant(change, contract):
    """Mail the decision to the tenant who asked (outbox: sent after the commit)."""
    user = change.requested_by
    adapter = get_adapter()
    email = adapter.user_email(user) if user is not None else ""
    if not email:
        return
    context = {"user": user, "change": change, "contract": contract}
    adapter.send_mail("bank_details_decided", email, context, company=contract.company)


class AlreadyDecided(Exception):
    """The request was approved or rejected before (by a colleague, in another tab)."""


def _lock_pending(change):
    locked = BankDetailsChange.objects.select_for_update().filter(pk=change.pk).first()
    if locked is None or locked.status != BankDetailsChange.Status.PENDING:
        raise AlreadyDecided
    return locked


def approve_bank_details_change(change, user, *, now=None):
    """Approve ``change``: the contract is debited from the new account from now on. Raises
    ``AlreadyDecided`` if it is not pending any more."""
    now = now or timezone.now()
    with transaction.atomic():
        change = _lock_pending(change)
        contract = Contract.objects.select_for_update().get(pk=change.contract_id)
        contract.account_holder, contract.iban, contract.bic = change.account_holder, change.iban, change.bic
        contract.save(update_fields=["account_holder", "iban", "bic"])
        change.status, change.decided_at, change.decided_by = BankDetailsChange.Status.APPROVED, now, user
        change.save(update_fields=["status", "decided_at", "decided_by"])
        change.contract = contract
        log(change, ACTION_APPROVED, user=user, data={"contract": contract.number})
        log(contract, ACTION_APPROVED, user=user, data={"change": change.pk})
        signals.bank_details_approved.send(sender=BankDetailsChange, change=change)
        _tell_tenant(change, contract)
    return change


def reject_bank_details_change(change, user, *, reason, now=None):
    """Reject ``change`` with ``reason`` (the tenant reads it). Raises ``AlreadyDecided``."""
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Please give the reason: the tenant reads it.")]})
    with transaction.atomic():
        change = _lock_pending(change)
        change.status, change.decided_at, change.decided_by = (
            BankDetailsChange.Status.REJECTED,
            now or timezone.now(),
            user,
        )
        change.reason = reason
        change.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        log(change, ACTION_REJECTED, user=user, data={"contract": change.contract.number})
        _tell_tenant(change, change.contract)
    return change
