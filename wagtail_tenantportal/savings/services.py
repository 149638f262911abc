"""What the savings app does, for views, the page type, the block, the dashboard and commands.

Every tenant-facing function starts from ``visible_to(user)`` and runs a constant number of
queries whatever the number of accounts or bookings:

- ``tenant_accounts(user)``: the accounts with ``balance`` annotated and holders prefetched;
- ``open_accounts(user)``: the open ones of them (block and dashboard widget);
- ``get_tenant_account(user, account_id)``: one account (404 for anything the user may not see);
- ``overview_context(user)``: the context of the overview (page, view and block);
- ``account_context(user, account, params)``: one account's bookings, filtered by year
  (GET form) and paginated, with the tenant's exemption orders;
- ``statement_pdf(account, year)``: the annual statement (see ``statement.py``);
- ``import_savings(files, dry_run=..., partial=...)``: the CSV import (see ``importer.py``);
- ``exemptions``: the tenant's exemption order requests and the staff's decision on them
  (``exemptions.request_order``, ``confirm_request``, ``reject_request``; see ``exemptions.py``).
"""

from decimal import Decimal

from django import forms
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core.conf import portal_settings
from . import exemptions
from . import statement as _statement
from .importer import KIND_ORDER, SavingsImportResult, import_savings, savings_file, savings_upload
from .models import ExemptionOrder, SavingsAccount

__all__ = [
    "exemptions",
    "KIND_ORDER",
    "SavingsImportResult",
    "StatementUnavailable",
    "account_context",
    "get_tenant_account",
    "import_savings",
    "open_accounts",
    "overview_context",
    "savings_file",
    "savings_upload",
    "statement_pdf",
    "tenant_accounts",
    "account_transactions",
]

StatementUnavailable = _statement.StatementUnavailable


def tenant_accounts(user):
    """The savings accounts ``user`` may see, with ``balance`` and ``last_booking_date``
    annotated and ``holders`` prefetched (two queries), open accounts first."""
    return (
        SavingsAccount.objects.visible_to(user)
        .with_balance()
        .select_related("company")
        .prefetch_related("holders")
        .order_by(F("closed_on").desc(nulls_first=True), "number")
    )


def open_accounts(user, today=None):
    """The accounts of ``tenant_accounts`` that are open ``today`` (a list; two queries)."""
    return list(tenant_accounts(user).open(today or timezone.localdate()))


def get_tenant_account(user, account_id, *, with_balance=False):
    """The savings account ``account_id`` (an int or its text) of which ``user`` is a holder,
    with its company; ``balance`` and ``last_booking_date`` annotated with ``with_balance``
    (one query).

    Raises ``Http404`` for everything else, all alike: a malformed id, no such account,
    another tenant's account.
    """
    try:
        pk = int(str(account_id))
    except ValueError:
        raise Http404 from None
    accounts = SavingsAccount.objects.with_balance() if with_balance else SavingsAccount.objects.all()
    account = accounts.visible_to(user).select_related("company").filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


def current_exemption_orders(user, today=None, company=None):
    """The exemption orders of ``user``'s parties valid today (optionally of one company)."""
    orders = ExemptionOrder.objects.visible_to(user).valid_on(today or timezone.localdate())
    if company is not None:
        orders = orders.filter(company=company)
    return orders.select_related("party").order_by("party__last_name", "valid_from")


def overview_context(user, today=None):
    """``accounts`` (list), ``total_balance`` of the open accounts, ``exemption_orders``."""
    today = today or timezone.localdate()
    accounts = list(tenant_accounts(user))
    total = sum((a.balance for a in accounts if not (a.closed_on and a.closed_on < today)), Decimal("0.00"))
    return {
        "accounts": accounts,
        "total_balance": total,
        "exemption_orders": list(current_exemption_orders(user, today)),
    }


class TransactionFilterForm(forms.Form):
    """Year filter of an account's bookings (GET, works without JavaScript)."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, years=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["year"].help_text = _("Show the bookings of one year only.")


def account_transactions(account, year=None):
    """Queryset of the bookings of ``account`` (already checked with ``visible_to``), newest
    first, optionally of one ``year`` (the API pages it)."""
    transactions = account.transactions.order_by("-booking_date", "-sequence", "-pk")
    if year:
        transactions = transactions.filter(booking_date__year=year)
    return transactions


def account_context(user, account, params, today=None):
    """The bookings of ``account`` (already checked with ``visible_to``) for the detail view.

    ``params``: the GET parameters (``year``, ``page``). Returns ``account``, ``filter_form``,
    ``year``, ``page_obj`` (bookings, newest first), ``statement_years`` and the tenant's
    ``exemption_orders`` with the account's company.
    """
    today = today or timezone.localdate()
    years = account.statement_years(today)
    form = TransactionFilterForm(params or None, years=years)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    transactions = account.transactions.order_by("-booking_date", "-sequence", "-pk")
    if year:
        transactions = transactions.filter(booking_date__year=year)
    paginator = Paginator(transactions, max(1, int(portal_settings.SAVINGS_TRANSACTIONS_PER_PAGE)))
    page_obj = paginator.get_page(params.get("page"))
    return {
        "account": account,
        "filter_form": form,
        "year": year,
        "page_obj": page_obj,
        "transactions": page_obj.object_list,
        "statement_years": years,
        "exemption_orders": list(current_exemption_orders(user, today, company=account.company_id)),
    }


def statement_pdf(account, year, today=None):
    """``(filename, pdf_bytes)`` of the annual statement; ``StatementUnavailable`` for a year
    without one."""
    built = _statement.build(account, year, today=today)
    return built.filename, _statement.render(built)
