"""Checking and re-encoding of uploaded photos and PDFs."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from wagtail_tenantportal.tickets import uploads
from wagtail_tenantportal.tickets.uploads import process_upload

from .conftest import fake_image, jpeg_bytes, pdf_bytes, png_bytes, upload


def open_result(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_jpeg_is_reencoded_without_exif_gps_or_xmp():
    original = jpeg_bytes(size=(1200, 900))
    assert b"SecretCam" in original and b"SecretXMP" in original

    result = process_upload(upload("IMG_0001.JPG", original))

    assert result.kind == "image"
    assert result.content_type == "image/jpeg"
    assert result.extension == "jpg"
    assert result.content != original
    assert b"SecretCam" not in result.content
    assert b"SecretXMP" not in result.content
    image = open_result(result.content)
    assert image.format == "JPEG"
    assert not image.getexif()  # no EXIF at all, so no GPS either
    assert "xmp" not in image.info
    assert (result.width, result.height) == (1200, 900)


def test_photo_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was turned; the upright photo is portrait.
    result = process_upload(upload("hochkant.jpg", jpeg_bytes(size=(800, 600), orientation=6)))
    image = open_result(result.content)
    assert image.size == (600, 800)
    assert (result.width, result.height) == (600, 800)
    # The blue marker of the top-left corner is now at the top right.
    top_right = image.getpixel((image.width - 5, 5))
    assert top_right[2] > 150 and top_right[0] < 100


def test_large_photo_is_shrunk_to_the_maximum_and_gets_a_thumbnail(settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_IMAGE_MAX_SIZE": 1000, "TICKET_THUMBNAIL_SIZE": 200}
    result = process_upload(upload("gross.jpg", jpeg_bytes(size=(3000, 2000))))
    assert (result.width, result.height) == (1000, 667)
    thumbnail = open_result(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert max(thumbnail.size) == 200
    assert b"SecretCam" not in result.thumbnail


def test_png_stays_png_with_transparency_and_thumbnail_is_flattened():
    result = process_upload(upload("screenshot.png", png_bytes()))
    assert result.content_type == "image/png"
    image = open_result(result.content)
    assert image.format == "PNG" and image.mode == "RGBA"
    assert open_result(result.thumbnail).mode == "RGB"


def test_webp_is_accepted_and_stored_as_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (1, 2, 3)).save(out, "WEBP")
    result = process_upload(upload("bild.webp", out.getvalue()))
    assert result.content_type == "image/jpeg"
    assert open_result(result.content).format == "JPEG"


@pytest.mark.skipif(not uploads.HEIF_AVAILABLE, reason="pillow-heif is not installed")
def test_heic_photo_is_accepted_and_stored_as_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (50, 60, 70)).save(out, "HEIF")
    result = process_upload(upload("IMG_1234.HEIC", out.getvalue()))
    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (320, 240)


def test_pdf_is_recognised_by_its_content_not_its_name():
    result = process_upload(upload("rechnung.jpg", pdf_bytes(), "image/jpeg"))
    assert result.kind == "pdf"
    assert result.content_type == "application/pdf"
    assert result.content == pdf_bytes()
    assert result.thumbnail is None


@pytest.mark.parametrize(
    "name,content",
    [
        ("foto.jpg", b"<script>alert(1)</script> not really a JPEG"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # a PNG signature and nothing behind it
        (
            "animation.gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,",
        ),
        ("bild.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("programm.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ],
)
def test_files_that_are_neither_photo_nor_pdf_are_refused(name, content):
    with pytest.raises(ValidationError) as error:
        process_upload(upload(name, content, "image/jpeg"))
    assert name in error.value.messages[0]


def test_gif_is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError) as error:
        process_upload(upload("bild.gif", out.getvalue()))
    assert error.value.code == "unsupported"


def test_truncated_pdf_is_refused():
    with pytest.raises(ValidationError) as error:
        process_upload(upload("kaputt.pdf", b"%PDF-1.7\n1 0 obj<<>>"))
    assert error.value.code == "broken_pdf"


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(size=(400, 300))
    with pytest.raises(ValidationError) as error:
        process_upload(upload("halb.jpg", data[: len(data) // 3]))
    assert error.value.code in {"unsupported", "broken_image"}


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        process_upload(upload("leer.jpg", b""))
    assert error.value.code == "empty"


def test_oversized_file_is_refused_before_reading_it_whole(settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_MAX_UPLOAD_MB": 0.01}

    class Unreadable(io.BytesIO):
        name = "riesig.jpg"
        size = 10 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("the file was read although its size is known to be too large")

    with pytest.raises(ValidationError) as error:
        process_upload(Unreadable())
    assert error.value.code == "too_large"
    assert "riesig.jpg" in error.value.messages[0]


def test_oversized_file_without_a_known_size_is_refused(settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_MAX_UPLOAD_MB": 0.01}
    stream = io.BytesIO(jpeg_bytes(size=(800, 800)))
    stream.name = "gross.jpg"
    with pytest.raises(ValidationError) as error:
        process_upload(stream)
    assert error.value.code == "too_large"


def png_header_only(width, height):
    """A tiny PNG that claims huge dimensions (a decompression bomb needs no more)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_by_the_pixel_limit():
    with pytest.raises(ValidationError) as error:
        process_upload(upload("bombe.png", png_header_only(40000, 40000)))
    assert error.value.code == "too_many_pixels"


def test_pillow_bomb_warning_counts_as_refusal(settings, monkeypatch):
    # Our own limit out of the way: Pillow's DecompressionBombWarning alone must refuse.
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_MAX_IMAGE_PIXELS": 10**12}
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000 * 1000)
    with pytest.raises(ValidationError) as error:
        process_upload(upload("bombe.png", png_header_only(1500, 1000)))
    assert error.value.code == "too_many_pixels"


def test_refusal_names_the_file_and_is_translated():
    from django.utils import translation

    with translation.override("de"), pytest.raises(ValidationError) as error:
        process_upload(fake_image("urlaub.jpg"))
    message = error.value.messages[0]
    assert "urlaub.jpg" in message
