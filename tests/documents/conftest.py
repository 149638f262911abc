"""Fixtures and builders of the document tests, named after what they give."""

import datetime
import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.pdfgen.canvas import Canvas

from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.accounts.models import Consent, PortalAccount
from wagtail_tenantportal.documents import services


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Every test gets its own, empty private storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


def pdf_bytes(text="Betriebskostenabrechnung", pages=1):
    """A real (small) PDF whose text is ``text``; different texts give different files."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    for page in range(pages):
        canvas.drawString(72, 720, f"{text} ({page + 1})")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_file(text="Betriebskostenabrechnung", name="dokument.pdf"):
    return ContentFile(pdf_bytes(text), name=name)


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    """A ZIP of ``{name: bytes}`` (a list of pairs allows the same name twice)."""
    out = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in items:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 2, 3, 4, 5)), data)
    return out.getvalue()


def give_e_delivery_consent(user):
    account = PortalAccount.objects.get(user=user)
    return Consent.objects.create(account=account, kind=Consent.Kind.E_DELIVERY, version="1")


@dataclass
class Tenant:
    """A verified portal user, the party they act for and their contract."""

    user: object
    party: object
    contract: object


def make_tenant(contract, *, consent=False, email=None):
    """A fully verified portal user linked to a new party on ``contract``."""
    user = verified_portal_user(contract)
    if email:
        user.email = email
        user.save(update_fields=["email"])
    party = user.tenantportal_account.party_links.get().party
    if consent:
        give_e_delivery_consent(user)
    return Tenant(user=user, party=party, contract=contract)


@pytest.fixture
def company(db):
    return CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        phone="0341 123456",
        email="info@lindenhof.example",
        register_court="Amtsgericht Leipzig",
        register_number="GnR 123",
        bank_name="Sparkasse Leipzig",
        iban="DE02120300000000202051",
    )


@pytest.fixture
def property_(company):
    return PropertyFactory(company=company, street="Lindenstraße 7", postal_code="04109", city="Leipzig")


def new_contract(property_, **kwargs):
    return ContractFactory(unit=UnitFactory(property=property_), **kwargs)


@pytest.fixture
def tenant(property_):
    """Erika: a tenant on a contract of the Lindenhof, with e-delivery consent."""
    return make_tenant(new_contract(property_, number="100001"), consent=True, email="erika@example.org")


@pytest.fixture
def neighbour(property_):
    """Another tenant in the same building (another contract), without consent."""
    return make_tenant(new_contract(property_, number="100002"), email="nachbar@example.org")


@pytest.fixture
def stranger(db):
    """A tenant of another company."""
    other = PropertyFactory(company=CompanyFactory(name="Andere eG", slug="andere"))
    return make_tenant(new_contract(other, number="900001"), email="fremd@example.org")


def login(client, tenant):
    client.force_login(tenant.user)
    return client


def publish(target, text="Dokument", *, category="letter", title="Schreiben", **kwargs):
    return services.publish(pdf_file(text), target=target, category=category, title=title, **kwargs)


@pytest.fixture
def documents(tenant, neighbour, company, property_):
    """One published document of each scope that Erika may see, and one only the neighbour sees."""
    return {
        "party": publish(tenant.party, "persönlich", title="Persönliches Schreiben"),
        "contract": publish(tenant.contract, "bk", category="operating_cost_statement", title="BK 2025"),
        "property": publish(property_, "hausordnung", category="house_rules", title="Hausordnung"),
        "company": publish(company, "satzung", category="notice", title="Einladung Vertreterversammlung"),
        "neighbour": publish(
            neighbour.contract, "bk nachbar", category="operating_cost_statement", title="BK 2025"
        ),
    }


def stored_files():
    """Names of all files in the private storage's documents folder."""
    from wagtail_tenantportal.core.storage import get_private_storage

    storage = get_private_storage()
    found = []

    def walk(folder):
        dirs, files = storage.listdir(folder)
        found.extend(f"{folder}/{name}" for name in files)
        for name in dirs:
            walk(f"{folder}/{name}")

    if storage.exists("documents"):
        walk("documents")
    return found


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (queued notices) at the end of the ``with`` block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def download_url(document):
    return f"/portal/documents/{document.uuid}/"


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def ended(contract, days_ago):
    contract.status = contract.Status.ENDED
    contract.end_date = timezone.localdate() - datetime.timedelta(days=days_ago)
    contract.save()
    return contract
