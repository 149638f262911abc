"""Who sees which savings account, and the balance the ERP booked."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ExemptionOrderFactory, SavingsAccountFactory
from tests.savings.conftest import book, make_tenant
from wagtail_tenantportal.accounts.models import AccountParty
from wagtail_tenantportal.savings.models import (
    ExemptionOrder,
    SavingsAccount,
    SavingsAccountHolder,
    SavingsTransaction,
)

pytestmark = pytest.mark.django_db


class TestVisibleTo:
    def test_a_holder_sees_the_account_its_bookings_and_own_exemption_order(self, tenant, account):
        assert list(SavingsAccount.objects.visible_to(tenant.user)) == [account]
        assert SavingsTransaction.objects.visible_to(tenant.user).count() == 6
        assert SavingsAccountHolder.objects.visible_to(tenant.user).count() == 2
        assert ExemptionOrder.objects.visible_to(tenant.user).count() == 1

    def test_other_tenants_see_nothing_of_it(self, account, neighbour, stranger):
        for other in (neighbour, stranger):
            assert account not in SavingsAccount.objects.visible_to(other.user)
            assert not SavingsTransaction.objects.visible_to(other.user).filter(account=account).exists()
            assert not ExemptionOrder.objects.visible_to(other.user).filter(company=account.company).exists()
        assert SavingsAccount.objects.visible_to(stranger.user).get().number == "9900"

    def test_a_co_tenant_on_the_rental_contract_is_not_a_holder(self, tenant, account):
        co_tenant = make_tenant(tenant.contract)
        assert not SavingsAccount.objects.visible_to(co_tenant.user).exists()

    def test_anonymous_none_and_inactive_links_see_nothing(self, tenant, account):
        assert not SavingsAccount.objects.visible_to(AnonymousUser()).exists()
        assert not SavingsAccount.objects.visible_to(None).exists()
        AccountParty.objects.filter(account__user=tenant.user).update(active=False)
        assert not SavingsAccount.objects.visible_to(tenant.user).exists()
        assert not ExemptionOrder.objects.visible_to(tenant.user).exists()

    def test_visible_to_is_one_query(self, tenant, account):
        with CaptureQueriesContext(connection) as queries:
            list(SavingsAccount.objects.visible_to(tenant.user))
        assert len(queries) == 1


class TestBalance:
    def test_the_balance_is_the_last_booked_balance_not_the_sum(self, account):
        # The export starts in 2024 with a balance carried over: the ERP's figure counts.
        book(account, datetime.date(2026, 1, 5), "10.00", "9999.99", text="Übertrag")
        annotated = SavingsAccount.objects.with_balance().get(pk=account.pk)
        assert annotated.balance == Decimal("9999.99")
        assert annotated.last_booking_date == datetime.date(2026, 1, 5)

    def test_bookings_of_one_day_follow_their_sequence(self, account):
        assert SavingsAccount.objects.with_balance().get(pk=account.pk).balance == Decimal("1309.79")

    def test_an_account_without_bookings_has_zero(self, company):
        account = SavingsAccountFactory(company=company)
        annotated = SavingsAccount.objects.with_balance().get(pk=account.pk)
        assert annotated.balance == Decimal("0.00") and annotated.last_booking_date is None

    def test_balances_of_many_accounts_cost_one_query(self, company):
        for n in range(30):
            account = SavingsAccountFactory(company=company)
            book(account, datetime.date(2025, 1, 1), "1.00", str(n))
        with CaptureQueriesContext(connection) as queries:
            balances = sorted(a.balance for a in SavingsAccount.objects.with_balance())
        assert len(queries) == 1
        assert balances == [Decimal(n) for n in range(30)]


class TestStatementYears:
    def test_from_the_opening_to_this_year(self, account):
        assert account.statement_years(datetime.date(2026, 5, 1)) == [2026, 2025, 2024]

    def test_until_the_closing_year(self, account):
        account.closed_on = datetime.date(2025, 7, 1)
        assert account.statement_years(datetime.date(2026, 5, 1)) == [2025, 2024]


def test_exemption_orders_valid_on_a_day(tenant, company):
    ExemptionOrderFactory(
        party=tenant.party,
        company=company,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2022, 12, 31),
    )
    current = ExemptionOrderFactory(party=tenant.party, company=company, valid_from=datetime.date(2023, 1, 1))
    assert list(ExemptionOrder.objects.valid_on(datetime.date(2025, 1, 1))) == [current]
    assert ExemptionOrder.objects.valid_in_year(2022).count() == 1
