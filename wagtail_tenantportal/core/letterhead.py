"""The company letterhead on A4 pages, DIN 5008 form B: shared by every PDF the portal prints.

Registration letters (``accounts/letters.py``) and generated certificates
(``documents/certificates.py``) draw the same letterhead, footer, fold marks and address
field with these functions, on a ReportLab canvas.

Fonts: the PDF standard fonts (Helvetica, Courier) by default. They cover Windows-1252
only (German, most Western European names); other letters are transliterated (Ł -> L,
ş -> s). For full coverage set ``WAGTAIL_TENANTPORTAL["LETTER_FONTS"]`` to TrueType files:
``{"regular": ".../DejaVuSans.ttf", "bold": ".../DejaVuSans-Bold.ttf"}``.
"""

import logging
import unicodedata

from django.utils.translation import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A4

# Layout, DIN 5008 form B (millimetres from the top left corner of the page).
LEFT = 25
RIGHT = 20
TEXT_WIDTH = 210 - LEFT - RIGHT
ADDRESS_FIELD = (20, 45, 85, 45)  # left, top, width, height
ADDRESS_ZONE_TOP = 45 + 17.7  # below the 5-line zone for the return address and notes
INFO_LEFT = 125
INFO_TOP = 50
SUBJECT_TOP = 103.46
FOOTER_TOP = 272
FOLD_MARKS = (105, 210)
PUNCH_MARK = 148.5
PT = 25.4 / 72  # millimetres per point
BLACK = Color(0, 0, 0)
GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.93, 0.94, 0.96)


def y(top_mm):
    """Canvas y coordinate (points from the bottom) of ``top_mm`` millimetres from the top."""
    return PAGE_HEIGHT - top_mm * mm


def transliterate_cp1252(text):
    """``text`` with every character outside Windows-1252 replaced by a base letter or '?'."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        char = _SPECIAL.get(char, char)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


_SPECIAL = {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H", "ŀ": "l", "Ŀ": "L"}


class Fonts:
    """Font names for the canvas: the PDF standard fonts or the TrueType files configured."""

    def __init__(self, config=None):
        config = config or {}
        self.regular, self.bold, self.mono = "Helvetica", "Helvetica-Bold", "Courier-Bold"
        self.unicode = False
        if config:
            for attr, key in (("regular", "regular"), ("bold", "bold"), ("mono", "mono")):
                path = config.get(key)
                if path:
                    name = f"TenantPortal-{key}"
                    if name not in pdfmetrics.getRegisteredFontNames():
                        pdfmetrics.registerFont(TTFont(name, path))
                    setattr(self, attr, name)
            self.unicode = bool(config.get("regular"))

    def text(self, value):
        value = "" if value is None else str(value)
        return value if self.unicode else transliterate_cp1252(value)


def company_logo(company):
    """The company's logo as an ``ImageReader``, or None (no logo, SVG, or unreadable)."""
    if not company.logo_id:
        return None
    image = company.logo
    try:
        if getattr(image, "is_svg", lambda: False)():
            return None
        rendition = image.get_rendition("max-800x320|format-png")
        with rendition.file.open("rb") as fh:
            return ImageReader(fh)
    except Exception:  # a broken logo must not stop a print run
        logger.warning("Logo of company %s cannot be read; letters are printed without it.", company.pk)
        return None


def draw_letterhead(c, f, company):
    """Logo, company name and contact line at the top; the return address above the address field.

    ``c`` is the canvas, ``f`` the ``Fonts``.
    """
    logo = company_logo(company)
    if logo is not None:
        width, height = logo.getSize()
        max_w, max_h = 60 * mm, 24 * mm
        scale = min(max_w / width, max_h / height)
        w, h = width * scale, height * scale
        c.drawImage(logo, (210 - RIGHT) * mm - w, y(10) - h, w, h, mask="auto")
    c.setFillColor(BLACK)
    c.setFont(f.bold, 14)
    c.drawString(LEFT * mm, y(17), f.text(company.display_name))
    c.setFont(f.regular, 8.5)
    c.setFillColor(GREY)
    contact = [", ".join(company.address_lines)]
    if company.phone:
        contact.append(_("Phone %(phone)s") % {"phone": company.phone})
    if company.email:
        contact.append(company.email)
    if company.website:
        contact.append(company.website)
    top = 22.5
    for line in simpleSplit(f.text(" · ".join(part for part in contact if part)), f.regular, 8.5, 100 * mm):
        c.drawString(LEFT * mm, y(top), line)
        top += 3.8
    # Return address in the zone above the address (its lowest lines), small and underlined.
    lines, size = return_address(f, company, c.stringWidth)
    c.setFont(f.regular, size)
    c.setLineWidth(0.3)
    c.setStrokeColor(GREY)
    left = (ADDRESS_FIELD[0] + 5) * mm
    top = ADDRESS_ZONE_TOP - 3 - (len(lines) - 1) * size * 1.2 * PT
    for line in lines:
        c.drawString(left, y(top), line)
        underline = y(top) - 0.7 * mm
        c.line(left, underline, left + c.stringWidth(line, f.regular, size), underline)
        top += size * 1.2 * PT
    c.setFillColor(BLACK)


