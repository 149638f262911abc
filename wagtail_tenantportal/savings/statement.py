"""The annual account statement (Jahreskontoauszug) of a savings account, as PDF.

``build(account, year)`` collects the figures (four queries whatever the number of
bookings); ``render(statement)`` draws them with the company letterhead shared by every PDF
of the portal (``letterhead.py``): address of the first holder, opening balance on 1 January,
every booking of the year with its running balance, the totals by kind (deposits,
withdrawals, interest, withholding tax, fees) and the closing balance on 31 December (or
today, for the running year: an interim statement).

Opening balance: the ``balance_after`` of the last booking before the year; without one
(the account was opened in the year, or the export starts later), the balance before the
first booking of the year (its ``balance_after`` minus its amount). Closing balance: the
``balance_after`` of the last booking of the year, else the opening balance. These are the
ERP's own figures; the portal adds nothing up except the totals by kind.

The canvas is invariant: the same figures give the same bytes.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ..core.conf import portal_settings
from ..core.letterhead import (
    BLACK,
    FOOTER_TOP,
    GREY,
    INFO_LEFT,
    INFO_TOP,
    LEFT,
    LIGHT,
    SUBJECT_TOP,
    TEXT_WIDTH,
    Fonts,
    draw_address,
    draw_fold_marks,
    draw_footer,
    draw_letterhead,
    y,
)
from .models import ExemptionOrder, SavingsTransaction

ZERO = Decimal("0.00")


class StatementUnavailable(Exception):
    """There is no statement for this year (before the opening, after the closing, future)."""


@dataclass
class Statement:
    account: object
    year: int
    today: datetime.date
    start: datetime.date
    end: datetime.date
    interim: bool
    holders: list
    opening_balance: Decimal
    closing_balance: Decimal
    transactions: list
    totals: dict  # kind -> Decimal
    exemption_orders: list = field(default_factory=list)

    @property
    def filename(self):
        return f"Jahreskontoauszug_{self.account.number}_{self.year}.pdf"

    @property
    def interest(self):
        return self.totals.get(SavingsTransaction.Kind.INTEREST, ZERO)

    @property
    def tax(self):
        return self.totals.get(SavingsTransaction.Kind.TAX, ZERO)


def build(account, year, *, today=None):
    """The figures of ``account``'s statement for ``year``.

    Raises ``StatementUnavailable`` when ``year`` is not in ``account.statement_years()``.
    """
    today = today or timezone.localdate()
    if year not in account.statement_years(today):
        raise StatementUnavailable(year)
    start = datetime.date(year, 1, 1)
    end = datetime.date(year, 12, 31)
    interim = end > today and not (account.closed_on and account.closed_on <= today)
    transactions = list(account.transactions.filter(booking_date__range=(start, end)).chronological())
    before = (
        account.transactions.filter(booking_date__lt=start)
        .order_by("-booking_date", "-sequence", "-pk")
        .values_list("balance_after", flat=True)
        .first()
    )
    if before is not None:
        opening = before
    elif transactions:
        opening = transactions[0].balance_after - transactions[0].amount
    else:
        opening = ZERO
    closing = transactions[-1].balance_after if transactions else opening
    totals = {}
    for tx in transactions:
        totals[tx.kind] = totals.get(tx.kind, ZERO) + tx.amount
    holders = [link.party for link in account.account_holders.select_related("party").order_by("pk")]
    orders = list(
        ExemptionOrder.objects.filter(party__in=[h.pk for h in holders])
        .valid_in_year(year)
        .select_related("party", "partner")
        .order_by("party__last_name", "valid_from")
    )
    return Statement(
        account=account,
        year=year,
        today=today,
        start=start,
        end=min(end, today) if interim else end,
        interim=interim,
        holders=holders,
        opening_balance=opening,
        closing_balance=closing,
        transactions=transactions,
        totals=totals,
        exemption_orders=orders,
    )


def date_text(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def money(value):
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True) + " €"


def rate_text(value):
    """An interest rate with two decimals, three where the third is not zero (0,125 %)."""
    places = 3 if (value * 1000) % 10 else 2
    return formats.number_format(value, places, use_l10n=True) + " %"


# Row layout of the booking table (millimetres from LEFT).
_COLS = {"booking": 0, "value": 20, "text": 40, "amount": 140, "balance": TEXT_WIDTH}
_ROW = 4.6
_BOTTOM = FOOTER_TOP - 8


class _Pages:
    """Draws page by page: the first page with letterhead and address, the next ones with a
    short running head; every page with the footer and its number."""

    def __init__(self, canvas, fonts, statement):
        self.c, self.f, self.s = canvas, fonts, statement
        self.page = 1
        self.top = 0

    def first_page(self):
        c, f, s = self.c, self.f, self.s
        company = s.account.company
        draw_letterhead(c, f, company)
        draw_footer(c, f, company)
        draw_fold_marks(c)
        t = c.beginText()
        holder = s.holders[0] if s.holders else None
        lines = [*holder.letter_name_lines, *holder.address_lines] if holder else []
        draw_address(t, f, lines)
        info = [
            (_("Date"), date_text(s.today)),
            (_("Account number"), s.account.number),
            (_("Period"), f"{date_text(s.start)} – {date_text(s.end)}"),
        ]
        if company.phone:
            info.append((_("Phone"), company.phone))
        top = INFO_TOP
        for label, value in info:
            t.setFillColor(GREY)
            t.setTextOrigin(INFO_LEFT * mm, y(top))
            t.setFont(f.regular, 8)
            t.textOut(f.text(label))
            t.setFillColor(BLACK)
            t.setTextOrigin((INFO_LEFT + 28) * mm, y(top))
            t.setFont(f.regular, 9)
            t.textOut(f.text(value))
            top += 4.5
        c.drawText(t)
        self.top = SUBJECT_TOP

    def new_page(self):
        c, f, s = self.c, self.f, self.s
        self.page_number()
        c.showPage()
        self.page += 1
        draw_footer(c, f, s.account.company)
        c.setFont(f.bold, 10)
        c.setFillColor(BLACK)
        c.drawString(LEFT * mm, y(20), f.text(self.subject()))
        self.top = 30

    def page_number(self):
        self.c.setFont(self.f.regular, 8)
        self.c.setFillColor(GREY)
        self.c.drawRightString(
            (LEFT + TEXT_WIDTH) * mm, y(FOOTER_TOP - 3), self.f.text(_("Page %(page)d") % {"page": self.page})
        )
        self.c.setFillColor(BLACK)

    def need(self, height):
        if self.top + height > _BOTTOM:
            self.new_page()
            return True
        return False

    def subject(self):
        s = self.s
        if s.interim:
            return _("Interim statement %(year)s – savings account %(number)s") % {
                "year": s.year,
                "number": s.account.number,
            }
        return _("Annual statement %(year)s – savings account %(number)s") % {
            "year": s.year,
            "number": s.account.number,
        }


def render(statement):
    """The PDF (bytes) of ``statement``, A4, DIN 5008 form B, as many pages as needed."""
    out = io.BytesIO()
    fonts = Fonts(portal_settings.LETTER_FONTS)
    c = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    with translation.override(portal_settings.LETTER_LANGUAGE):
        pages = _Pages(c, fonts, statement)
        c.setTitle(fonts.text(pages.subject()))
        c.setAuthor(fonts.text(statement.account.company.display_name))
        c.setCreator("wagtail-tenantportal")
        pages.first_page()
        _draw_body(pages)
        pages.page_number()
    c.showPage()
    c.save()
    return out.getvalue()


def _draw_body(p):
    c, f, s = p.c, p.f, p.s
    account = s.account
    c.setFillColor(BLACK)
    c.setFont(f.bold, 11)
    c.drawString(LEFT * mm, y(p.top), f.text(p.subject()))
    p.top += 8
    rows = [
        (_("Account holders"), ", ".join(h.full_name for h in s.holders)),
        (_("Product"), account.product_name),
        (_("Interest rate"), _("%(rate)s per year") % {"rate": rate_text(account.interest_rate)}),
    ]
    if account.closed_on:
        rows.append((_("Closed on"), date_text(account.closed_on)))
    for label, value in rows:
        if not value:
            continue
        c.setFont(f.bold, 9.5)
        c.drawString(LEFT * mm, y(p.top), f.text(label))
        c.setFont(f.regular, 9.5)
        for line in simpleSplit(f.text(value), f.regular, 9.5, (TEXT_WIDTH - 45) * mm) or [""]:
            c.drawString((LEFT + 45) * mm, y(p.top), line)
            p.top += 4.8
    p.top += 3
    # Summary: opening balance, totals by kind, closing balance.
    kinds = [
        (SavingsTransaction.Kind.DEPOSIT, _("Deposits")),
        (SavingsTransaction.Kind.WITHDRAWAL, _("Withdrawals")),
        (SavingsTransaction.Kind.INTEREST, _("Interest credited")),
        (SavingsTransaction.Kind.TAX, _("Withholding tax and solidarity surcharge")),
        (SavingsTransaction.Kind.FEE, _("Fees")),
        (SavingsTransaction.Kind.OTHER, _("Other bookings")),
    ]
    summary = [(_("Balance on %(date)s") % {"date": date_text(s.start)}, money(s.opening_balance), False)]
    for kind, label in kinds:
        if kind in s.totals or kind in (SavingsTransaction.Kind.INTEREST,):
            summary.append((label, money(s.totals.get(kind, ZERO)), False))
    summary.append((_("Balance on %(date)s") % {"date": date_text(s.end)}, money(s.closing_balance), True))
    _band(p, _("Summary"), _("Amount"))
    for label, value, bold in summary:
        if bold:
            c.setStrokeColor(GREY)
            c.setLineWidth(0.4)
            c.line(LEFT * mm, y(p.top - 3.2), (LEFT + TEXT_WIDTH) * mm, y(p.top - 3.2))
        c.setFont(f.bold if bold else f.regular, 9.5)
        c.drawString((LEFT + 2) * mm, y(p.top), f.text(label))
        c.drawRightString((LEFT + TEXT_WIDTH - 2) * mm, y(p.top), f.text(value))
        p.top += 5
    p.top += 4
    # Bookings.
    p.need(20)
    _booking_head(p)
    if not s.transactions:
        c.setFont(f.regular, 9)
        c.drawString((LEFT + 2) * mm, y(p.top), f.text(_("No bookings in this period.")))
        p.top += _ROW
    for tx in s.transactions:
        text_lines = simpleSplit(f.text(tx.text or tx.get_kind_display()), f.regular, 8.5, 96 * mm)[:2]
        height = _ROW * max(1, len(text_lines))
        if p.need(height):
            _booking_head(p)
        c.setFont(f.regular, 8.5)
        c.drawString((LEFT + 2) * mm, y(p.top), date_text(tx.booking_date))
        c.drawString((LEFT + _COLS["value"] + 2) * mm, y(p.top), date_text(tx.value_date))
        for index, line in enumerate(text_lines):
            c.drawString((LEFT + _COLS["text"] + 2) * mm, y(p.top + index * _ROW), line)
        c.drawRightString((LEFT + _COLS["amount"]) * mm, y(p.top), f.text(money(tx.amount)))
        c.drawRightString((LEFT + _COLS["balance"] - 2) * mm, y(p.top), f.text(money(tx.balance_after)))
        p.top += height
    p.top += 4
    # Notes: exemption orders, the interim remark, the machine-made remark.
    notes = []
    for order in s.exemption_orders:
        params = {
            "name": order.party.full_name,
            "amount": money(order.amount),
            "start": date_text(order.valid_from),
            "end": date_text(order.valid_until),
        }
        if order.valid_until:
            text = _("Exemption order of %(name)s: %(amount)s, valid from %(start)s to %(end)s.") % params
        else:
            text = _("Exemption order of %(name)s: %(amount)s, valid from %(start)s until revoked.") % params
        if order.joint and order.partner_id:
            text += " " + _("Joint order with %(partner)s.") % {"partner": order.partner.full_name}
        elif order.joint:
            text += " " + _("Joint order with spouse or partner.")
        notes.append(text)
    if not s.exemption_orders:
        notes.append(_("No exemption order was on file for this year."))
    if s.interim:
        notes.append(
            _("The year is not over yet: this is an interim statement as of %(date)s.")
            % {"date": date_text(s.today)}
        )
    notes.append(
        _(
            "Please check this statement. It was generated electronically from our records and is "
            "valid without a signature. The annual tax certificate is sent separately."
        )
    )
    c.setFont(f.regular, 8.5)
    for note in notes:
        lines = simpleSplit(f.text(note), f.regular, 8.5, TEXT_WIDTH * mm)
        p.need(len(lines) * 4.2)
        c.setFont(f.regular, 8.5)
        for line in lines:
            c.drawString(LEFT * mm, y(p.top), line)
            p.top += 4.2
        p.top += 1.5


def _band(p, left, right):
    c, f = p.c, p.f
    c.setFillColor(LIGHT)
    c.rect(LEFT * mm, y(p.top + 3.8), TEXT_WIDTH * mm, 6 * mm, stroke=0, fill=1)
    c.setFillColor(BLACK)
    c.setFont(f.bold, 9.5)
    c.drawString((LEFT + 2) * mm, y(p.top + 2.3), f.text(left))
    c.drawRightString((LEFT + TEXT_WIDTH - 2) * mm, y(p.top + 2.3), f.text(right))
    p.top += 9


def _booking_head(p):
    c, f = p.c, p.f
    c.setFillColor(LIGHT)
    c.rect(LEFT * mm, y(p.top + 3.8), TEXT_WIDTH * mm, 6 * mm, stroke=0, fill=1)
    c.setFillColor(BLACK)
    c.setFont(f.bold, 8.5)
    top = p.top + 2.3
    c.drawString((LEFT + 2) * mm, y(top), f.text(_("Booked")))
    c.drawString((LEFT + _COLS["value"] + 2) * mm, y(top), f.text(_("Value date")))
    c.drawString((LEFT + _COLS["text"] + 2) * mm, y(top), f.text(_("Booking text")))
    c.drawRightString((LEFT + _COLS["amount"]) * mm, y(top), f.text(_("Amount")))
    c.drawRightString((LEFT + _COLS["balance"] - 2) * mm, y(top), f.text(_("Balance")))
    p.top += 9
