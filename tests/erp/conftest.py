"""Fixtures of the ERP-link tests: a company with an ERP connection, tenants, the loopback ERP,
and signed calls to the inbound API."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.core.cache import caches
from django.urls import reverse
from standardwebhooks import Webhook

from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.erp.connectors import DummyConnector
from wagtail_tenantportal.erp.models import DUMMY_CONNECTOR, WEBHOOK_CONNECTOR, Connection
from wagtail_tenantportal.tickets.models import TicketAttachment, TicketStatus, TicketType

from .receiver import Receiver


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def private_root(tmp_path):
    """Tenant files into a folder of this test."""
    storage = TicketAttachment._meta.get_field("file").storage
    old = storage._location

    def move_to(location):
        storage._location = location
        for name in ("base_location", "location"):
            storage.__dict__.pop(name, None)

    move_to(str(tmp_path / "private"))
    yield
    move_to(old)


@pytest.fixture(autouse=True)
def _empty_dummy_outbox():
    DummyConnector.outbox.clear()
    yield
    DummyConnector.outbox.clear()


@pytest.fixture
def company(db):
    return CompanyFactory(name="WG Lindenhof", erp_id="LH")


def contract_of(company):
    return ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company)))


@pytest.fixture
def contract(company):
    return contract_of(company)


@pytest.fixture
def tenant(contract):
    return verified_portal_user(contract)


@pytest.fixture
def general_type(db):
    return TicketType.objects.get(code="general_contact")


def status(code):
    return TicketStatus.objects.get(code=code)


@pytest.fixture
def receiver():
    """The loopback ERP (its secret is set by ``webhook_connection``)."""
    holder = {}
    yield holder
    if "receiver" in holder:
        holder["receiver"].stop()


@pytest.fixture
def webhook_connection(company, receiver):
    """The company's connection posting to a started loopback ERP (``connection.receiver``)."""
    connection = Connection.objects.create(company=company, name="Testsystem", connector={})
    erp = Receiver(connection.signing_secret).start()
    receiver["receiver"] = erp
    connection.connector = {"CLASS": WEBHOOK_CONNECTOR, "OPTIONS": {"url": erp.url, "timeout": 5}}
    connection.save()
    connection.receiver = erp
    connection.api_key = connection.issue_key()
    return connection


@pytest.fixture
def dummy_connection(company):
    connection = Connection.objects.create(
        company=company, name="Demo", connector={"CLASS": DUMMY_CONNECTOR, "OPTIONS": {}}
    )
    connection.api_key = connection.issue_key()
    return connection


def sign(connection, body, *, msg_id=None, timestamp=None, secret=None):
    """The Standard Webhooks headers of a call, as the ERP sends them."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    timestamp = timestamp or datetime.now(tz=UTC)
    signature = Webhook(secret or connection.signing_secret).sign(msg_id, timestamp, body)
    return {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(timestamp.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


def inbound_url(name, *args):
    return reverse(f"tenantportal_erp:{name}", args=args)


def call(client, connection, name, *args, data=None, key=None, headers=None, **sign_kwargs):
    """POST ``data`` as the ERP would: JSON, its API key, signed."""
    body = json.dumps(data or {}).encode()
    meta = {
        "HTTP_AUTHORIZATION": f"Bearer {key or connection.api_key}",
        **sign(connection, body, **sign_kwargs),
    }
    meta.update(headers or {})
    return client.generic("POST", inbound_url(name, *args), body, content_type="application/json", **meta)