#: Width (mm) the return address may take: the address field less its margins of 5 mm.
RETURN_ADDRESS_WIDTH = ADDRESS_FIELD[2] - 10
#: Font sizes (pt) tried for the return address, largest first (DIN 5008: not below 6 pt).
RETURN_ADDRESS_SIZES = (7, 6.5, 6)


def return_address(f, company, string_width):
    """``(lines, size)``: the return address as it fits the address field, never cut off.

    The company's sender line, else its name and address (then its short name and address),
    at the largest size from 7 down to 6 pt that fits :data:`RETURN_ADDRESS_WIDTH`; if none
    does, the first of them on as many lines at 6 pt as it needs (the zone above the address
    holds five). ``string_width(text, font, size)`` measures (the canvas's ``stringWidth``).
    """
    address = [line for line in company.address_lines if line]
    candidates = [company.sender_line] if company.sender_line else []
    candidates.append(" · ".join([company.display_name, *address]))
    short = company.short_name or ""
    if short and short != company.display_name:
        candidates.append(" · ".join([short, *address]))
    candidates = [f.text(text) for text in candidates]
    limit = RETURN_ADDRESS_WIDTH * mm
    for text in candidates:
        for size in RETURN_ADDRESS_SIZES:
            if string_width(text, f.regular, size) <= limit:
                return [text], size
    size = RETURN_ADDRESS_SIZES[-1]
    return simpleSplit(candidates[0], f.regular, size, limit)[:5], size


def draw_footer(c, f, company):
    """Three footer columns: address, legal details (board, register, tax number), bank."""
    c.setStrokeColor(GREY)
    c.setLineWidth(0.4)
    c.line(LEFT * mm, y(FOOTER_TOP), (210 - RIGHT) * mm, y(FOOTER_TOP))
    columns = [
        [company.display_name, *company.address_lines],
        [
            _("Board: %(names)s") % {"names": company.management_board} if company.management_board else "",
            _("Chair of the supervisory board: %(name)s") % {"name": company.supervisory_board_chair}
            if company.supervisory_board_chair
            else "",
            " ".join(filter(None, [company.register_court, company.register_number])),
            _("Tax number: %(number)s") % {"number": company.tax_number} if company.tax_number else "",
        ],
        [
            company.bank_name,
            f"IBAN {company.iban_display}" if company.iban else "",
            f"BIC {company.bic}" if company.bic else "",
        ],
    ]
    col_width = TEXT_WIDTH / 3
    c.setFont(f.regular, 7)
    c.setFillColor(GREY)
    for index, lines in enumerate(columns):
        top = FOOTER_TOP + 4
        for line in lines:
            if not line:
                continue
            for part in simpleSplit(f.text(line), f.regular, 7, (col_width - 3) * mm):
                c.drawString((LEFT + index * col_width) * mm, y(top), part)
                top += 3.2
    c.setFillColor(BLACK)


def draw_fold_marks(c):
    """Fold marks for a DIN long envelope and the punch mark, at the left edge."""
    c.setStrokeColor(GREY)
    c.setLineWidth(0.3)
    for top in FOLD_MARKS:
        c.line(4 * mm, y(top), 8 * mm, y(top))
    c.line(4 * mm, y(PUNCH_MARK), 10 * mm, y(PUNCH_MARK))


def draw_address(t, f, lines):
    """The recipient's address in the address field, at most six lines, on text object ``t``.

    ``lines``: name lines, then address lines (see ``Party.letter_name_lines`` and
    ``address_lines``); they are passed through ``f.text``.
    """
    top = ADDRESS_ZONE_TOP + 3.5
    for value in list(lines)[:6]:
        t.setTextOrigin((ADDRESS_FIELD[0] + 5) * mm, y(top))
        t.setFont(f.regular, 10)
        t.textOut(f.text(value))
        top += 12 * PT
