"""Self-service certificates drawn from contract data, with the company letterhead.

- Rent certificate (Mietbescheinigung): tenants, flat, living area, start of the tenancy and
  the current monthly rent by component, as authorities (Wohngeld, Jobcenter) ask for it.
- Landlord confirmation (Wohnungsgeberbestätigung, § 19 BMG): the landlord's name and
  address, move-in or move-out and its date, the address of the flat and the names of the
  persons obliged to register (the parties named on the contract; other members of the
  household are confirmed by staff on request).

``build`` checks that the contract qualifies and collects the content (raising
``DocumentRejected`` with the reason); ``render`` draws the PDF. The canvas is invariant:
the same content gives the same bytes, so a certificate asked for twice on one day is the
same document. ``render_print_list`` draws the cover list of a paper-post print batch.
"""

import io
from dataclasses import dataclass, field

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from ..tenancy.models import Contract, Party, Unit
from .files import DocumentRejected

RENT_CERTIFICATE = "rent_certificate"
LANDLORD_CONFIRMATION = "landlord_confirmation"
MOVE_IN = "move_in"
MOVE_OUT = "move_out"

KINDS = {
    RENT_CERTIFICATE: gettext_lazy("Rent certificate"),
    LANDLORD_CONFIRMATION: gettext_lazy("Landlord confirmation (§ 19 BMG)"),
}
EVENTS = {MOVE_IN: gettext_lazy("Move in"), MOVE_OUT: gettext_lazy("Move out")}


@dataclass
class Certificate:
    """What one certificate shows; ``rows`` are (label, value) pairs, ``table`` money rows."""

    kind: str
    contract: object
    title: str
    subject: str
    filename: str
    recipient_lines: list
    info: list
    intro: str
    rows: list
    table: list = field(default_factory=list)
    table_total: tuple | None = None
    notes: list = field(default_factory=list)


def _date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _money(value):
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True) + " €"


def _persons(contract):
    """Parties named on the contract who are people (main tenant first)."""
    links = contract.contract_parties.select_related("party").order_by("role", "pk")
    return [link.party for link in links if link.party.kind != Party.Kind.ORGANISATION]


def _flat_lines(contract):
    unit = contract.unit
    prop = unit.property
    lines = [line for line in (prop.street, prop.address_addition) if line]
    lines.append(f"{prop.postal_code} {prop.city}".strip())
    detail = ", ".join(
        part
        for part in (
            _("Unit %(number)s") % {"number": unit.number} if unit.number else "",
            unit.floor,
        )
        if part
    )
    return lines, detail


def eligible_kinds(contract, today):
    """``{kind: [events]}`` this contract can produce now (empty: none)."""
    result = {}
    if contract.kind != Contract.Kind.RENTAL or contract.unit_id is None:
        return result
    current = contract.status != Contract.Status.ENDED and (
        contract.end_date is None or contract.end_date >= today
    )
    if current and contract.current_rent_components(today):
        result[RENT_CERTIFICATE] = []
    if contract.unit.kind == Unit.Kind.FLAT:
        events = []
        if contract.start_date:
            events.append(MOVE_IN)
        if contract.end_date:
            events.append(MOVE_OUT)
        if events:
            result[LANDLORD_CONFIRMATION] = events
    return result


def build(contract, kind, *, event=None, today, party=None):
    """The content of a certificate of ``kind`` for ``contract`` on ``today``, addressed to
    ``party`` (the tenant who asked for it; default: the first tenant named on the contract).

    Raises ``DocumentRejected`` when the contract cannot have it (not a rental contract of
    a flat, no current rent, no move-in date, …).
    """
    # Messages in the language of the request; the certificate in the letter language.
    if kind not in KINDS:
        raise DocumentRejected(_("This certificate cannot be generated."), code="kind")
    eligible = eligible_kinds(contract, today)
    if kind not in eligible:
        raise DocumentRejected(
            _(
                "This certificate cannot be generated for contract %(number)s. Please request it "
                "from us; we will send it to you."
            )
            % {"number": contract.number},
            code="not_eligible",
        )
    if kind == LANDLORD_CONFIRMATION:
        event = event or MOVE_IN
        if event not in eligible[kind]:
            raise DocumentRejected(
                _("The contract has no date for this event; please request the confirmation from us."),
                code="not_eligible",
            )
    if not _persons(contract):
        raise DocumentRejected(
            _("No tenant is named on contract %(number)s; please request the certificate from us.")
            % {"number": contract.number},
            code="not_eligible",
        )
    with translation.override(portal_settings.LETTER_LANGUAGE):
        if kind == LANDLORD_CONFIRMATION:
            return _landlord_confirmation(contract, event, today, party)
        return _rent_certificate(contract, today, party)


def _common(contract, today, party=None):
    persons = _persons(contract)
    flat, detail = _flat_lines(contract)
    # Addressed to the tenant who asked for it, never to a co-tenant in their place.
    addressee = party if party is not None else persons[0]
    recipient = [*addressee.letter_name_lines, *flat]
    info = [(_("Date"), _date(today)), (_("Contract number"), contract.number)]
    company = contract.company
    if company.phone:
        info.append((_("Phone"), company.phone))
    if company.email:
        info.append((_("Email"), company.email))
    return persons, flat, detail, recipient, info


