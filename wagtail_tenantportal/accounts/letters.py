"""Registration letters: one A4 page per party, DIN 5008 form B, for a window envelope.

Drawn with the ReportLab canvas (not platypus): a page is a fixed layout, and the canvas is
several times faster. What is the same on every page of a company (letterhead, footer,
fold marks) is drawn once into a PDF form XObject and referenced from each page; so is the
QR code of each distinct registration address. 10,000 letters stay a few MB and render at
well over 300 letters per second (see ``bench/letters_bench.py``).

The renderer never sees a stored code: the caller passes the plain code it has just
issued (``services.issue_letters``) and it leaves the process only inside the PDF.

Fonts: the PDF standard fonts (Helvetica, Courier) by default. They cover Windows-1252
only (German, most Western European names); other letters are transliterated (Ł -> L,
ş -> s). For full coverage set ``WAGTAIL_TENANTPORTAL["LETTER_FONTS"]`` to TrueType files:
``{"regular": ".../DejaVuSans.ttf", "bold": ".../DejaVuSans-Bold.ttf"}``.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..conf import portal_settings
from . import codes

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A4

#: Placeholders the subject, letter text and closing may use.
PLACEHOLDERS = {
    "salutation": gettext_lazy("Salutation line, e.g. 'Sehr geehrte Frau Muster,'"),
    "name": gettext_lazy("Full name of the party"),
    "portal_name": gettext_lazy("Name of the portal"),
    "portal_url": gettext_lazy("Address of the registration page"),
    "code": gettext_lazy("The registration code"),
    "contract_number": gettext_lazy("Contract number"),
    "valid_until": gettext_lazy("Date until which the code is valid"),
    "company_name": gettext_lazy("Name of the company"),
}

DEFAULT_SUBJECT = gettext_lazy("Your access to our {portal_name}")
DEFAULT_BODY = gettext_lazy(
    "{salutation}\n\n"
    "with our {portal_name} you can reach us online at any time: report damage, write to us and find "
    "your documents and contract details in one place.\n\n"
    "To register, please visit {portal_url} or scan the QR code below. You need your contract number "
    "{contract_number} and your personal registration code. The code can be used once and is valid "
    "until {valid_until}."
)
DEFAULT_CLOSING = gettext_lazy(
    "Please keep this letter in a safe place and do not pass the code on. If you have any questions, "
    "we will be glad to help.\n\nKind regards\n\n{company_name}"
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def unknown_placeholders(text):
    """Names in braces in ``text`` that are not in ``PLACEHOLDERS`` (sorted, unique)."""
    return sorted({name for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def fill_placeholders(text, values):
    """Replace ``{name}`` by ``values[name]``; unknown names stay as they are.

    A plain substitution, not ``str.format``: staff edit the text, and format strings can
    reach attributes of the values.
    """
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), str(text))


def salutation(party):
    """The salutation line for ``party`` in the active language (with trailing comma)."""
    from ..tenancy.models import Party

    name = " ".join(part for part in (party.title, party.last_name) if part)
    if party.salutation == Party.Salutation.MS:
        return _("Dear Ms %(name)s,") % {"name": name}
    if party.salutation == Party.Salutation.MR:
        return _("Dear Mr %(name)s,") % {"name": name}
    if party.salutation == Party.Salutation.FAMILY:
        return _("Dear %(name)s family,") % {"name": party.last_name}
    if party.salutation == Party.Salutation.COMPANY or party.kind == Party.Kind.ORGANISATION:
        return _("Dear Sir or Madam,")
    return _("Hello %(name)s,") % {"name": party.full_name}


@dataclass
class Letter:
    """What one page needs. ``party`` needs ``company`` loaded (select_related)."""

    party: object
    contract: object
    code: str
    valid_until: datetime | date
    url: str


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


def _y(top_mm):
    return PAGE_HEIGHT - top_mm * mm


def _transliterate_cp1252(text):
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
        return value if self.unicode else _transliterate_cp1252(value)


class LetterRenderer:
    """Draws letters into one PDF, page by page. Use as a context manager or call ``close``.

    ``out`` is a path or a binary file object; the PDF is written when the renderer closes.
    ``letter_settings`` maps company id to ``CompanyLetterSettings`` (missing: defaults).
    """

    def __init__(self, out, *, letter_settings=None, today=None, language=None, title=None):
        self.out = out
        self.letter_settings = {} if letter_settings is None else letter_settings
        self.language = language or portal_settings.LETTER_LANGUAGE
        self.today = today or timezone.localdate()
        self.fonts = Fonts(portal_settings.LETTER_FONTS)
        self.canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=0)
        self.canvas.setTitle(title or "Registration letters")
        self.canvas.setCreator("wagtail-tenantportal")
        self._company_forms = {}
        self._qr_forms = {}
        self._texts = {}
        self._dates = {}
        self._wrapped = {}
        self._salutation_labels = {}
        self.pages = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()

    def close(self):
        """Write the PDF. An empty batch still gives a valid (one blank page) PDF."""
        self.canvas.save()

    def add(self, letter):
        with translation.override(self.language):
            self._draw(letter)
        self.canvas.showPage()
        self.pages += 1

    # -- per company and per address, drawn once -----------------------------------------

    def _company_form(self, company):
        name = self._company_forms.get(company.pk)
        if name is None:
            name = f"company{company.pk}"
            c = self.canvas
            c.beginForm(name)
            self._draw_letterhead(company)
            self._draw_footer(company)
            self._draw_fold_marks()
            c.endForm()
            self._company_forms[company.pk] = name
        return name

    def _qr_form(self, url):
        name = self._qr_forms.get(url)
        if name is None:
            name = f"qr{len(self._qr_forms)}"
            size = 30 * mm
            widget = QrCodeWidget(url, barLevel="M", barBorder=0, barWidth=size, barHeight=size)
            drawing = Drawing(size, size)
            drawing.add(widget)
            c = self.canvas
            c.beginForm(name, lowerx=0, lowery=0, upperx=size, uppery=size)
            renderPDF.draw(drawing, c, 0, 0)
            c.endForm()
            self._qr_forms[url] = name
        return name

    def _logo(self, company):
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

    def _draw_letterhead(self, company):
        c, f = self.canvas, self.fonts
        logo = self._logo(company)
        if logo is not None:
            width, height = logo.getSize()
            max_w, max_h = 60 * mm, 24 * mm
            scale = min(max_w / width, max_h / height)
            w, h = width * scale, height * scale
            c.drawImage(logo, (210 - RIGHT) * mm - w, _y(10) - h, w, h, mask="auto")
        c.setFillColor(BLACK)
        c.setFont(f.bold, 14)
        c.drawString(LEFT * mm, _y(17), f.text(company.display_name))
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
        for line in simpleSplit(
            f.text(" · ".join(part for part in contact if part)), f.regular, 8.5, 100 * mm
        ):
            c.drawString(LEFT * mm, _y(top), line)
            top += 3.8
        # Return address in the zone above the address (its lowest line), small and underlined.
        sender = company.sender_line or " · ".join([company.display_name, *company.address_lines])
        c.setFont(f.regular, 7)
        left, field_top, width, _height = ADDRESS_FIELD
        sender = f.text(sender)
        while c.stringWidth(sender, f.regular, 7) > (width - 10) * mm and len(sender) > 10:
            sender = sender[:-2] + "…" if f.unicode else sender[:-4] + "..."
        c.drawString((left + 5) * mm, _y(ADDRESS_ZONE_TOP - 3), sender)
        c.setLineWidth(0.3)
        c.setStrokeColor(GREY)
        text_width = c.stringWidth(sender, f.regular, 7)
        c.line(
            (left + 5) * mm,
            _y(ADDRESS_ZONE_TOP - 2.3),
            (left + 5) * mm + text_width,
            _y(ADDRESS_ZONE_TOP - 2.3),
        )
        c.setFillColor(BLACK)

    def _draw_footer(self, company):
        c, f = self.canvas, self.fonts
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.line(LEFT * mm, _y(FOOTER_TOP), (210 - RIGHT) * mm, _y(FOOTER_TOP))
        columns = [
            [company.display_name, *company.address_lines],
            [
                _("Board: %(names)s") % {"names": company.management_board}
                if company.management_board
                else "",
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
                    c.drawString((LEFT + index * col_width) * mm, _y(top), part)
                    top += 3.2
        c.setFillColor(BLACK)

    def _draw_fold_marks(self):
        c = self.canvas
        c.setStrokeColor(GREY)
        c.setLineWidth(0.3)
        for top in FOLD_MARKS:
            c.line(4 * mm, _y(top), 8 * mm, _y(top))
        c.line(4 * mm, _y(PUNCH_MARK), 10 * mm, _y(PUNCH_MARK))

    # -- per letter ---------------------------------------------------------------------------

    def _company_texts(self, company):
        """Subject, body, closing, portal name and labels of a company, translated once."""
        texts = self._texts.get(company.pk)
        if texts is None:
            from ..adapter import get_adapter

            settings = self.letter_settings.get(company.pk)
            texts = {
                "subject": str((settings and settings.subject) or DEFAULT_SUBJECT),
                "body": str((settings and settings.body) or DEFAULT_BODY),
                "closing": str((settings and settings.closing) or DEFAULT_CLOSING),
                "portal_name": get_adapter().portal_name(company),
                "info": [
                    (self.fonts.text(label), None if value is None else self.fonts.text(value))
                    for label, value in (
                        (_("Date"), formats.date_format(self.today, "SHORT_DATE_FORMAT")),
                        (_("Contract number"), None),
                        (_("Phone"), company.phone),
                        (_("Email"), company.email),
                    )
                    if value != ""
                ],
                "code_label": self.fonts.text(_("Your personal registration code")),
                "rows": [
                    self.fonts.text(label) + ":"
                    for label in (_("Contract number"), _("Valid until"), _("Register at"))
                ],
            }
            self._texts[company.pk] = texts
        return texts

    def _date(self, value):
        if isinstance(value, datetime):
            value = timezone.localtime(value).date()
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = formats.date_format(value, "SHORT_DATE_FORMAT")
        return text

    def _name_lines(self, party):
        """``Party.letter_name_lines`` with the salutation label translated once per renderer.

        (``get_salutation_display`` translates on every call; at 10,000 letters that shows.)
        """
        label = self._salutation_labels.get(party.salutation)
        if label is None:
            label = self._salutation_labels[party.salutation] = (
                str(party.get_salutation_display()) if party.salutation else ""
            )
        return [line for line in (label, party.full_name, party.name_addition) if line]

    def _draw(self, letter):
        c, f = self.canvas, self.fonts
        party, contract = letter.party, letter.contract
        company = party.company
        c.doForm(self._company_form(company))
        texts = self._company_texts(company)
        values = {
            "salutation": salutation(party),
            "name": party.full_name,
            "portal_name": texts["portal_name"],
            "portal_url": letter.url,
            "code": codes.format_code(letter.code),
            "contract_number": contract.number,
            "valid_until": self._date(letter.valid_until),
            "company_name": company.display_name,
        }

        # Lay out the running text first: long texts get a smaller size, never a second page.
        body = fill_placeholders(texts["body"], values)
        closing = fill_placeholders(texts["closing"], values)
        box_height = 40
        available = FOOTER_TOP - 6 - (SUBJECT_TOP + 8.5) - box_height - 8
        size = 10
        while True:
            body_lines, closing_lines = self._wrap(body, size), self._wrap(closing, size)
            if (len(body_lines) + len(closing_lines)) * size * PT * 1.35 <= available or size <= 8:
                break
            size -= 0.5
        line_height = size * 1.35 * PT
        body_top = SUBJECT_TOP + 8.5
        box_top = body_top + len(body_lines) * line_height + 3
        closing_top = box_top + box_height + 6

        # Graphics: the code box and its QR code.
        c.setFillColor(LIGHT)
        c.roundRect(
            LEFT * mm, _y(box_top + box_height), TEXT_WIDTH * mm, box_height * mm, 2 * mm, stroke=0, fill=1
        )
        c.saveState()
        c.translate((LEFT + TEXT_WIDTH - 5 - 30) * mm, _y(box_top + 5 + 30))
        c.doForm(self._qr_form(letter.url))
        c.restoreState()

        # All text in one text object (one BT/ET block per page is markedly faster).
        t = c.beginText()
        t.setFillColor(BLACK)

        def line(x_mm, top_mm, font, font_size, value):
            t.setTextOrigin(x_mm * mm, _y(top_mm))
            t.setFont(font, font_size)
            t.textOut(value)

        # Address field: name lines, then address lines (at most six lines fit).
        top = ADDRESS_ZONE_TOP + 3.5
        for value in [*self._name_lines(party), *party.address_lines][:6]:
            line(ADDRESS_FIELD[0] + 5, top, f.regular, 10, f.text(value))
            top += 12 * PT

        # Information block: date, contract number, contact.
        top = INFO_TOP
        for label, value in texts["info"]:
            t.setFillColor(GREY)
            line(INFO_LEFT, top, f.regular, 8, label)
            t.setFillColor(BLACK)
            line(INFO_LEFT + 28, top, f.regular, 9, value if value is not None else f.text(contract.number))
            top += 4.5

        line(LEFT, SUBJECT_TOP, f.bold, 11, f.text(fill_placeholders(texts["subject"], values)))
        self._text_lines(t, body_lines, size, body_top, FOOTER_TOP)

        # Code box text.
        x = LEFT + 5
        line(x, box_top + 7, f.regular, 9, texts["code_label"])
        line(x, box_top + 16.5, f.mono, 22, values["code"])
        row_top = box_top + 24
        value_width = (TEXT_WIDTH - 5 - 32 - 30 - 8) * mm
        for label, value in zip(
            texts["rows"],
            (values["contract_number"], values["valid_until"], values["portal_url"]),
            strict=True,
        ):
            line(x, row_top, f.regular, 9, label)
            value, value_size = f.text(value), 9
            while value_size > 6 and c.stringWidth(value, f.bold, value_size) > value_width:
                value_size -= 0.5
            line(x + 32, row_top, f.bold, value_size, value)
            row_top += 4.5

        self._text_lines(t, closing_lines, size, closing_top, FOOTER_TOP - 4)
        c.drawText(t)

    def _text_lines(self, t, lines, size, top, limit):
        """Lines from ``top`` (mm) downwards, stopping above ``limit`` (the footer)."""
        leading = size * 1.35
        t.setTextOrigin(LEFT * mm, _y(top + size * PT))
        t.setFont(self.fonts.regular, size, leading=leading)
        for value in lines:
            if top + leading * PT > limit:
                break  # never into the footer; staff see this in the preview
            t.textLine(value)
            top += leading * PT

    def _wrap(self, text, size):
        """Lines of ``text`` at ``size``; paragraphs repeated across letters are wrapped once."""
        f, cache = self.fonts, self._wrapped
        lines = []
        for paragraph in text.replace("\r\n", "\n").split("\n"):
            if not paragraph.strip():
                lines.append("")
                continue
            key = (paragraph, size)
            wrapped = cache.get(key)
            if wrapped is None:
                if len(cache) > 1000:
                    cache.clear()
                wrapped = cache[key] = simpleSplit(f.text(paragraph), f.regular, size, TEXT_WIDTH * mm)
            lines.extend(wrapped)
        return lines


def render_letters(letters, out, **kwargs):
    """Render an iterable of ``Letter`` into ``out`` (path or binary file); return the page count."""
    with LetterRenderer(out, **kwargs) as renderer:
        for letter in letters:
            renderer.add(letter)
    return renderer.pages
