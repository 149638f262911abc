"""Fixtures and builders of the savings tests, named after what they give."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests.conftest import verified_portal_user
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    ExemptionOrderFactory,
    PartyFactory,
    SavingsAccountFactory,
    SavingsTransactionFactory,
)
from wagtail_tenantportal.savings.models import SavingsTransaction

D = Decimal


@dataclass
class Tenant:
    user: object
    party: object
    contract: object


def make_tenant(contract):
    """A fully verified portal user linked to a new party on ``contract``."""
    user = verified_portal_user(contract)
    party = user.tenantportal_account.party_links.get().party
    return Tenant(user=user, party=party, contract=contract)


@pytest.fixture
def company(db):
    return CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        erp_id="LH",
        phone="0341 123456",
        email="info@lindenhof.example",
        bank_name="Sparkasse Leipzig",
        iban="DE02120300000000202051",
        has_savings_scheme=True,
    )


@pytest.fixture
def tenant(company):
    """Erika: a tenant of the Lindenhof with a full portal session."""
    tenant = make_tenant(ContractFactory(unit__property__company=company, number="100001"))
    tenant.party.first_name, tenant.party.last_name = "Erika", "Mustermann"
    tenant.party.erp_id = "P-ERIKA"
    tenant.party.save()
    return tenant


@pytest.fixture
def neighbour(company):
    """Another tenant of the same company, without a savings account."""
    return make_tenant(ContractFactory(unit__property__company=company, number="100002"))


@pytest.fixture
def stranger(db):
    """A tenant of another company, with a savings account of their own."""
    other = CompanyFactory(name="Andere eG", slug="andere", erp_id="AN")
    stranger = make_tenant(ContractFactory(unit__property__company=other, number="900001"))
    account = SavingsAccountFactory(company=other, number="9900", erp_id="S-FREMD")
    account.holders.add(stranger.party)
    SavingsTransactionFactory(account=account, amount=D("77.00"), balance_after=D("77.00"))
    return stranger


def book(account, day, amount, balance, kind="deposit", text="", sequence=0):
    return SavingsTransactionFactory(
        account=account,
        booking_date=day,
        value_date=day,
        amount=D(amount),
        balance_after=D(balance),
        kind=kind,
        text=text,
        sequence=sequence,
    )


@pytest.fixture
def account(company, tenant):
    """Erika's and her husband's joint account, booked in 2024 and 2025."""
    husband = PartyFactory(company=company, first_name="Max", last_name="Mustermann", erp_id="P-MAX")
    account = SavingsAccountFactory(
        company=company,
        erp_id="S-1",
        number="4711",
        opened_on=datetime.date(2024, 1, 10),
        interest_rate=D("0.500"),
    )
    account.holders.add(tenant.party, husband)
    K = SavingsTransaction.Kind
    book(account, datetime.date(2024, 1, 10), "1000.00", "1000.00", K.DEPOSIT, "Ersteinzahlung")
    book(account, datetime.date(2024, 12, 31), "5.00", "1005.00", K.INTEREST, "Zinsen 2024")
    book(account, datetime.date(2025, 2, 1), "500.00", "1505.00", K.DEPOSIT, "Einzahlung")
    book(account, datetime.date(2025, 6, 30), "-200.00", "1305.00", K.WITHDRAWAL, "Auszahlung")
    book(account, datetime.date(2025, 12, 31), "6.50", "1311.50", K.INTEREST, "Zinsen 2025", sequence=1)
    book(account, datetime.date(2025, 12, 31), "-1.71", "1309.79", K.TAX, "Kapitalertragsteuer", sequence=2)
    ExemptionOrderFactory(party=tenant.party, company=company, amount=D("1000.00"), erp_id="FSA-1")
    return account


def login(client, tenant):
    client.force_login(tenant.user)
    return client


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def account_url(account):
    return f"/portal/savings/{account.pk}/"


def statement_url(account, year):
    return f"/portal/savings/{account.pk}/statement/{year}.pdf"
