"""Fixtures of the ticket tests, named after what they give."""

import io
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import verified_portal_user
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PropertyFactory,
    UnitFactory,
    UserFactory,
    staff_for,
)
from wagtail_tenantportal.tickets.models import (
    DamageCategory,
    DamageKind,
    DamageLocation,
    TicketAttachment,
    TicketStatus,
    TicketType,
)

# -- files -----------------------------------------------------------------------------------------

GPS_LATITUDE = (51.0, 20.0, 21.6)


def jpeg_bytes(size=(1200, 900), *, orientation=None, gps=True, colour=(180, 90, 40), quality=90):
    """A JPEG with EXIF (camera model, GPS position, optional orientation) and XMP."""
    image = Image.new("RGB", size, colour)
    # A marker in the top-left corner shows which way the photo ends up.
    for x in range(min(40, size[0])):
        for y in range(min(20, size[1])):
            image.putpixel((x, y), (0, 0, 255))
    exif = image.getexif()
    exif[0x0110] = "SecretCam 3000"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (12.0, 22.0, 30.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=quality, xmp=b"<x:xmpmeta>SecretXMP</x:xmpmeta>")
    return out.getvalue()


def png_bytes(size=(300, 200), mode="RGBA"):
    image = Image.new(mode, size, (10, 200, 30, 128) if mode == "RGBA" else (10, 200, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pdf_bytes():
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name="schaden.jpg", **kwargs):
    return upload(name, jpeg_bytes(**kwargs), "image/jpeg")


def fake_image(name="foto.jpg"):
    """Text pretending to be a photo (name and content type say JPEG)."""
    return upload(name, b"<script>alert(1)</script> not really a JPEG", "image/jpeg")


@pytest.fixture(autouse=True)
def private_root(tmp_path):
    """A fresh private storage folder per test (the storage object is shared by the fields)."""
    storage = TicketAttachment._meta.get_field("file").storage

    def move_to(location):
        storage._location = location
        for name in ("base_location", "location"):
            storage.__dict__.pop(name, None)

    old = storage._location
    root = tmp_path / "private"
    move_to(str(root))
    yield root
    move_to(old)


# -- data ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts without any."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@dataclass
class Taxonomy:
    flat: DamageLocation
    stairwell: DamageLocation
    plumbing: DamageCategory
    lighting: DamageCategory
    dripping_tap: DamageKind
    burst_pipe: DamageKind
    no_heating: DamageKind
    stair_light: DamageKind


@pytest.fixture
def taxonomy(db):
    flat = DamageLocation.objects.create(name="Bad", sort_order=1)
    stairwell = DamageLocation.objects.create(name="Treppenhaus", is_shared_area=True, sort_order=2)
    plumbing = DamageCategory.objects.create(location=flat, name="Sanitär")
    lighting = DamageCategory.objects.create(location=stairwell, name="Beleuchtung")
    return Taxonomy(
        flat=flat,
        stairwell=stairwell,
        plumbing=plumbing,
        lighting=lighting,
        dripping_tap=DamageKind.objects.create(category=plumbing, name="Wasserhahn tropft"),
        burst_pipe=DamageKind.objects.create(
            category=plumbing,
            name="Rohrbruch",
            urgency=DamageKind.Urgency.ALWAYS,
            hint="Bitte drehen Sie den Hauptwasserhahn zu.",
        ),
        no_heating=DamageKind.objects.create(
            category=plumbing, name="Heizung fällt aus", urgency=DamageKind.Urgency.HEATING_SEASON
        ),
        stair_light=DamageKind.objects.create(category=lighting, name="Licht im Treppenhaus defekt"),
    )


@pytest.fixture
def company(db):
    return CompanyFactory(name="WG Lindenhof", emergency_phone="0341 999 111", phone="0341 123456")


@pytest.fixture
def building(company):
    return PropertyFactory(company=company, name="Lindenstraße 5")


def contract_in(building, **kwargs):
    return ContractFactory(unit=UnitFactory(property=building), **kwargs)


@pytest.fixture
def contract(building):
    return contract_in(building)


@pytest.fixture
def tenant(contract):
    return verified_portal_user(contract)


@pytest.fixture
def tenant_client(client, tenant):
    client.force_login(tenant)
    return client


@pytest.fixture
def neighbour(building):
    """A tenant of another flat in the same building."""
    return verified_portal_user(contract_in(building))


@pytest.fixture
def stranger(db):
    """A tenant of another company's building."""
    return verified_portal_user(ContractFactory())


def staff_member(*companies, **kwargs):
    """An active user who may use the Wagtail admin (not a superuser), working for
    ``companies`` (through a staff group of each, ``core.scope``)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(**kwargs)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    if companies:
        staff_for(*companies, perms=(), user=user)
    return user


@pytest.fixture
def staff(db):
    return UserFactory(
        is_staff=True, is_superuser=True, email="hausmeister@lindenhof.example", username="staff"
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def damage_type(db):
    return TicketType.objects.get(code="damage_report")


@pytest.fixture
def general_type(db):
    return TicketType.objects.get(code="general_contact")


def status(code):
    return TicketStatus.objects.get(code=code)
