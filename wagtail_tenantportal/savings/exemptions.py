"""Exemption orders (Freistellungsaufträge) the tenant gives, changes or withdraws in the portal.

A tenant's wish is an ``ExemptionRequest`` for one holder (one of the tenant's own parties that
holds a savings account with the company) and one calendar year; it changes nothing until
staff confirm it in the admin. Confirming writes the ``ExemptionOrder`` for that year (see
``apply_to_orders``), which the overview, the account page and the annual statement show.

Checks (the same for the web form, the REST API and the admin's confirmation, all through
``validate``): the year is this year or the next; the amount is not negative and, added to the
other orders and pending requests of the same persons with the company for that year, not above
the legal allowance (``SAVINGS_EXEMPTION_ALLOWANCE_SINGLE`` / ``_JOINT``); a joint order names
the second holder, a co-holder of one of the holder's savings accounts with the company.
Problems are raised as a ``ValidationError`` keyed by field, with translated messages; nothing
is saved then.

Every function runs a fixed number of queries whatever the number of orders or requests.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..core import ownership
from ..core.conf import portal_settings
from ..tenancy.models import Party
from . import signals
from .models import ExemptionOrder, ExemptionRequest, SavingsAccountHolder

#: Audit-log actions (registered in ``wagtail_hooks``).
ACTION_REQUESTED = "tenantportal.exemption_requested"
ACTION_CONFIRMED = "tenantportal.exemption_confirmed"
ACTION_REJECTED = "tenantportal.exemption_rejected"

ZERO = Decimal("0.00")


def allowance(joint):
    """The legal allowance in EUR (a Decimal) for a single or a joint order."""
    name = "SAVINGS_EXEMPTION_ALLOWANCE_JOINT" if joint else "SAVINGS_EXEMPTION_ALLOWANCE_SINGLE"
    return Decimal(str(getattr(portal_settings, name))).quantize(Decimal("0.01"))


def holder_parties(user):
    """The tenant's own parties that hold a savings account, with their company (one query)."""
    party_ids = ownership.party_ids(user)
    if party_ids is None:
        return []
    return list(
        Party.objects.filter(pk__in=party_ids, savings_holdings__isnull=False)
        .distinct()
        .select_related("company")
        .order_by("last_name", "first_name", "pk")
    )


