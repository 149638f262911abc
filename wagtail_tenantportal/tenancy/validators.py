"""Validators and parsers shared by model fields, forms and the CSV import."""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Lengths of IBANs per country (ISO 13616 registry, the SEPA countries and neighbours).
IBAN_LENGTHS = {
    "AD": 24,
    "AT": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GI": 23,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "VA": 22,
}
_IBAN_RE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC_RE = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_LETTERS = {c: str(i) for i, c in enumerate(string.ascii_uppercase, start=10)}


def normalize_iban(value):
    return re.sub(r"\s+", "", value or "").upper()


def iban_is_valid(value):
    iban = normalize_iban(value)
    if not _IBAN_RE.match(iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    digits = "".join(_LETTERS.get(c, c) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def validate_iban(value):
    if value and not iban_is_valid(value):
        raise ValidationError(_("Enter a valid IBAN."), code="invalid_iban")


def validate_bic(value):
    if value and not _BIC_RE.match(value.replace(" ", "").upper()):
        raise ValidationError(_("Enter a valid BIC."), code="invalid_bic")


def format_iban(value):
    """Group an IBAN in blocks of four, as printed on letters (DE12 3456 ...)."""
    iban = normalize_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def mask_iban(value):
    """An IBAN as tenants see it: the country and the last four characters, the rest (check
    digits included) as dots, grouped in fours like on paper (``DE•• •••• •••• •••• ••30 00``).
    Empty stays empty."""
    iban = normalize_iban(value or "")
    if len(iban) < 8:
        return "•" * len(iban)
    masked = iban[:2] + "•" * (len(iban) - 6) + iban[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def validate_sender(value):
    """A mail sender: ``portal@example.de`` or ``Name <portal@example.de>`` on one line."""
    from email.utils import parseaddr

    from django.core.validators import validate_email

    if not value:
        return
    name, address = parseaddr(value)
    valid = bool(address) and "\n" not in value and "\r" not in value
    if valid:
        try:
            validate_email(address)
        except ValidationError:
            valid = False
    if not valid:
        raise ValidationError(
            _("Enter an email address, optionally with a name: 'Name <portal@example.de>'."),
            code="invalid_sender",
        )


def validate_frame_ancestors(value):
    """Web origins (``https://www.example.de``), separated by spaces or lines."""
    from ..core.headers import parse_origins

    try:
        parse_origins(value)
    except ValueError as error:
        raise ValidationError(
            _("Not a web address of a site (scheme and host, no path): %(value)s"),
            params={"value": str(error)},
            code="invalid_origin",
        ) from error


def validate_base_url(value):
    """The address the portal's site answers at: scheme and host, optionally a port, no path."""
    from ..core.headers import parse_origins

    if not value:
        return
    try:
        parse_origins(value.rstrip("/"))
    except ValueError as error:
        raise ValidationError(
            _("Enter the address of the site without a path, e.g. https://www.example.de"),
            code="invalid_base_url",
        ) from error
    if len(value.split()) != 1:
        raise ValidationError(
            _("Enter the address of the site without a path, e.g. https://www.example.de"),
            code="invalid_base_url",
        )


def validate_text_link(value):
    """A link to a text on the web: an absolute http(s) address or a path on the portal's site
    starting with "/" (as in the setting ``CONSENT_URLS``)."""
    from urllib.parse import urlsplit

    if not value:
        return
    parts = urlsplit(value)
    if value.startswith("/") and not value.startswith("//") and not parts.scheme:
        return
    if parts.scheme in ("http", "https") and parts.netloc and " " not in value:
        return
    raise ValidationError(
        _("Enter an address starting with https:// or a path starting with /, e.g. /datenschutz/"),
        code="invalid_text_link",
    )
