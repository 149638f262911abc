"""Checking and re-encoding uploaded photos and PDFs before they are stored.

What the caller may rely on (``process_upload``):

- the type is decided by the content, never by the file name or the browser's content type:
  images must open in Pillow as JPEG, PNG, WebP (or HEIC/HEIF when ``pillow-heif`` is
  installed); PDFs must start with ``%PDF-``; anything else is refused;
- files over ``TICKET_MAX_UPLOAD_MB`` are refused without reading them whole; images with more
  than ``TICKET_MAX_IMAGE_PIXELS`` pixels (decompression bombs) are refused before decoding;
- checking and decoding are two steps (``check_upload``, then ``process_checked``): the check
  reads only the file's header and tells how many pixels decoding will produce
  (``CheckedUpload.pixels``), so a caller can refuse a batch that costs too much before
  decoding any of it (``tickets.inputs.process_attachments``);
- images are turned upright (EXIF orientation), shrunk to fit ``TICKET_IMAGE_MAX_SIZE`` and
  encoded anew (JPEG, or PNG for PNG input), so no EXIF/GPS/XMP metadata survives; a JPEG
  thumbnail of ``TICKET_THUMBNAIL_SIZE`` is made alongside;
- every refusal is a ``ValidationError`` with a translated message naming the file.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from ..core.conf import portal_settings

try:  # optional: iPhone photos (HEIC); Wagtail's Willow may bring pillow-heif along
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_AVAILABLE = False

PDF_MAGIC = b"%PDF-"
#: Pillow format names accepted as photos.
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"} | ({"HEIF"} if HEIF_AVAILABLE else set())
#: Extensions the file input suggests (the content decides anyway).
ACCEPT = (
    "image/jpeg,image/png,image/webp,image/heic,image/heif,application/pdf,.jpg,.jpeg,.png,.webp,.heic,.pdf"
)


@dataclass
class ProcessedFile:
    """A checked upload, ready to store. ``content``/``thumbnail`` are bytes."""

    kind: str  # "image" or "pdf"
    original_name: str
    content: bytes
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None

    @property
    def size(self):
        return len(self.content)


def display_name(uploaded):
    """The tenant's file name, shortened, for messages and the download name."""
    name = (getattr(uploaded, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:150] or _("file")


def _read_limited(uploaded, max_bytes):
    """All bytes of ``uploaded``, or None if there are more than ``max_bytes``."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        return None
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


@dataclass
class CheckedUpload:
    """An upload that passed the checks that need no decoding. ``pixels``: what decoding will
    produce (0 for a PDF; for a JPEG the reduced size libjpeg decodes at)."""

    kind: str  # "image" or "pdf"
    name: str
    data: bytes
    image: object = None  # a lazily opened PIL image (header read, nothing decoded)
    pixels: int = 0


def process_upload(uploaded):
    """Check and re-encode one upload (a Django ``UploadedFile`` or any object with ``name`` and
    ``read``); returns a ``ProcessedFile`` or raises ``ValidationError``."""
    return process_checked(check_upload(uploaded))


def check_upload(uploaded):
    """The checks of one upload that need no decoding: size, type by content, pixels from the
    header. Returns a ``CheckedUpload`` or raises ``ValidationError``."""
    name = display_name(uploaded)
    max_mb = portal_settings.TICKET_MAX_UPLOAD_MB
    data = _read_limited(uploaded, int(max_mb * 1024 * 1024))
    if data is None:
        raise ValidationError(
            _("%(name)s is larger than %(max)s MB."), code="too_large", params={"name": name, "max": max_mb}
        )
    if not data:
        raise ValidationError(_("%(name)s is empty."), code="empty", params={"name": name})
    if data.startswith(PDF_MAGIC):
        _check_pdf(name, data)
        return CheckedUpload(kind="pdf", name=name, data=data)
    image = _open_image(name, data)
    if image.format == "JPEG":
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers max_size: faster,
        # less memory. Only configures the decoder; the size it reports is what will be decoded.
        size = int(portal_settings.TICKET_IMAGE_MAX_SIZE)
        try:
            image.draft("RGB", (size, size))
        except Exception:  # a header Pillow read but cannot decode from
            raise _unsupported(name) from None
    return CheckedUpload(kind="image", name=name, data=data, image=image, pixels=image.width * image.height)


def process_checked(checked):
    """Decode and re-encode a ``CheckedUpload`` (PDFs are stored as sent); returns a
    ``ProcessedFile`` or raises ``ValidationError``."""
    if checked.kind == "pdf":
        return ProcessedFile(
            kind="pdf",
            original_name=checked.name,
            content=checked.data,
            content_type="application/pdf",
            extension="pdf",
        )
    return _process_image(checked.name, checked.image)


def _unsupported(name):
    return ValidationError(
        _("%(name)s is neither a photo (JPEG, PNG, WebP, HEIC) nor a PDF."),
        code="unsupported",
        params={"name": name},
    )


def _check_pdf(name, data):
    # Stored as sent: PDFs are downloaded (Content-Disposition: attachment, nosniff), never shown inline.
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("%(name)s is not a complete PDF file."), code="broken_pdf", params={"name": name}
        )


def _open_image(name, data):
    """The image opened lazily (header read only) after ``verify()``; refuses bombs and other formats."""
    max_pixels = portal_settings.TICKET_MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and fails above twice that: both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in IMAGE_FORMATS:
                raise _unsupported(name)
            width, height = probe.size
            if width * height > max_pixels:
                raise _too_many_pixels(name)
            probe.verify()
            image = Image.open(io.BytesIO(data))
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name) from None
        except Exception:  # Pillow raises many kinds for broken or foreign data
            raise _unsupported(name) from None
    return image


def _too_many_pixels(name):
    return ValidationError(
        _("%(name)s has too many pixels. Please send a smaller photo."),
        code="too_many_pixels",
        params={"name": name},
    )


def _process_image(name, image):
    source_format = image.format
    max_size = int(portal_settings.TICKET_IMAGE_MAX_SIZE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()  # the decoding: check_upload's pixels
            # Shrink first, then turn: the box is square, and turning the small image is cheaper.
            # Bicubic is indistinguishable from Lanczos at these factors and ~40 % faster.
            image.thumbnail((max_size, max_size), Image.Resampling.BICUBIC, reducing_gap=2.0)
            image = _upright(image)
            keep_png = source_format == "PNG"
            image = _normalise_mode(image, keep_alpha=keep_png)
            icc_profile = image.info.get("icc_profile")
            # Nothing of the original's metadata may be written back (EXIF with GPS, XMP, comments).
            image.info = {"icc_profile": icc_profile} if icc_profile else {}
            out = io.BytesIO()
            if keep_png:
                image.save(out, "PNG", optimize=False, icc_profile=icc_profile)
                content_type, extension = "image/png", "png"
            else:
                image.save(
                    out,
                    "JPEG",
                    quality=int(portal_settings.TICKET_JPEG_QUALITY),
                    optimize=True,  # ~5 % smaller for little time; progressive would cost twice as much
                    icc_profile=icc_profile,
                )
                content_type, extension = "image/jpeg", "jpg"
            thumbnail = _thumbnail(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name) from None
    except Exception:
        raise ValidationError(
            _("%(name)s could not be read as a photo. Is the file damaged?"),
            code="broken_image",
            params={"name": name},
        ) from None
    return ProcessedFile(
        kind="image",
        original_name=name,
        content=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
        thumbnail=thumbnail,
    )


def _upright(image):
    """``image`` turned as its EXIF orientation says (in place where Pillow supports it)."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
        return image
    except TypeError:  # Pillow < 9.4: no in_place
        return ImageOps.exif_transpose(image) or image


def _normalise_mode(image, *, keep_alpha):
    if keep_alpha:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert(
                "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
            )
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return _flatten(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _flatten(image):
    """Transparent pixels on white (JPEG has no alpha)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _thumbnail(image):
    size = int(portal_settings.TICKET_THUMBNAIL_SIZE)
    thumb = image.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if thumb.mode != "RGB":
        thumb = _flatten(thumb) if "A" in thumb.getbands() else thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
