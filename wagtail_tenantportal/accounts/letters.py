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
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ..core.conf import portal_settings
from ..core.letterhead import (  # noqa: F401  (layout names stay importable from here)
    ADDRESS_FIELD,
    ADDRESS_ZONE_TOP,
    BLACK,
    FOLD_MARKS,
    FOOTER_TOP,
    GREY,
    INFO_LEFT,
    INFO_TOP,
    LEFT,
    LIGHT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PT,
    PUNCH_MARK,
    RIGHT,
    SUBJECT_TOP,
    TEXT_WIDTH,
    Fonts,
    draw_address,
    draw_fold_marks,
    draw_footer,
    draw_letterhead,
)
from ..core.letterhead import transliterate_cp1252 as _transliterate_cp1252  # noqa: F401
from ..core.letterhead import y as _y
from . import codes

logger = logging.getLogger(__name__)

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


#: Height of the code box (mm).
_BOX_HEIGHT = 40


@dataclass
class _Layout:
    """Where the running text and the code box of one letter go (tops in mm from the top)."""

    size: float
    body_lines: list
    closing_lines: list
    body_top: float
    box_top: float
    closing_top: float


def _text_line(t, x_mm, top_mm, font, font_size, value):
    """One line of ``value`` into the text object ``t`` at ``x_mm`` / ``top_mm``."""
    t.setTextOrigin(x_mm * mm, _y(top_mm))
    t.setFont(font, font_size)
    t.textOut(value)


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

    def _draw_letterhead(self, company):
        draw_letterhead(self.canvas, self.fonts, company)

    def _draw_footer(self, company):
        draw_footer(self.canvas, self.fonts, company)

    def _draw_fold_marks(self):
        draw_fold_marks(self.canvas)

    # -- per letter ---------------------------------------------------------------------------

    def _company_texts(self, company):
        """Subject, body, closing, portal name and labels of a company, translated once."""
        texts = self._texts.get(company.pk)
        if texts is None:
            from ..core.adapter import get_adapter

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
        """One letter: company form, code box graphics, then all text in one text object
        (one BT/ET block per page is markedly faster)."""
        c = self.canvas
        company = letter.party.company
        c.doForm(self._company_form(company))
        texts = self._company_texts(company)
        values = self._values(letter, texts)
        layout = self._layout(texts, values)
        self._draw_code_box(letter, layout)
        t = c.beginText()
        t.setFillColor(BLACK)
        # Address field: name lines, then address lines (at most six lines fit).
        draw_address(t, self.fonts, [*self._name_lines(letter.party), *letter.party.address_lines])
        self._write_info(t, texts, letter.contract)
        subject = self.fonts.text(fill_placeholders(texts["subject"], values))
        _text_line(t, LEFT, SUBJECT_TOP, self.fonts.bold, 11, subject)
        self._text_lines(t, layout.body_lines, layout.size, layout.body_top, FOOTER_TOP)
        self._write_code_box(t, texts, values, layout.box_top)
        self._text_lines(t, layout.closing_lines, layout.size, layout.closing_top, FOOTER_TOP - 4)
        c.drawText(t)

    def _values(self, letter, texts):
        """The placeholder values of ``letter`` (see ``PLACEHOLDERS``)."""
        party, company = letter.party, letter.party.company
        return {
            "salutation": salutation(party),
            "name": party.full_name,
            "portal_name": texts["portal_name"],
            "portal_url": letter.url,
            "code": codes.format_code(letter.code),
            "contract_number": letter.contract.number,
            "valid_until": self._date(letter.valid_until),
            "company_name": company.display_name,
        }

    def _layout(self, texts, values):
        """Lay out the running text first: long texts get a smaller size, never a second page."""
        body = fill_placeholders(texts["body"], values)
        closing = fill_placeholders(texts["closing"], values)
        available = FOOTER_TOP - 6 - (SUBJECT_TOP + 8.5) - _BOX_HEIGHT - 8
        size = 10
        while True:
            body_lines, closing_lines = self._wrap(body, size), self._wrap(closing, size)
            if (len(body_lines) + len(closing_lines)) * size * PT * 1.35 <= available or size <= 8:
                break
            size -= 0.5
        line_height = size * 1.35 * PT
        body_top = SUBJECT_TOP + 8.5
        box_top = body_top + len(body_lines) * line_height + 3
        return _Layout(
            size=size,
            body_lines=body_lines,
            closing_lines=closing_lines,
            body_top=body_top,
            box_top=box_top,
            closing_top=box_top + _BOX_HEIGHT + 6,
        )

    def _draw_code_box(self, letter, layout):
        """The graphics of the code box: its background and the QR code."""
        c = self.canvas
        c.setFillColor(LIGHT)
        c.roundRect(
            LEFT * mm,
            _y(layout.box_top + _BOX_HEIGHT),
            TEXT_WIDTH * mm,
            _BOX_HEIGHT * mm,
            2 * mm,
            stroke=0,
            fill=1,
        )
        c.saveState()
        c.translate((LEFT + TEXT_WIDTH - 5 - 30) * mm, _y(layout.box_top + 5 + 30))
        c.doForm(self._qr_form(letter.url))
        c.restoreState()

    def _write_info(self, t, texts, contract):
        """The information block: date, contract number, contact."""
        f = self.fonts
        top = INFO_TOP
        for label, value in texts["info"]:
            t.setFillColor(GREY)
            _text_line(t, INFO_LEFT, top, f.regular, 8, label)
            t.setFillColor(BLACK)
            shown = value if value is not None else f.text(contract.number)
            _text_line(t, INFO_LEFT + 28, top, f.regular, 9, shown)
            top += 4.5

    def _write_code_box(self, t, texts, values, box_top):
        """The text of the code box: label, code, and contract number, validity and address;
        a value too wide for its column gets a smaller size."""
        c, f = self.canvas, self.fonts
        x = LEFT + 5
        _text_line(t, x, box_top + 7, f.regular, 9, texts["code_label"])
        _text_line(t, x, box_top + 16.5, f.mono, 22, values["code"])
        row_top = box_top + 24
        value_width = (TEXT_WIDTH - 5 - 32 - 30 - 8) * mm
        for label, value in zip(
            texts["rows"],
            (values["contract_number"], values["valid_until"], values["portal_url"]),
            strict=True,
        ):
            _text_line(t, x, row_top, f.regular, 9, label)
            value, value_size = f.text(value), 9
            while value_size > 6 and c.stringWidth(value, f.bold, value_size) > value_width:
                value_size -= 0.5
            _text_line(t, x + 32, row_top, f.bold, value_size, value)
            row_top += 4.5

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