def partner_choices(holder):
    """The co-holders of ``holder``'s savings accounts (one query): who may give a joint order
    with ``holder``."""
    accounts = SavingsAccountHolder.objects.filter(party=holder).values("account_id")
    return list(
        Party.objects.filter(savings_holdings__account_id__in=accounts, company_id=holder.company_id)
        .exclude(pk=holder.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def year_choices(today=None):
    """The years an order may be given for: this year and the next."""
    today = today or timezone.localdate()
    return [today.year, today.year + 1]


def get_holder(user, party_id):
    """The holder ``party_id`` of ``user`` (one of ``holder_parties``), or None."""
    try:
        pk = int(str(party_id))
    except (TypeError, ValueError):
        return None
    return next((party for party in holder_parties(user) if party.pk == pk), None)


def _persons_q(persons, prefix=""):
    return Q(**{f"{prefix}party__in": persons}) | Q(**{f"{prefix}partner__in": persons})


def orders_of_year(party, company_id, year):
    """The confirmed orders of ``party`` with the company that are valid in ``year``."""
    return ExemptionOrder.objects.filter(party=party, company_id=company_id).valid_in_year(year)


def used_elsewhere(party, company_id, year, persons):
    """The amount the other orders and pending requests of ``persons`` for ``year`` with the
    company already claim: everything that counts against the allowance except ``party``'s own
    orders and requests for the year (which a new request replaces). Two queries."""
    orders = (
        ExemptionOrder.objects.filter(_persons_q(persons), company_id=company_id)
        .valid_in_year(year)
        .exclude(party=party)
        .aggregate(total=Sum("amount"))["total"]
    )
    pending = (
        ExemptionRequest.objects.pending()
        .filter(_persons_q(persons), company_id=company_id, year=year)
        .exclude(party=party)
        .exclude(action=ExemptionRequest.Action.WITHDRAW)
        .aggregate(total=Sum("amount"))["total"]
    )
    return (orders or ZERO) + (pending or ZERO)


def _money(value):
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True) + " €"


def validate(party, year, action, amount, joint, partner, today=None):
    """Check a request (see the module docstring); returns the amount. Raises
    ``ValidationError`` with messages keyed by field (``year``, ``amount``, ``partner``,
    ``__all__``)."""
    today = today or timezone.localdate()
    errors = {}
    if year is None or year < today.year:
        errors["year"] = _("An exemption order cannot be given for a past year.")
    elif year > today.year + 1:
        errors["year"] = _("An exemption order can be given for this year or the next.")
    if action == ExemptionRequest.Action.WITHDRAW:
        if not errors and not orders_of_year(party, party.company_id, year).exists():
            errors["year"] = _("There is no exemption order for %(year)s to withdraw.") % {"year": year}
        if errors:
            raise ValidationError(errors)
        return ZERO
    if amount is None:
        errors["amount"] = _("Enter the amount to exempt.")
    elif amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    elif amount > allowance(joint):
        errors["amount"] = _("The amount is above the legal allowance of %(allowance)s.") % {
            "allowance": _money(allowance(joint))
        }
    if joint:
        if partner is None:
            errors["partner"] = _("A joint order needs the second holder (spouse or partner).")
        elif partner.pk == party.pk or partner.pk not in {p.pk for p in partner_choices(party)}:
            errors["partner"] = _("Choose the second holder from the holders of your savings accounts.")
    if not errors:
        persons = [party, partner] if joint else [party]
        total = amount + used_elsewhere(party, party.company_id, year, persons)
        if total > allowance(joint):
            errors["amount"] = _(
                "Together with the other orders for %(year)s (%(other)s) this is %(total)s, more than the "
                "legal allowance of %(allowance)s."
            ) % {
                "year": year,
                "other": _money(total - amount),
                "total": _money(total),
                "allowance": _money(allowance(joint)),
            }
    if errors:
        raise ValidationError(errors)
    return amount


def request_order(user, holder, *, year, amount=None, joint=False, partner=None, withdraw=False, today=None):
    """Record the tenant's request for ``holder`` (one of ``holder_parties(user)``; the caller
    looked it up) and ``year``: a new order, a change of the year's order or (``withdraw``) its
    withdrawal. An earlier pending request of the holder for the year is replaced. Returns the
    ``ExemptionRequest``; raises ``ValidationError`` (nothing saved)."""
    today = today or timezone.localdate()
    if withdraw:
        action = ExemptionRequest.Action.WITHDRAW
    elif orders_of_year(holder, holder.company_id, year).exists() if year else False:
        action = ExemptionRequest.Action.CHANGE
    else:
        action = ExemptionRequest.Action.SUBMIT
    joint = bool(joint) and not withdraw
    amount = validate(holder, year, action, amount, joint, partner if joint else None, today)
    with transaction.atomic():
        ExemptionRequest.objects.pending().filter(
            party=holder, company_id=holder.company_id, year=year
        ).update(status=ExemptionRequest.Status.SUPERSEDED, decided_at=timezone.now())
        req = ExemptionRequest.objects.create(
            company_id=holder.company_id,
            party=holder,
            year=year,
            action=action,
            amount=amount,
            joint=joint,
            partner=partner if joint else None,
            submitted_by=user if getattr(user, "is_authenticated", False) else None,
        )
        log(req, ACTION_REQUESTED, user=req.submitted_by)
    return req


def tenant_requests(user, limit=20):
    """The tenant's latest requests with holder and partner (one query)."""
    return list(
        ExemptionRequest.objects.visible_to(user)
        .select_related("party", "partner")
        .order_by("-created_at", "-pk")[:limit]
    )


def tenant_orders(user, today=None):
    """The confirmed orders of the tenant's parties for this year and later (one query)."""
    today = today or timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    return list(
        ExemptionOrder.objects.visible_to(user)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .select_related("party", "partner")
        .order_by("party__last_name", "valid_from", "pk")
    )


def order_years(order, today=None):
    """The years of ``year_choices`` in which ``order`` is valid (for the withdraw buttons)."""
    return [
        year
        for year in year_choices(today)
        if order.valid_from <= datetime.date(year, 12, 31)
        and (order.valid_until is None or order.valid_until >= datetime.date(year, 1, 1))
    ]


def apply_to_orders(req):
    """Write ``req`` into the orders: every order of the holder valid in the year is cut back to
    the parts before and after the year (an order "until revoked" from an earlier year keeps
    running from the next year on); then a new or changed request adds the order for the year.
    Returns the new order or None (withdrawal)."""
    start, end = datetime.date(req.year, 1, 1), datetime.date(req.year, 12, 31)
    for order in orders_of_year(req.party, req.company_id, req.year):
        before = order.valid_from < start
        after = order.valid_until is None or order.valid_until > end
        if before and after:
            ExemptionOrder.objects.create(
                company_id=order.company_id,
                party_id=order.party_id,
                partner_id=order.partner_id,
                erp_id=f"portal-{order.pk}-{req.year + 1}",
                amount=order.amount,
                joint=order.joint,
                valid_from=end + datetime.timedelta(days=1),
                valid_until=order.valid_until,
            )
            order.valid_until = start - datetime.timedelta(days=1)
            order.save(update_fields=["valid_until"])
        elif before:
            order.valid_until = start - datetime.timedelta(days=1)
            order.save(update_fields=["valid_until"])
        elif after:
            order.valid_from = end + datetime.timedelta(days=1)
            order.save(update_fields=["valid_from"])
        else:
            order.delete()
    if req.action == ExemptionRequest.Action.WITHDRAW:
        return None
    return ExemptionOrder.objects.create(
        company_id=req.company_id,
        party_id=req.party_id,
        partner_id=req.partner_id,
        erp_id=f"portal-request-{req.pk}",
        amount=req.amount,
        joint=req.joint,
        valid_from=start,
        valid_until=end,
    )


def staff_request(user, pk):
    """The request ``pk`` when ``user`` works for its company (``core.scope``), else None."""
    return (
        ExemptionRequest.objects.for_staff(user, write=True)
        .select_related("party", "partner", "company")
        .filter(pk=pk)
        .first()
    )


def confirm_request(req, user, today=None):
    """Staff confirm a pending request: checked again (other orders may have come in since),
    then written into the orders; atomic. Raises ``ValidationError`` when it no longer fits."""
    with transaction.atomic():
        req = ExemptionRequest.objects.select_for_update().select_related("party").get(pk=req.pk)
        if req.status != ExemptionRequest.Status.PENDING:
            raise ValidationError(_("This request has been dealt with already."))
        # A request for a year that has begun since stays valid: check against its own year.
        check_day = min(today or timezone.localdate(), datetime.date(req.year, 12, 31))
        validate(req.party, req.year, req.action, req.amount, req.joint, req.partner, check_day)
        req.order = apply_to_orders(req)
        req.status = ExemptionRequest.Status.CONFIRMED
        req.decided_at, req.decided_by = timezone.now(), user
        req.save(update_fields=["order", "status", "decided_at", "decided_by"])
        log(req, ACTION_CONFIRMED, user=user)
        signals.exemption_request_confirmed.send(sender=ExemptionRequest, request=req)
    return req


def reject_request(req, user, note=""):
    """Staff reject a pending request with a reason the tenant sees; atomic."""
    with transaction.atomic():
        req = ExemptionRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != ExemptionRequest.Status.PENDING:
            raise ValidationError(_("This request has been dealt with already."))
        req.status = ExemptionRequest.Status.REJECTED
        req.decided_at, req.decided_by, req.note = timezone.now(), user, note
        req.save(update_fields=["status", "decided_at", "decided_by", "note"])
        log(req, ACTION_REJECTED, user=user)
    return req