def _rent_certificate(contract, today, party=None):
    persons, flat, detail, recipient, info = _common(contract, today, party)
    unit = contract.unit
    components = contract.current_rent_components(today)
    rows = [
        (_("Tenants"), ", ".join(p.full_name for p in persons)),
        (_("Rented flat"), ", ".join([*flat, detail] if detail else flat)),
    ]
    if unit.living_area:
        rows.append((_("Living area"), formats.number_format(unit.living_area, 2, use_l10n=True) + " m²"))
    if unit.rooms:
        rows.append((_("Rooms"), formats.number_format(unit.rooms, 1, use_l10n=True)))
    rows.append((_("Tenancy since"), _date(contract.start_date) or _("not on file")))
    if contract.end_date:
        rows.append((_("Tenancy ends on"), _date(contract.end_date)))
    table = [
        (c.label, _("since %(date)s") % {"date": _date(c.valid_from)}, _money(c.amount)) for c in components
    ]
    total = sum((c.amount for c in components), start=0)
    title = _("Rent certificate %(date)s") % {"date": _date(today)}
    return Certificate(
        kind=RENT_CERTIFICATE,
        contract=contract,
        title=title,
        subject=_("Rent certificate"),
        filename=f"Mietbescheinigung_{contract.number}_{today:%Y-%m-%d}.pdf",
        recipient_lines=recipient,
        info=info,
        intro=_("We confirm the following tenancy with us and the monthly rent payable as of %(date)s.")
        % {"date": _date(today)},
        rows=rows,
        table=table,
        table_total=(_("Total monthly rent"), _money(total)),
        notes=[
            _(
                "This certificate was generated electronically from our records and is valid without a signature."
            ),
        ],
    )


def _landlord_confirmation(contract, event, today, party=None):
    persons, flat, detail, recipient, info = _common(contract, today, party)
    company = contract.company
    date = contract.start_date if event == MOVE_IN else contract.end_date
    rows = [
        (_("Landlord"), ", ".join([company.display_name, *company.address_lines])),
        (_("Owner of the flat"), _("The landlord is the owner of the flat.")),
        (_("Event"), f"{EVENTS[event]} ({_('date')}: {_date(date)})"),
        (_("Address of the flat"), ", ".join([*flat, detail] if detail else flat)),
        (_("Persons obliged to register"), "\n".join(p.full_name for p in persons)),
    ]
    title = _("Landlord confirmation (%(event)s %(date)s)") % {"event": EVENTS[event], "date": _date(date)}
    return Certificate(
        kind=LANDLORD_CONFIRMATION,
        contract=contract,
        title=title,
        subject=_("Landlord confirmation according to § 19 of the Federal Registration Act (BMG)"),
        filename=f"Wohnungsgeberbestaetigung_{contract.number}_{date:%Y-%m-%d}.pdf",
        recipient_lines=recipient,
        info=info,
        intro=(
            _("We confirm the move into the flat named below.")
            if event == MOVE_IN
            else _("We confirm the move out of the flat named below.")
        ),
        rows=rows,
        notes=[
            _(
                "Please hand this confirmation to the registration office within two weeks of moving "
                "in or out. Other members of the household who move in with you are confirmed by us "
                "on request."
            ),
            _(
                "Note: it is forbidden to offer or provide a dwelling address for a registration to a "
                "third party who does not actually move in or intend to (§ 19 (6) BMG). Violations can "
                "be punished with a fine of up to 50,000 euros (§ 54 BMG)."
            ),
            _(
                "This confirmation was generated electronically from our records and is valid without a signature."
            ),
        ],
    )


def render(certificate):
    """The PDF of ``certificate`` (bytes): one A4 page, DIN 5008 form B."""
    out = io.BytesIO()
    fonts = Fonts(portal_settings.LETTER_FONTS)
    c = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    company = certificate.contract.company
    with translation.override(portal_settings.LETTER_LANGUAGE):
        c.setTitle(fonts.text(certificate.title))
        c.setAuthor(fonts.text(company.display_name))
        c.setCreator("wagtail-tenantportal")
        draw_letterhead(c, fonts, company)
        draw_footer(c, fonts, company)
        draw_fold_marks(c)
        t = c.beginText()
        draw_address(t, fonts, certificate.recipient_lines)
        top = INFO_TOP
        for label, value in certificate.info:
            t.setFillColor(GREY)
            t.setTextOrigin(INFO_LEFT * mm, y(top))
            t.setFont(fonts.regular, 8)
            t.textOut(fonts.text(label))
            t.setFillColor(BLACK)
            t.setTextOrigin((INFO_LEFT + 28) * mm, y(top))
            t.setFont(fonts.regular, 9)
            t.textOut(fonts.text(value))
            top += 4.5
        c.drawText(t)
        _draw_body(c, fonts, certificate)
    c.showPage()
    c.save()
    return out.getvalue()


