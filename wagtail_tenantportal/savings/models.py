"""Savings accounts of cooperatives with a savings scheme (Spareinrichtung).

The ERP is the master of this data: accounts, their holders, transactions (Umsätze) and
exemption orders (Freistellungsaufträge) come in through the import (``services``) and the
portal shows them. Nothing here is booked or calculated by the portal. Tenants request a new,
changed or withdrawn exemption order (``ExemptionRequest``); staff confirm it, which writes the
``ExemptionOrder`` (``exemptions.py``).

Balance: every transaction carries ``balance_after``, the running balance as the ERP booked
it. The balance of an account is the ``balance_after`` of its last transaction (by
``booking_date``, ``sequence``, ``pk``), not the sum of the amounts: an export may hold only
the last years, and the ERP's figure is the one printed on its statements.
``SavingsAccountQuerySet.with_balance()`` annotates it with one correlated subquery, so a
list of accounts costs one query however many accounts and transactions there are.

Ownership: a tenant sees the accounts of which one of the parties linked to their portal
account (``AccountParty``) is a holder, the transactions of those accounts, and the
exemption orders of their own parties.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import DecimalField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core import ownership
from ..core.scope import StaffScopedQuerySet
from ..tenancy.models import Company, Contract, ErpKeyed, Party

MONEY = {"max_digits": 14, "decimal_places": 2}


def _money_field():
    return DecimalField(**MONEY)


class SavingsAccountQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """Accounts of which one of ``user``'s linked parties is a holder (one query; empty
        for anonymous users and users without linked parties)."""
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.none()
        return self.filter(
            pk__in=SavingsAccountHolder.objects.filter(party_id__in=party_ids).values("account_id")
        )

    def with_balance(self):
        """Annotate ``balance`` (0 without transactions) and ``last_booking_date`` (or None)."""
        last = SavingsTransaction.objects.filter(account=OuterRef("pk")).order_by(
            "-booking_date", "-sequence", "-pk"
        )
        return self.annotate(
            balance=Coalesce(
                Subquery(last.values("balance_after")[:1], output_field=_money_field()),
                Value(Decimal("0.00")),
                output_field=_money_field(),
            ),
            last_booking_date=Subquery(last.values("booking_date")[:1]),
        )

    def open(self, today=None):
        today = today or timezone.localdate()
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=today))


class SavingsAccount(ErpKeyed, models.Model):
    """One savings account (Sparkonto) of one or more holders."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="savings_accounts"
    )
    number = models.CharField(
        _("account number"), max_length=40, help_text=_("As printed on the savings book and statements.")
    )
    product_name = models.CharField(
        _("product"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 'Spareinlage mit dreimonatiger Kündigungsfrist'"),
    )
    interest_rate = models.DecimalField(
        _("interest rate (% p.a.)"), max_digits=6, decimal_places=3, default=Decimal("0.000")
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("savings agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="savings_accounts",
        limit_choices_to={"kind": Contract.Kind.SAVINGS},
    )
    holders = models.ManyToManyField(
        Party, through="SavingsAccountHolder", related_name="savings_accounts", verbose_name=_("holders")
    )

    objects = SavingsAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("savings account")
        verbose_name_plural = _("savings accounts")
        ordering = ["company", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "erp_id"], name="tenantportal_savings_erp_unique"),
            models.UniqueConstraint(fields=["company", "number"], name="tenantportal_savings_number_unique"),
        ]

    def __str__(self):
        return f"{self.number} ({self.product_name})" if self.product_name else self.number

    @property
    def interest_rate_places(self):
        """Decimal places to print the rate with: two, three where the third is not zero (0,125 %)."""
        return 3 if (self.interest_rate * 1000) % 10 else 2

    @property
    def is_closed(self):
        return self.closed_on is not None and self.closed_on < timezone.localdate()

    def statement_years(self, today=None):
        """Years an annual statement can be made for: from the opening (or the first
        transaction) to the closing year or this year. Costs one query."""
        today = today or timezone.localdate()
        first = self.transactions.order_by("booking_date").values_list("booking_date", flat=True).first()
        starts = [d.year for d in (self.opened_on, first) if d]
        if not starts:
            return []
        end = min(today.year, self.closed_on.year) if self.closed_on else today.year
        return list(range(end, min(starts) - 1, -1))


class SavingsAccountHolderQuerySet(StaffScopedQuerySet):
    staff_scope = "account__company"

    def visible_to(self, user):
        return self.filter(account__in=SavingsAccount.objects.visible_to(user))

    def naming_party(self, query):
        """Holder links whose party's first or last name contains ``query`` (case-insensitive)."""
        return self.filter(Q(party__last_name__icontains=query) | Q(party__first_name__icontains=query))


class SavingsAccountHolder(models.Model):
    """A party named as holder of a savings account (joint accounts have several)."""

    account = models.ForeignKey(
        SavingsAccount,
        verbose_name=_("savings account"),
        on_delete=models.CASCADE,
        related_name="account_holders",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="savings_holdings"
    )

    objects = SavingsAccountHolderQuerySet.as_manager()

    class Meta:
        verbose_name = _("account holder")
        verbose_name_plural = _("account holders")
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "party"], name="tenantportal_savings_holder_unique"),
        ]

    def __str__(self):
        return f"{self.account} – {self.party}"


