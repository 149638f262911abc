"""Fixtures of the API tests, named after what they give.

``world`` builds two companies: Erika (the owner of everything the walk asks for), Ben (another
tenant of her landlord, in another building), Cem (a tenant of another landlord) and Paula (a
tenant with an authenticator app, for pending tokens). Clients carry app tokens.
"""

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from tests.conftest import verified_portal_user
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PropertyFactory,
    SavingsAccountFactory,
    SavingsTransactionFactory,
    UnitFactory,
)
from wagtail_tenantportal.api import services as tokens
from wagtail_tenantportal.api.models import AppToken
from wagtail_tenantportal.core import outbox, tasks

PASSWORD = "Rotkehlchen-Mauersegler-42"
API = "/portal/api/v1/"


@pytest.fixture(autouse=True)
def _mails_at_commit(monkeypatch):
    """The test's transaction never commits: run queued signals at once and deliver the outbox
    (mails, deferred tasks) when something is queued, as Django does in autocommit."""
    monkeypatch.setattr(
        tasks, "transaction", SimpleNamespace(on_commit=lambda func, using=None, robust=False: func())
    )
    monkeypatch.setattr(outbox, "after_commit_hook", lambda func: func())


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts without any."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """A fresh private storage per test (documents and request files)."""
    from wagtail_tenantportal.tickets.models import TicketAttachment

    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    storage = TicketAttachment._meta.get_field("file").storage
    old = storage._location
    storage._location = str(tmp_path / "private")
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)
    yield
    storage._location = old
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)


def jpeg_bytes(size=(640, 480)):
    image = Image.new("RGB", size, (180, 90, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def photo(name="schaden.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def pdf_bytes(text="Betriebskostenabrechnung 2025"):
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def client_for(secret=None):
    """An API client sending ``Authorization: Bearer <secret>`` (none without a secret)."""
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def token_for(user, *, device=None, name="Telefon"):
    """A session token of ``user`` as a login would issue it: the secret."""
    return tokens.issue(user, AppToken.Kind.SESSION, name=name, device=device)[1]


def tenant_on(contract, email):
    user = verified_portal_user(contract)
    user.email = email
    user.username = email
    user.set_password(PASSWORD)
    user.save()
    return user


def publish_document(contract, title):
    from wagtail_tenantportal.documents import services as documents

    return documents.publish(
        ContentFile(pdf_bytes(title), name="abrechnung.pdf"),
        target=contract,
        category=documents.get_category("operating_cost_statement"),
        title=title,
        notify=False,
        deliver=False,
    )


def file_request(user, contract, subject, *, attachments=()):
    from wagtail_tenantportal.tickets import services as tickets
    from wagtail_tenantportal.tickets.models import TicketType

    return tickets.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=user,
        subject=subject,
        description="Bitte um Rückruf wegen der Nebenkosten.",
        attachments=list(attachments),
    )


@dataclass
class World:
    erika: object
    ben: object
    cem: object
    paula: object
    contract: object
    ticket: object
    document: object
    notice: object
    savings: object
    secrets: dict = field(default_factory=dict)

    def markers(self):
        """Text that only Erika's answers may contain."""
        return [
            self.ticket.reference,
            self.ticket.subject,
            str(self.document.uuid),
            self.document.title,
            self.contract.number,
            self.notice.title,
            self.savings.number,
            self.erika.email,
        ]


@pytest.fixture
def world(db):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lindenhof = CompanyFactory(name="WG Lindenhof", slug="lindenhof")
    elsteraue = CompanyFactory(name="Bauverein Elsteraue", slug="elsteraue")
    home = PropertyFactory(company=lindenhof, street="Lindenstraße 7")
    other_home = PropertyFactory(company=lindenhof, street="Birkenweg 3")
    contract = ContractFactory(unit=UnitFactory(property=home), number="ERIKA-4711")
    erika = tenant_on(contract, "erika@example.org")
    ben = tenant_on(ContractFactory(unit=UnitFactory(property=other_home)), "ben@example.org")
    cem = tenant_on(
        ContractFactory(unit=UnitFactory(property=PropertyFactory(company=elsteraue))), "cem@example.org"
    )
    paula = tenant_on(ContractFactory(unit=UnitFactory(property=other_home)), "paula@example.org")
    TOTPDevice.objects.create(user=paula, name="authenticator", confirmed=True)
    ticket = file_request(erika, contract, "Erikas Heizung rauscht", attachments=[photo()])
    document = publish_document(contract, "Erikas Betriebskostenabrechnung")
    from wagtail_tenantportal.notices import services as notices

    notice = notices.create_notice(
        lindenhof,
        "Wasser abgestellt in der Lindenstraße",
        "<p>Am Montag von 8 bis 12 Uhr.</p>",
        properties=[home],
    )
    savings = SavingsAccountFactory(company=lindenhof, number="SPAR-ERIKA-1")
    lindenhof.has_savings_scheme = True
    lindenhof.save(update_fields=["has_savings_scheme"])
    savings.holders.add(contract.contract_parties.first().party)
    SavingsTransactionFactory(account=savings)
    return World(
        erika=erika,
        ben=ben,
        cem=cem,
        paula=paula,
        contract=contract,
        ticket=ticket,
        document=document,
        notice=notice,
        savings=savings,
    )


@pytest.fixture
def erika_client(world):
    client = client_for(token_for(world.erika))
    client.user = world.erika
    return client


@pytest.fixture
def now():
    return timezone.now()