def _draw_body(c, f, cert):
    c.setFillColor(BLACK)
    c.setFont(f.bold, 11)
    for line in simpleSplit(f.text(cert.subject), f.bold, 11, TEXT_WIDTH * mm):
        c.drawString(LEFT * mm, y(SUBJECT_TOP), line)
    top = SUBJECT_TOP + 9
    c.setFont(f.regular, 10)
    for line in simpleSplit(f.text(cert.intro), f.regular, 10, TEXT_WIDTH * mm):
        c.drawString(LEFT * mm, y(top), line)
        top += 5
    top += 3
    label_width = 50
    for label, value in cert.rows:
        c.setFont(f.bold, 9.5)
        c.drawString(LEFT * mm, y(top), f.text(label))
        c.setFont(f.regular, 9.5)
        lines = []
        for paragraph in str(value).split("\n"):
            lines += simpleSplit(f.text(paragraph), f.regular, 9.5, (TEXT_WIDTH - label_width) * mm)
        for line in lines or [""]:
            c.drawString((LEFT + label_width) * mm, y(top), line)
            top += 4.8
        top += 1.2
    if cert.table:
        top += 3
        c.setFillColor(LIGHT)
        c.rect(LEFT * mm, y(top + 3.8), TEXT_WIDTH * mm, 6 * mm, stroke=0, fill=1)
        c.setFillColor(BLACK)
        c.setFont(f.bold, 9.5)
        c.drawString((LEFT + 2) * mm, y(top + 2.3), f.text(_("Monthly rent")))
        c.drawRightString((LEFT + TEXT_WIDTH - 2) * mm, y(top + 2.3), f.text(_("Amount")))
        top += 9
        c.setFont(f.regular, 9.5)
        for label, since, amount in cert.table:
            c.drawString((LEFT + 2) * mm, y(top), f.text(label))
            c.setFillColor(GREY)
            c.drawString((LEFT + 95) * mm, y(top), f.text(since))
            c.setFillColor(BLACK)
            c.drawRightString((LEFT + TEXT_WIDTH - 2) * mm, y(top), f.text(amount))
            top += 5
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.line(LEFT * mm, y(top - 3), (LEFT + TEXT_WIDTH) * mm, y(top - 3))
        label, amount = cert.table_total
        c.setFont(f.bold, 9.5)
        c.drawString((LEFT + 2) * mm, y(top + 1), f.text(label))
        c.drawRightString((LEFT + TEXT_WIDTH - 2) * mm, y(top + 1), f.text(amount))
        top += 8
    top += 4
    c.setFont(f.regular, 8.5)
    for note in cert.notes:
        for line in simpleSplit(f.text(note), f.regular, 8.5, TEXT_WIDTH * mm):
            if top > FOOTER_TOP - 6:
                return  # never into the footer
            c.drawString(LEFT * mm, y(top), line)
            top += 4.2
        top += 2


def render_print_list(deliveries, *, company=None):
    """Cover pages of a print batch: number, recipient and address, contract, document (bytes)."""
    out = io.BytesIO()
    fonts = Fonts(portal_settings.LETTER_FONTS)
    c = Canvas(out, pagesize=A4, pageCompression=1)
    with translation.override(portal_settings.LETTER_LANGUAGE):
        c.setTitle(_("Print list"))
        heading = _("Print list: documents for paper post")
        columns = [(0, _("No.")), (12, _("Recipient")), (82, _("Contract")), (110, _("Document"))]

        def page_header():
            c.setFont(fonts.bold, 12)
            c.drawString(LEFT * mm, y(20), fonts.text(heading))
            c.setFont(fonts.regular, 8.5)
            c.setFillColor(GREY)
            line = _("%(count)d documents") % {"count": len(deliveries)}
            if company is not None:
                line = f"{company.display_name} · {line}"
            c.drawString(LEFT * mm, y(26), fonts.text(line))
            c.setFillColor(BLACK)
            c.setFont(fonts.bold, 8.5)
            for x, label in columns:
                c.drawString((LEFT - 5 + x) * mm, y(34), fonts.text(label))
            return 40

        top = page_header()
        for number, delivery in enumerate(deliveries, start=1):
            party, document = delivery.party, delivery.document
            recipient = [*party.letter_name_lines, *party.address_lines]
            doc_lines = simpleSplit(
                fonts.text(f"{document.title} ({document.category})"), fonts.regular, 8.5, 70 * mm
            )
            height = max(len(recipient), len(doc_lines)) * 3.8 + 2.5
            if top + height > 285:
                c.showPage()
                top = page_header()
            c.setFont(fonts.regular, 8.5)
            c.drawString((LEFT - 5) * mm, y(top), str(number))
            for index, line in enumerate(recipient):
                c.drawString((LEFT + 7) * mm, y(top + index * 3.8), fonts.text(line)[:48])
            c.drawString(
                (LEFT + 77) * mm, y(top), fonts.text(document.contract.number if document.contract_id else "")
            )
            for index, line in enumerate(doc_lines):
                c.drawString((LEFT + 105) * mm, y(top + index * 3.8), line)
            top += height
        c.showPage()
        c.save()
    return out.getvalue()