class SavingsTransactionQuerySet(StaffScopedQuerySet):
    staff_scope = "account__company"

    def visible_to(self, user):
        return self.filter(account__in=SavingsAccount.objects.visible_to(user))

    def chronological(self):
        return self.order_by("booking_date", "sequence", "pk")


class SavingsTransaction(models.Model):
    """One booking (Umsatz) on a savings account, as the ERP booked it."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        INTEREST = "interest", _("Interest")
        TAX = "tax", _("Withholding tax and solidarity surcharge")
        FEE = "fee", _("Fee")
        OTHER = "other", _("Other")

    account = models.ForeignKey(
        SavingsAccount,
        verbose_name=_("savings account"),
        on_delete=models.CASCADE,
        related_name="transactions",
    )
    erp_id = models.CharField(
        _("ERP id"), max_length=64, help_text=_("Key of this booking in the ERP export, unique per account.")
    )
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        _("order within the day"), default=0, help_text=_("Orders bookings of the same day as the ERP did.")
    )
    amount = models.DecimalField(_("amount (EUR)"), help_text=_("Negative for withdrawals."), **MONEY)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    text = models.CharField(_("booking text"), max_length=200, blank=True)
    balance_after = models.DecimalField(_("balance after the booking (EUR)"), **MONEY)
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)

    objects = SavingsTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("savings transaction")
        verbose_name_plural = _("savings transactions")
        ordering = ["account", "-booking_date", "-sequence", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "erp_id"], name="tenantportal_savings_tx_erp_unique"),
        ]
        indexes = [
            models.Index(fields=["account", "booking_date", "sequence"], name="tenantportal_savings_tx_date"),
        ]

    def __str__(self):
        return f"{self.booking_date:%Y-%m-%d} {self.amount} €"

    @property
    def is_credit(self):
        return self.amount >= 0


class ExemptionOrderQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """Exemption orders of ``user``'s own linked parties."""
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.none()
        return self.filter(party_id__in=party_ids)

    def valid_on(self, day):
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)

    def valid_in_year(self, year):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start), valid_from__lte=end)

    def of_parties(self, parties):
        """The orders of ``parties`` (ids or objects) with the party loaded, by party name, newest first."""
        return (
            self.filter(party__in=parties).select_related("party").order_by("party__last_name", "-valid_from")
        )


class ExemptionOrder(ErpKeyed, models.Model):
    """A tax exemption order (Freistellungsauftrag für Kapitalerträge) a party gave the company."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="exemption_orders"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="exemption_orders"
    )
    amount = models.DecimalField(_("exempt amount (EUR)"), max_digits=10, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until revoked.")
    )
    joint = models.BooleanField(
        _("joint order with spouse or partner"),
        default=False,
        help_text=_("Given together by spouses or registered partners."),
    )
    partner = models.ForeignKey(
        Party,
        verbose_name=_("spouse or partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_exemption_orders",
        help_text=_("The second person of a joint order, when known."),
    )

    objects = ExemptionOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("exemption order")
        verbose_name_plural = _("exemption orders")
        ordering = ["company", "party", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["company", "erp_id"], name="tenantportal_exemption_erp_unique"),
        ]

    def __str__(self):
        return f"{self.party}: {self.amount} € ({self.valid_from:%Y})"


class ExemptionRequestQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """Requests for ``user``'s own linked parties (the holder who gives the order)."""
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.none()
        return self.filter(party_id__in=party_ids)

    def pending(self):
        return self.filter(status=ExemptionRequest.Status.PENDING)

    def in_work_order(self):
        return self.order_by(
            models.Case(models.When(status="pending", then=0), default=1), "-created_at", "-pk"
        )


class ExemptionRequest(models.Model):
    """A tenant's wish to give, change or withdraw the exemption order of one holder for one
    calendar year. It changes nothing until staff confirm it (``services.confirm_exemption_request``
    then writes the ``ExemptionOrder``)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("New order")
        CHANGE = "change", _("Change")
        WITHDRAW = "withdraw", _("Withdrawal")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Replaced by a later request")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="exemption_requests"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("account holder"), on_delete=models.PROTECT, related_name="exemption_requests"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    amount = models.DecimalField(_("exempt amount (EUR)"), max_digits=10, decimal_places=2, default=0)
    joint = models.BooleanField(_("joint order with spouse or partner"), default=False)
    partner = models.ForeignKey(
        Party,
        verbose_name=_("spouse or partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_exemption_requests",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(
        _("reason"), blank=True, help_text=_("Why the request was rejected (the tenant sees it).")
    )
    order = models.ForeignKey(
        ExemptionOrder,
        verbose_name=_("exemption order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The order written on confirmation."),
    )

    objects = ExemptionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("exemption order request")
        verbose_name_plural = _("exemption order requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.party} {self.year}: {self.get_action_display()}"


from .pages import SavingsPage  # noqa: E402, F401  (page types live with their sub-app)
