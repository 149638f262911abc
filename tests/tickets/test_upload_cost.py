"""Issue 17, finding 4: the cost of uploads is bounded per request and per user.

Before, a reply with nine 59-megapixel PNGs and one invalid file decoded all nine (a worker
for ~10 s and ~500 MB) and did not count against the upload limit. These tests run the same
attack at a smaller scale (limits set in proportion) and count what Pillow decodes, never time:
every file is checked from its header first, one invalid file stops the batch before any
decoding, the pixels a request and a user may decode are capped, and failed uploads count.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from wagtail_tenantportal.core import ratelimit
from wagtail_tenantportal.tickets import services, uploads
from wagtail_tenantportal.tickets.models import Ticket, TicketAttachment, TicketMessage, TicketType

from .conftest import fake_image, jpeg_bytes, photo, upload

pytestmark = pytest.mark.django_db

SIDE = 1000  # a "large" photo here: 1 megapixel, like the 59-megapixel PNGs of the finding
LARGE = SIDE * SIDE


@pytest.fixture(autouse=True)
def scaled_limits(settings):
    """The production limits shrunk by the same factor as the photos."""
    settings.WAGTAIL_TENANTPORTAL = {
        "TICKET_MAX_IMAGE_PIXELS": LARGE + 1,  # each photo just allowed, as 59 MP under 60 MP
        "TICKET_MAX_PIXELS_PER_REQUEST": 4 * LARGE,
        "TICKET_IMAGE_MAX_SIZE": 400,
        "RATE_LIMITS": {"upload_pixels": {"limit": 10 * LARGE, "window": 3600, "lockout": 3600}},
    }


@pytest.fixture
def decoded(monkeypatch):
    """Pixels Pillow decodes (``ImageFile.load`` of an image not decoded yet), in order."""
    pixels = []
    load = ImageFile.ImageFile.load

    def counting_load(self):
        if getattr(self, "tile", None):
            pixels.append(self.size[0] * self.size[1])
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return pixels


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "now", lambda: now[0])
    return now


def large_png(name):
    image = Image.new("RGB", (SIDE, SIDE), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return upload(name, out.getvalue(), "image/png")


def nine_large_and_one_invalid():
    return [large_png(f"riss{n}.png") for n in range(9)] + [fake_image("zuletzt.jpg")]


@pytest.fixture
def ticket(contract, tenant, general_type):
    return services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="x", description="y"
    )


# -- one invalid file: nothing is decoded -------------------------------------------------------


def test_a_reply_with_nine_large_photos_and_one_invalid_file_decodes_nothing(ticket, tenant, decoded):
    with pytest.raises(ValidationError) as error:
        services.post_message(ticket, user=tenant, body="Fotos", attachments=nine_large_and_one_invalid())
    assert "zuletzt.jpg" in " ".join(error.value.messages)
    assert decoded == []
    assert ticket.messages.count() == 0 and TicketAttachment.objects.count() == 0


def test_a_new_request_with_them_decodes_nothing(contract, tenant, general_type, decoded):
    with pytest.raises(ValidationError):
        services.submit_ticket(
            contract=contract,
            ticket_type=general_type,
            user=tenant,
            subject="x",
            description="y",
            attachments=nine_large_and_one_invalid(),
        )
    assert decoded == []
    assert Ticket.objects.count() == 0


def test_a_staff_reply_and_a_staff_request_in_the_admin_decode_nothing_either(
    ticket, staff, contract, general_type, decoded
):
    with pytest.raises(ValidationError):
        services.post_message(
            ticket,
            user=staff,
            body="Intern",
            role=TicketMessage.Role.STAFF,
            internal=True,
            attachments=nine_large_and_one_invalid(),
        )
    with pytest.raises(ValidationError):
        services.submit_ticket(
            contract=contract,
            ticket_type=general_type,
            user=staff,
            channel="staff",
            subject="x",
            description="y",
            attachments=nine_large_and_one_invalid(),
        )
    assert decoded == []


def test_a_bomb_header_is_refused_before_decoding(ticket, tenant, decoded):
    from .test_uploads import png_header_only

    with pytest.raises(ValidationError):
        services.post_message(
            ticket, user=tenant, body="x", attachments=[upload("b.png", png_header_only(40000, 40000))]
        )
    assert decoded == []


# -- pixels per request -------------------------------------------------------------------------


def test_photos_that_decode_to_too_many_pixels_together_are_refused_before_decoding(ticket, tenant, decoded):
    with pytest.raises(ValidationError) as error:
        services.post_message(
            ticket, user=tenant, body="x", attachments=[large_png(f"f{n}.png") for n in range(5)]
        )
    assert "too large to process together" in error.value.messages[0]
    assert decoded == []


def test_up_to_the_cap_every_photo_is_decoded_once(ticket, tenant, decoded):
    message = services.post_message(
        ticket, user=tenant, body="x", attachments=[large_png(f"f{n}.png") for n in range(4)]
    )
    assert message.attachments.count() == 4
    assert decoded == [LARGE] * 4


def test_a_jpeg_counts_the_reduced_size_libjpeg_decodes_at(settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_IMAGE_MAX_SIZE": 400}
    checked = uploads.check_upload(upload("gross.jpg", jpeg_bytes(size=(2000, 1200))))
    assert checked.pixels == 1000 * 600  # TICKET_IMAGE_MAX_SIZE 400: decoded at 1/2 (1/4 < 400)
    result = uploads.process_checked(checked)
    assert max(result.width, result.height) == 400
    assert uploads.check_upload(upload("r.pdf", b"%PDF-1.4\n%%EOF\n")).pixels == 0


# -- pixels per user and hour -------------------------------------------------------------------


def test_a_users_hourly_pixel_budget_stops_decoding_and_ends(ticket, tenant, neighbour, decoded, clock):
    for _ in range(2):  # 2 x 4 MP of the 10 MP budget
        services.post_message(
            ticket, user=tenant, body="x", attachments=[large_png(f"f{n}.png") for n in range(4)]
        )
    assert sum(decoded) == 8 * LARGE
    with pytest.raises(ValidationError) as error:
        services.post_message(
            ticket, user=tenant, body="x", attachments=[large_png(f"f{n}.png") for n in range(4)]
        )
    assert "many large photos" in error.value.messages[0]
    assert sum(decoded) == 8 * LARGE  # nothing more decoded
    # small enough for what is left: allowed
    services.post_message(ticket, user=tenant, body="x", attachments=[large_png("f.png")])
    assert sum(decoded) == 9 * LARGE
    clock[0] += 2 * 3600
    services.post_message(
        ticket, user=tenant, body="x", attachments=[large_png(f"f{n}.png") for n in range(4)]
    )
    assert sum(decoded) == 13 * LARGE


def broken_png(width, height):
    """A PNG whose chunks and checksums are right but whose image data is no zlib stream: it
    passes every check from the header and fails only while decoding."""
    import struct
    import zlib

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"no zlib here" * 50)
        + chunk(b"IEND", b"")
    )


def test_photos_that_fail_while_decoding_still_count_against_the_budget(ticket, tenant, decoded, clock):
    for n in range(10):
        with pytest.raises(ValidationError) as error:
            services.post_message(
                ticket, user=tenant, body="x", attachments=[upload(f"k{n}.png", broken_png(SIDE, SIDE))]
            )
        assert "could not be read" in error.value.messages[0]
    assert decoded == [LARGE] * 10  # each was tried once ...
    assert ratelimit.RateLimit.for_scope("upload_pixels").count(tenant.pk) == 10 * LARGE  # ... and counted
    with pytest.raises(ValidationError) as error:
        services.post_message(
            ticket, user=tenant, body="x", attachments=[upload("k.png", broken_png(SIDE, SIDE))]
        )
    assert "many large photos" in error.value.messages[0]
    assert len(decoded) == 10


def test_the_budget_is_per_user(ticket, tenant, staff, decoded):
    for _ in range(2):
        services.post_message(
            ticket, user=tenant, body="x", attachments=[large_png(f"f{n}.png") for n in range(4)]
        )
    services.post_message(
        ticket,
        user=staff,
        body="x",
        role=TicketMessage.Role.STAFF,
        attachments=[large_png(f"f{n}.png") for n in range(4)],
    )
    assert sum(decoded) == 12 * LARGE


# -- failed uploads count toward the upload limit -------------------------------------------------


def test_failed_uploads_count_toward_the_message_limit(ticket, tenant, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "RATE_LIMITS": {"ticket_message": {"limit": 3, "window": 3600, "lockout": 3600}}
    }
    for _ in range(3):
        with pytest.raises(ValidationError):
            services.post_message(ticket, user=tenant, body="x", attachments=[fake_image()])
    with pytest.raises(ValidationError) as error:
        services.post_message(ticket, user=tenant, body="Nur Text")
    assert "try again in" in error.value.messages[0]
    assert ticket.messages.count() == 0


def test_failed_uploads_count_toward_the_request_limit(contract, tenant, general_type, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "RATE_LIMITS": {"ticket_submit": {"limit": 2, "window": 3600, "lockout": 3600}}
    }
    data = {
        "contract": contract,
        "ticket_type": general_type,
        "user": tenant,
        "subject": "x",
        "description": "y",
    }
    for _ in range(2):
        with pytest.raises(ValidationError):
            services.submit_ticket(**data, attachments=[fake_image()])
    with pytest.raises(ValidationError) as error:
        services.submit_ticket(**data)
    assert "try again in" in error.value.message_dict["__all__"][0]
    assert Ticket.objects.count() == 0


def test_a_saved_request_with_files_counts_once(contract, tenant, general_type, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "RATE_LIMITS": {"ticket_submit": {"limit": 2, "window": 3600, "lockout": 3600}}
    }
    data = {
        "contract": contract,
        "ticket_type": general_type,
        "user": tenant,
        "subject": "x",
        "description": "y",
    }
    services.submit_ticket(**data, attachments=[photo()])
    services.submit_ticket(**data)
    assert Ticket.objects.count() == 2
    with pytest.raises(ValidationError):
        services.submit_ticket(**data)


def test_a_request_refused_before_its_files_are_looked_at_does_not_count(
    contract, tenant, general_type, settings
):
    settings.WAGTAIL_TENANTPORTAL = {
        "RATE_LIMITS": {"ticket_submit": {"limit": 1, "window": 3600, "lockout": 3600}}
    }
    data = {"contract": contract, "ticket_type": general_type, "user": tenant, "subject": "x"}
    with pytest.raises(ValidationError):
        services.submit_ticket(**data, description="", attachments=[photo()])  # text missing
    services.submit_ticket(**data, description="y")


# -- the page shows a translated message ---------------------------------------------------------


def test_the_reply_page_says_so_in_german(tenant_client, ticket):
    from django.urls import reverse

    response = tenant_client.post(
        reverse("wagtail_tenantportal:ticket_reply", args=[ticket.reference]),
        {"body": "Fotos", "attachments": [large_png(f"f{n}.png") for n in range(5)]},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert "zu groß, um sie zusammen zu verarbeiten" in response.content.decode()


def test_general_type_takes_files(general_type):
    assert TicketType.objects.get(pk=general_type.pk).allow_attachments
