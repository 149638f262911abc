"""Fixtures of the registration-code tests, named after what they give."""

import io

import pytest
from django.core.cache import caches
from pypdf import PdfReader

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PartyFactory,
    PropertyFactory,
    UnitFactory,
    UserFactory,
)
from wagtail_tenantportal.core import outbox, ratelimit
from wagtail_tenantportal.tenancy.models import ContractParty


@pytest.fixture(autouse=True)
def _mails_at_commit(monkeypatch):
    """The test's transaction never commits: deliver the outbox when a mail is queued, as
    Django does outside a transaction (autocommit). ``test_mail_queue`` overrides this."""
    monkeypatch.setattr(outbox, "after_commit_hook", lambda func: func())


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Attempt counters live in the cache: every test starts without any."""
    caches["default"].clear()
    yield
    caches["default"].clear()


class Clock:
    """A settable clock for the rate limiter (seconds since the epoch)."""

    def __init__(self, start=1_800_000_000.0):
        self.value = start

    def __call__(self):
        return self.value

    def advance(self, seconds):
        self.value += seconds


@pytest.fixture
def frozen_clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit, "now", clock)
    return clock


@pytest.fixture
def company(db):
    return CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        phone="0341 123456",
        email="info@lindenhof.example",
        sender_line="WG Lindenhof eG · Hauptstraße 1 · 04109 Leipzig",
        register_court="Amtsgericht Leipzig",
        register_number="GnR 123",
        bank_name="Sparkasse Leipzig",
        iban="DE02120300000000202051",
    )


@pytest.fixture
def property_(company):
    return PropertyFactory(company=company)


def make_tenant(company, *, property=None, last_name=None, contract=None, **party_kwargs):
    """A party with a current rental contract of ``company`` (on a unit of ``property``)."""
    if contract is None:
        unit = UnitFactory(property=property or PropertyFactory(company=company))
        contract = ContractFactory(unit=unit)
    kwargs = {"company": company, **party_kwargs}
    if last_name:
        kwargs["last_name"] = last_name
    party = PartyFactory(**kwargs)
    ContractParty.objects.create(contract=contract, party=party)
    return party, contract


@pytest.fixture
def tenant(company):
    """(party, contract): Erika Müller on a current rental contract of ``company``."""
    return make_tenant(company, last_name="Müller")


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def pdf_pages(data):
    """Text of each page of a PDF given as bytes."""
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]
