"""Reading document files: streamed, hashed, size-limited and checked to be PDFs.

Nothing here holds a whole file in memory: bytes are copied in chunks into a spooled
temporary file (memory up to ``SPOOL_MEMORY`` bytes, then disk) while the SHA-256 and the
size are computed, and only the first and last kilobyte are kept for the PDF check.
"""

import hashlib
import tempfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CHUNK = 64 * 1024
SPOOL_MEMORY = 1024 * 1024
#: A PDF starts with "%PDF-" within its first kilobyte and ends with "%%EOF" within its last.
PDF_HEADER = b"%PDF-"
PDF_EOF = b"%%EOF"
PDF_WINDOW = 1024


class DocumentRejected(Exception):
    """A file or a request cannot be published. ``message`` is translated and safe to show."""

    def __init__(self, message, code="invalid"):
        self.message = message
        self.code = code
        super().__init__(str(message))


@dataclass
class SpooledFile:
    """A copied file: ``file`` (rewound, caller closes it), ``sha256``, ``size``, ``head``, ``tail``."""

    file: object
    sha256: str
    size: int
    head: bytes
    tail: bytes

    def close(self):
        self.file.close()


def spool(source, *, limit, expected_size=None):
    """Copy the readable binary ``source`` into a temporary file, chunk by chunk.

    Raises ``DocumentRejected`` (code ``too_large``) as soon as more than ``limit`` bytes
    arrive, and (code ``size_mismatch``) when ``expected_size`` is given and the content is
    longer or shorter: a ZIP member that inflates beyond its declared size is refused
    without reading it to the end.
    """
    hasher = hashlib.sha256()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115  (returned to the caller)
    size = 0
    head = b""
    tail = b""
    ceiling = limit if expected_size is None else min(limit, expected_size)
    try:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > ceiling:
                if size > limit:
                    raise DocumentRejected(too_large_message(limit), code="too_large")
                raise DocumentRejected(
                    _("The file is longer than the ZIP file says: it is damaged or manipulated."),
                    code="size_mismatch",
                )
            hasher.update(chunk)
            out.write(chunk)
            if len(head) < PDF_WINDOW:
                head += chunk[: PDF_WINDOW - len(head)]
            tail = (tail + chunk)[-PDF_WINDOW:]
        if expected_size is not None and size != expected_size:
            raise DocumentRejected(
                _("The file is shorter than the ZIP file says: it is damaged."), code="size_mismatch"
            )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return SpooledFile(out, hasher.hexdigest(), size, head, tail)


def too_large_message(limit):
    return _("The file is larger than %(mb)s MB.") % {"mb": _format_mb(limit)}


def _format_mb(limit):
    mb = limit / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.1f}".rstrip("0").rstrip(".")


def check_pdf(spooled):
    """Raise ``DocumentRejected`` (code ``not_pdf``) unless the content looks like a whole PDF.

    Checks the signature at the start and the end-of-file marker at the end, so a renamed
    Word file, image or web page is refused, as is a PDF cut off during the upload.
    """
    if spooled.size == 0:
        raise DocumentRejected(_("The file is empty."), code="empty")
    if PDF_HEADER not in spooled.head:
        raise DocumentRejected(_("The file is not a PDF document (whatever its name says)."), code="not_pdf")
    if PDF_EOF not in spooled.tail:
        raise DocumentRejected(_("The PDF document is incomplete or damaged."), code="not_pdf")
