"""ERP master-data import (CSV): companies, properties, units, parties, contracts and their links.

Public API (used by the management command, the admin upload, the demo loader and tests)::

    files = [ImportFile.from_path("export/contracts.csv"), ...]
    result = import_master_data(files, dry_run=False, partial=False, user=None,
                                source=ImportRun.Source.CODE)
    result.counts["contracts"].created / .updated / .unchanged / .rejected / .ended
    result.errors -> [RowError(file="contracts.csv", line=17, message="...")]
    result.committed -> bool

The file format (columns, values, encodings) is documented in ``docs/import.md``.

How it works, and why:

- Files are streamed (never held in memory) and processed in ``ENTITY_ORDER`` so that a row
  may refer to a row created earlier in the same run.
- Rows go to the database in batches of ``IMPORT_BATCH_SIZE``: one look-up of the existing
  rows per batch, one ``bulk_create`` of the new ones and one ``bulk_update`` of only the
  changed fields. No ``full_clean()`` and no query per row: each column has a small converter
  that validates and converts the cell.
- Everything runs in one transaction (a savepoint when the caller is already in one). It is
  rolled back for a dry run and, unless ``partial`` is given, as soon as any row was rejected.
  The ``ImportRun`` record is written after that, so it survives the rollback.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import gc
import io
import logging
import operator
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, models, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..core import signals
from ..core.conf import portal_settings
from .models import Company, Contract, ContractParty, ImportRun, Party, Property, RentComponent, Unit
from .validators import iban_is_valid, normalize_iban

logger = logging.getLogger(__name__)

ENTITY_ORDER = [
    "companies",
    "properties",
    "units",
    "parties",
    "contracts",
    "contract_parties",
    "rent_components",
]

#: How many rejected rows an ``ImportRun`` keeps (the result object keeps all of them).
STORED_ERRORS_MAX = 1000

_READ_CHUNK = 1 << 20
_BAD = object()  # a cell that failed its conversion


# --------------------------------------------------------------------------------------------
# Public data classes
# --------------------------------------------------------------------------------------------


def _kind_from_name(name):
    stem = os.path.basename(name or "")
    for ext in (".csv", ".txt"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
    return stem.strip().lower().replace("-", "_").replace(" ", "_")


def _checked_kind(name, kind):
    kind = kind or _kind_from_name(name)
    if kind not in ENTITY_ORDER:
        raise ValueError(
            _(
                "Cannot tell what “%(name)s” contains: name the file after one of %(kinds)s (e.g. contracts.csv)."
            )
            % {"name": name, "kinds": ", ".join(f"{k}.csv" for k in ENTITY_ORDER)}
        )
    return kind


class _KeepOpen(io.RawIOBase):
    """Reads an uploaded file without closing it (closing a temporary upload deletes it)."""

    def __init__(self, fileobj):
        self._fileobj = fileobj

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._fileobj.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class ImportFile:
    """One CSV file of an export. ``open()`` returns a new binary stream positioned at the start."""

    name: str
    kind: str
    open: Callable[[], BinaryIO]

    @classmethod
    def from_path(cls, path, kind=None):
        """A file on disk. ``kind`` defaults to the file stem (``contracts.csv`` -> ``contracts``).

        Raises ``ValueError`` with a translated message when the kind is unknown.
        """
        path = os.fspath(path)
        name = os.path.basename(path)
        return cls(name=name, kind=_checked_kind(name, kind), open=functools.partial(io.open, path, "rb"))

    @classmethod
    def from_upload(cls, uploaded_file, kind=None):
        """A Django ``UploadedFile``; it is rewound, read, and left open for the caller."""
        name = os.path.basename(uploaded_file.name or "")

        def _open():
            uploaded_file.seek(0)
            return io.BufferedReader(_KeepOpen(uploaded_file))

        return cls(name=name, kind=_checked_kind(name, kind), open=_open)


@dataclass
class RowError:
    """A rejected row (``line`` counts physical lines, the header is line 1) or, with ``line=None``, a whole file."""

    file: str
    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return f"{self.file}: {self.message}"
        return _("%(file)s, line %(line)d: %(message)s") % {
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }


@dataclass
class EntityCounts:
    """Rows per outcome. ``ended``: contracts marked ended because they vanished from the export;
    ``removed``: contract parties / rent components deleted because they vanished from their file."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ended: int = 0
    removed: int = 0


def entity_label(kind):
    """The translated, capitalised plural name of an entity kind, e.g. "Contract parties"."""
    model = _MODELS[kind]
    return capfirst(str(model._meta.verbose_name_plural))


@dataclass
class ImportResult:
    """What an import did. Counts are per entity kind of the files given, in ``ENTITY_ORDER``.

    When ``committed`` is False nothing was saved; the counts then say what *would* have happened.
    """

    counts: dict[str, EntityCounts]
    errors: list[RowError]
    committed: bool
    dry_run: bool
    run: ImportRun | None = None
    partial: bool = False

    @property
    def has_errors(self):
        return bool(self.errors)

    def as_dict(self):
        """A JSON-able summary, the same that is stored on the ``ImportRun``."""
        return {
            "committed": self.committed,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "counts": {kind: asdict(counts) for kind, counts in self.counts.items()},
            "error_count": len(self.errors),
            "errors": [asdict(error) for error in self.errors],
            "run": self.run.pk if self.run else None,
        }

    def status_message(self):
        """One translated sentence: was anything saved, and why not."""
        count = len(self.errors)
        if self.dry_run:
            if count:
                return ngettext(
                    "Dry run: nothing was saved. %(count)d error was found.",
                    "Dry run: nothing was saved. %(count)d errors were found.",
                    count,
                ) % {"count": count}
            return _("Dry run: nothing was saved. No errors were found.")
        if not self.committed:
            return ngettext(
                "Nothing was saved: %(count)d error was found. Correct the files, or allow a partial import to save the valid rows.",
                "Nothing was saved: %(count)d errors were found. Correct the files, or allow a partial import to save the valid rows.",
                count,
            ) % {"count": count}
        if count:
            return ngettext(
                "The valid rows were saved; %(count)d error was found.",
                "The valid rows were saved; %(count)d errors were found.",
                count,
            ) % {"count": count}
        return _("The import was saved.")

    def entity_label(self, kind):
        """The translated plural name of an entity kind (imports of other apps override it)."""
        return entity_label(kind)

    def summary_lines(self):
        """Translated lines: one per entity, then the status sentence."""
        lines = []
        for kind, c in self.counts.items():
            text = _(
                "%(entity)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(rejected)d rejected"
            ) % {
                "entity": self.entity_label(kind),
                "created": c.created,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "rejected": c.rejected,
            }
            if c.ended:
                text += ", " + _("%(count)d ended (missing from the export)") % {"count": c.ended}
            if c.removed:
                text += ", " + _("%(count)d removed (missing from the file)") % {"count": c.removed}
            lines.append(text)
        lines.append(self.status_message())
        return lines


# --------------------------------------------------------------------------------------------
# Cell converters: take a stripped, non-empty string, return the value or raise _Invalid.
# --------------------------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def _parse_date(value):
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return datetime.date.fromisoformat(value)
        parts = value.split(".")
        if len(parts) == 3 and len(parts[2]) == 4 and len(parts[0]) <= 2 and len(parts[1]) <= 2:
            return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise _Invalid(_("“%(value)s” is not a date (use 2026-01-31 or 31.01.2026)") % {"value": _short(value)})


def _decimal(max_digits, places, signed=False):
    whole_digits = max_digits - places
    quantum = Decimal(1).scaleb(-places)

    def convert(value):
        text = value.replace(" ", "").replace("\u00a0", "")
        if "," in text:
            if "." in text and text.rfind(".") > text.rfind(","):
                text = text.replace(",", "")  # 1,234.56
            else:
                text = text.replace(".", "").replace(",", ".")  # 1.234,56 and 1234,56
        elif text.count(".") > 1:
            text = text.replace(".", "")  # 1.234.567
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _Invalid(
                _("“%(value)s” is not a number (use 1234.56 or 1.234,56)") % {"value": _short(value)}
            )
        if number.as_tuple().exponent < -places:
            rounded = number.quantize(quantum)
            if rounded != number:
                raise _Invalid(
                    ngettext(
                        "“%(value)s” has more than %(places)d decimal place",
                        "“%(value)s” has more than %(places)d decimal places",
                        places,
                    )
                    % {"value": _short(value), "places": places}
                )
            number = rounded
        if number and number.adjusted() >= whole_digits:
            raise _Invalid(_("“%(value)s” is too large") % {"value": _short(value)})
        if number < 0 and not signed:
            raise _Invalid(_("“%(value)s” must not be negative") % {"value": _short(value)})
        return number

    return convert


def _integer(minimum, maximum):
    def convert(value):
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not minimum <= number <= maximum:
            raise _Invalid(
                _("“%(value)s” is not a whole number from %(min)d to %(max)d")
                % {"value": _short(value), "min": minimum, "max": maximum}
            )
        return number

    return convert


def _choice(mapping):
    """Accepts the English value or a German synonym, case-insensitively."""
    lookup = {key.lower(): value for key, value in mapping.items()}
    accepted = ", ".join(mapping)

    def convert(value):
        try:
            return lookup[value.lower().rstrip(".")]
        except KeyError:
            raise _Invalid(
                _("“%(value)s” is not one of: %(choices)s") % {"value": _short(value), "choices": accepted}
            ) from None

    return convert


_email_validator = EmailValidator()
_url_validator = URLValidator()


def _email(value):
    if len(value) > 254:
        raise _Invalid(_too_long(254))
    try:
        _email_validator(value)
    except ValidationError:
        raise _Invalid(_("“%(value)s” is not a valid email address") % {"value": _short(value)}) from None
    return value


def _url(value):
    url = value if "://" in value else "https://" + value
    try:
        _url_validator(url)
    except ValidationError:
        url = None
    if url is None or len(url) > 200:
        raise _Invalid(_("“%(value)s” is not a valid web address") % {"value": _short(value)})
    return url


def _iban(value):
    iban = normalize_iban(value)
    if not iban_is_valid(iban):
        raise _Invalid(_("“%(value)s” is not a valid IBAN") % {"value": _short(value)})
    return iban


def _bic(value):
    bic = value.replace(" ", "").upper()
    if not (len(bic) in (8, 11) and bic[:6].isalpha() and bic.isalnum() and bic.isascii()):
        raise _Invalid(_("“%(value)s” is not a valid BIC") % {"value": _short(value)})
    return bic


def _country(value):
    if len(value) != 2 or not value.isalpha() or not value.isascii():
        raise _Invalid(
            _("“%(value)s” is not a two-letter country code such as DE") % {"value": _short(value)}
        )
    return value.upper()


def _short(value, limit=60):
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _too_long(limit):
    return ngettext(
        "the value is longer than %(max)d character", "the value is longer than %(max)d characters", limit
    ) % {"max": limit}


# --------------------------------------------------------------------------------------------
# Entity specifications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str  # CSV header
    attname: str  # model attribute it sets
    required: bool = False
    convert: Callable | None = None  # None: plain text, checked against the field's max_length
    ref: str | None = None  # the value is the key of a row of this kind (resolved per batch)


def _max_length(model, attname):
    return model._meta.get_field(attname).max_length  # get_field() also knows attnames such as unit_id


def _empty_value(model, attname):
    if attname == "company_id":
        return None
    model_field = model._meta.get_field(attname)
    if model_field.null:
        return None
    if isinstance(model_field, models.CharField) and not model_field.choices:
        return ""
    return model_field.get_default()


UNIT_KINDS = {
    "flat": Unit.Kind.FLAT,
    "parking": Unit.Kind.PARKING,
    "commercial": Unit.Kind.COMMERCIAL,
    "Wohnung": Unit.Kind.FLAT,
    "Stellplatz": Unit.Kind.PARKING,
    "Garage": Unit.Kind.PARKING,
    "Gewerbe": Unit.Kind.COMMERCIAL,
    "Gewerbeeinheit": Unit.Kind.COMMERCIAL,
}
PARTY_KINDS = {
    "person": Party.Kind.PERSON,
    "household": Party.Kind.HOUSEHOLD,
    "organisation": Party.Kind.ORGANISATION,
    "organization": Party.Kind.ORGANISATION,
    "Person": Party.Kind.PERSON,
    "Haushalt": Party.Kind.HOUSEHOLD,
    "Organisation": Party.Kind.ORGANISATION,
}
SALUTATIONS = {
    "mr": Party.Salutation.MR,
    "ms": Party.Salutation.MS,
    "diverse": Party.Salutation.DIVERSE,
    "family": Party.Salutation.FAMILY,
    "company": Party.Salutation.COMPANY,
    "Herr": Party.Salutation.MR,
    "Herrn": Party.Salutation.MR,
    "Frau": Party.Salutation.MS,
    "Divers": Party.Salutation.DIVERSE,
    "Familie": Party.Salutation.FAMILY,
    "Firma": Party.Salutation.COMPANY,
}
CONTRACT_KINDS = {
    "rental": Contract.Kind.RENTAL,
    "parking": Contract.Kind.PARKING,
    "membership": Contract.Kind.MEMBERSHIP,
    "savings": Contract.Kind.SAVINGS,
    "Mietvertrag": Contract.Kind.RENTAL,
    "Stellplatz": Contract.Kind.PARKING,
    "Stellplatzvertrag": Contract.Kind.PARKING,
    "Mitgliedschaft": Contract.Kind.MEMBERSHIP,
    "Sparvertrag": Contract.Kind.SAVINGS,
}
CONTRACT_STATUSES = {
    "active": Contract.Status.ACTIVE,
    "terminated": Contract.Status.TERMINATED,
    "ended": Contract.Status.ENDED,
    "aktiv": Contract.Status.ACTIVE,
    "gekündigt": Contract.Status.TERMINATED,
    "beendet": Contract.Status.ENDED,
}
ROLES = {
    "main_tenant": ContractParty.Role.MAIN_TENANT,
    "co_tenant": ContractParty.Role.CO_TENANT,
    "member": ContractParty.Role.MEMBER,
    "Hauptmieter": ContractParty.Role.MAIN_TENANT,
    "Hauptmieterin": ContractParty.Role.MAIN_TENANT,
    "Mitmieter": ContractParty.Role.CO_TENANT,
    "Mitmieterin": ContractParty.Role.CO_TENANT,
    "Mitglied": ContractParty.Role.MEMBER,
}
RENT_KINDS = {
    "base_rent": RentComponent.Kind.BASE_RENT,
    "operating_costs": RentComponent.Kind.OPERATING_COSTS,
    "heating_costs": RentComponent.Kind.HEATING_COSTS,
    "surcharge": RentComponent.Kind.SURCHARGE,
    "parking": RentComponent.Kind.PARKING,
    "membership": RentComponent.Kind.MEMBERSHIP,
    "other": RentComponent.Kind.OTHER,
    "Grundmiete": RentComponent.Kind.BASE_RENT,
    "Betriebskosten": RentComponent.Kind.OPERATING_COSTS,
    "Heizkosten": RentComponent.Kind.HEATING_COSTS,
    "Zuschlag": RentComponent.Kind.SURCHARGE,
    "Stellplatzmiete": RentComponent.Kind.PARKING,
    "Mitgliedsbeitrag": RentComponent.Kind.MEMBERSHIP,
    "Sonstiges": RentComponent.Kind.OTHER,
}
# An empty rent component kind is guessed from the label (first match wins).
_RENT_KIND_HINTS = [
    ("grundmiete", RentComponent.Kind.BASE_RENT),
    ("nettokaltmiete", RentComponent.Kind.BASE_RENT),
    ("heiz", RentComponent.Kind.HEATING_COSTS),
    ("betriebskost", RentComponent.Kind.OPERATING_COSTS),
    ("nebenkost", RentComponent.Kind.OPERATING_COSTS),
    ("stellplatz", RentComponent.Kind.PARKING),
    ("garage", RentComponent.Kind.PARKING),
    ("zuschlag", RentComponent.Kind.SURCHARGE),
    ("mitglied", RentComponent.Kind.MEMBERSHIP),
]

_COMPANY = _Column("company", "company_id", required=True, ref="companies")
_DATE = _parse_date

_SPECS = {
    "companies": [
        _Column("erp_id", "erp_id", required=True),
        _Column("name", "name", required=True),
        _Column("legal_form", "legal_form"),
        _Column("street", "street"),
        _Column("postal_code", "postal_code"),
        _Column("city", "city"),
        _Column("phone", "phone"),
        _Column("email", "email", convert=_email),
        _Column("website", "website", convert=_url),
    ],
    "properties": [
        _COMPANY,
        _Column("erp_id", "erp_id", required=True),
        _Column("name", "name"),
        _Column("street", "street", required=True),
        _Column("postal_code", "postal_code", required=True),
        _Column("city", "city", required=True),
        _Column("year_built", "year_built", convert=_integer(1000, 2999)),
    ],
    "units": [
        _COMPANY,
        _Column("erp_id", "erp_id", required=True),
        _Column("property", "property_id", required=True, ref="properties"),
        _Column("kind", "kind", required=True, convert=_choice(UNIT_KINDS)),
        _Column("number", "number", required=True),
        _Column("floor", "floor"),
        _Column("rooms", "rooms", convert=_decimal(4, 1)),
        _Column("living_area", "living_area", convert=_decimal(8, 2)),
    ],
    "parties": [
        _COMPANY,
        _Column("erp_id", "erp_id", required=True),
        _Column("kind", "kind", convert=_choice(PARTY_KINDS)),
        _Column("salutation", "salutation", convert=_choice(SALUTATIONS)),
        _Column("title", "title"),
        _Column("first_name", "first_name"),
        _Column("last_name", "last_name", required=True),
        _Column("name_addition", "name_addition"),
        _Column("street", "street"),
        _Column("address_addition", "address_addition"),
        _Column("postal_code", "postal_code"),
        _Column("city", "city"),
        _Column("country", "country", convert=_country),
        _Column("email", "email", convert=_email),
        _Column("phone", "phone"),
        _Column("mobile", "mobile"),
        _Column("phone_work", "phone_work"),
        _Column("birth_date", "birth_date", convert=_DATE),
    ],
    "contracts": [
        _COMPANY,
        _Column("number", "number", required=True),
        _Column("kind", "kind", required=True, convert=_choice(CONTRACT_KINDS)),
        _Column("unit", "unit_id", ref="units"),
        _Column("start_date", "start_date", convert=_DATE),
        _Column("end_date", "end_date", convert=_DATE),
        _Column("status", "status", convert=_choice(CONTRACT_STATUSES)),
        _Column("account_holder", "account_holder"),
        _Column("iban", "iban", convert=_iban),
        _Column("bic", "bic", convert=_bic),
        _Column("sepa_mandate_reference", "sepa_mandate_reference"),
    ],
    "contract_parties": [
        _COMPANY,
        _Column("contract", "contract_id", required=True, ref="contracts"),
        _Column("party", "party_id", required=True, ref="parties"),
        _Column("role", "role", required=True, convert=_choice(ROLES)),
    ],
    "rent_components": [
        _COMPANY,
        _Column("contract", "contract_id", required=True, ref="contracts"),
        _Column("label", "label", required=True),
        _Column("kind", "kind", convert=_choice(RENT_KINDS)),
        _Column("amount", "amount", required=True, convert=_decimal(10, 2, signed=True)),
        _Column("valid_from", "valid_from", required=True, convert=_DATE),
        _Column("sort_order", "sort_order", convert=_integer(0, 32767)),
    ],
}

_MODELS = {
    "companies": Company,
    "properties": Property,
    "units": Unit,
    "parties": Party,
    "contracts": Contract,
    "contract_parties": ContractParty,
    "rent_components": RentComponent,
}
# Keyed entities: the column that identifies a row within its company.
_KEYS = {
    "companies": "erp_id",
    "properties": "erp_id",
    "units": "erp_id",
    "parties": "erp_id",
    "contracts": "number",
}
# Child entities: the columns that identify a row within its contract.
_CHILD_KEYS = {
    "contract_parties": ("contract_id", "party_id"),
    "rent_components": ("contract_id", "label", "valid_from"),
}
# Values computed for every row even when their column is absent.
_COMPUTED = {"parties": ["kind"], "contracts": ["status", "ended_by_import_at"], "rent_components": ["kind"]}
# After these kinds are done, the key indexes of these others are no longer needed.
_RELEASE_AFTER = {"contracts": ["properties", "units"], "contract_parties": ["parties"]}


def _unknown_reference(kind, value, company):
    params = {"value": _short(value), "company": company}
    if kind == "companies":
        return _("no company with ERP id “%(value)s”") % params
    if kind == "properties":
        return _("no property with ERP id “%(value)s” in company “%(company)s”") % params
    if kind == "units":
        return _("no unit with ERP id “%(value)s” in company “%(company)s”") % params
    if kind == "parties":
        return _("no party with ERP id “%(value)s” in company “%(company)s”") % params
    return _("no contract with number “%(value)s” in company “%(company)s”") % params


# --------------------------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------------------------


class _FileError(Exception):
    """The whole file is unusable; nothing of it is imported."""


class _Index:
    """Key -> pk per company for one entity: filled by its own file, and by look-ups of references."""

    def __init__(self, model, key, scoped=True):
        self.model = model
        self.key = key
        self.scoped = scoped
        self.by_company = {}

    def known(self, company_id):
        keys = self.by_company.get(company_id)
        if keys is None:
            keys = self.by_company[company_id] = {}
        return keys

    def fetch(self, company_id, wanted):
        """Look up the keys not known yet with one query; unknown keys map to None."""
        known = self.known(company_id)
        missing = [key for key in wanted if key not in known]
        if missing:
            qs = self.model._default_manager.filter(**{f"{self.key}__in": missing})
            if self.scoped:
                qs = qs.filter(company_id=company_id)
            known.update(qs.values_list(self.key, "pk"))
            for key in missing:
                known.setdefault(key, None)
        return known


def _detect_encoding(import_file, encodings):
    """The first configured encoding that decodes the whole file; reads it in chunks."""
    first_failure = None
    for encoding in encodings:
        if codecs.lookup(encoding).name == "utf-8":
            encoding = "utf-8-sig"  # drops a byte order mark
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        newlines = 0
        with import_file.open() as stream:
            head = stream.read(_READ_CHUNK)
            if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise _FileError(_("The file is saved as UTF-16. Save it as UTF-8 or Windows-1252 (ANSI)."))
            chunk = head
            try:
                while chunk:
                    decoder.decode(chunk)
                    newlines += chunk.count(b"\n")
                    chunk = stream.read(_READ_CHUNK)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError as exc:
                if first_failure is None:
                    first_failure = newlines + chunk[: max(exc.start, 0)].count(b"\n") + 1
    raise _FileError(
        _(
            "The file is not valid text in any of the accepted encodings (%(encodings)s); the first invalid "
            "byte is on line %(line)d. Save it as UTF-8 or Windows-1252 (ANSI)."
        )
        % {"encodings": ", ".join(encodings), "line": first_failure or 1}
    )


class _FileImporter:
    """Imports one file of one kind into the run; keyed entities and child entities differ in process_batch."""

    def __init__(self, run, import_file):
        self.run = run
        self.file = import_file
        self.kind = import_file.kind
        self.model = _MODELS[self.kind]
        self.counts = run.counts[self.kind]
        self.complete = False  # True when every line of the file was read
        self.stamp = (
            {"imported_at": run.now} if any(f.name == "imported_at" for f in self.model._meta.fields) else {}
        )

    # ---- reading -----------------------------------------------------------------------

    def run_file(self):
        encoding = _detect_encoding(self.file, self.run.encodings)
        with self.file.open() as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            first = text.readline()
            if not first.strip():
                raise _FileError(_("The file is empty; its first line must name the columns."))
            delimiter = max((";", ",", "\t"), key=first.count)
            reader = csv.reader(chain([first], text), delimiter=delimiter, strict=True)
            try:
                header = next(reader)
            except csv.Error as exc:
                raise _FileError(
                    _("The first line (the column names) is not valid CSV: %(error)s") % {"error": exc}
                ) from None
            self._prepare(header)
            if self.file_problem:
                try:
                    self.counts.rejected = sum(1 for row in reader if any(row))
                except csv.Error:
                    pass
                raise _FileError(self.file_problem)
            batch_size = self.run.batch_size
            batch = []
            for row in self._rows(reader):
                batch.append(row)
                if len(batch) >= batch_size:
                    self.process_batch(batch)
                    batch = []
            if batch:
                self.process_batch(batch)
        if not self.complete:
            self.run.failed_files[self.kind] = self.file.name
        self.finish()

    def _prepare(self, header):
        """Map header columns to slots; sets ``file_problem`` for unknown or missing columns."""
        names = [name.replace("\ufeff", "").strip().lower() for name in header]
        spec = {column.name: column for column in _SPECS[self.kind]}
        problems = []
        unknown = [name for name in names if name and name not in spec]
        if unknown:
            problems.append(
                _("Unknown columns: %(columns)s. Accepted columns: %(accepted)s.")
                % {"columns": ", ".join(unknown), "accepted": ", ".join(spec)}
            )
        doubled = sorted({name for name in names if name and names.count(name) > 1})
        if doubled:
            problems.append(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(doubled)})
        missing = [column.name for column in spec.values() if column.required and column.name not in names]
        if missing:
            problems.append(_("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
        self.file_problem = " ".join(problems)
        self.ncols = len(names)
        present = [spec[name] for name in names if name in spec]
        attnames = [column.attname for column in present]
        attnames += [a for a in _COMPUTED.get(self.kind, []) if a not in attnames]
        self.attnames = attnames
        self.pos = {attname: i for i, attname in enumerate(attnames)}
        self.template = [_empty_value(self.model, attname) for attname in attnames]
        # (cell index, slot, converter, max_length, required, column name)
        self.cells = []
        for index, name in enumerate(names):
            column = spec.get(name)
            if column is None:
                continue
            max_length = (
                None if column.convert else (64 if column.ref else _max_length(self.model, column.attname))
            )
            convert = self.run.company_converter if column.ref == "companies" else column.convert
            self.cells.append((index, self.pos[column.attname], convert, max_length, column.required, name))
        self.refs = [
            (self.pos[column.attname], column.ref, column.name)
            for column in present
            if column.ref and column.ref != "companies"
        ]
        self.build = self._make_builder()

    def _make_builder(self):
        """A function ``values -> new model instance``.

        Positional construction (all concrete fields in order, as ``Model.from_db`` does) takes
        half the time of keyword arguments, which matters at 100,000s of rows.
        """
        model = self.model
        slots = {attname: i for i, attname in enumerate(self.attnames)}
        constants, order = [], []
        for model_field in model._meta.concrete_fields:
            if model_field.attname in slots:
                order.append(slots[model_field.attname])
                continue
            if model_field.primary_key:
                value = None
            elif model_field.attname in self.stamp:
                value = self.stamp[model_field.attname]
            elif model_field.has_default() and callable(model_field.default):
                return self._build_with_keywords
            else:
                value = model_field.get_default()
            order.append(len(self.attnames) + len(constants))
            constants.append(value)
        getter = operator.itemgetter(*order)
        return lambda values: model(*getter(values + constants))

    def _build_with_keywords(self, values):
        fields = {
            a: v
            for a, v in zip(self.attnames, values, strict=True)
            if a != "company_id" or self.kind in _KEYS
        }
        return self.model(**fields, **self.stamp)

    def _rows(self, reader):
        """Yield ``[line, values, problems]`` per record; ``problems`` is None or a list of messages."""
        ncols = self.ncols
        cells = self.cells
        template = self.template
        row_hook = self.row_hook
        too_long = _too_long
        required_message = _("a value is required")
        cell_message = _("%(column)s: %(problem)s")
        last_line = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.reject(
                    last_line + 1,
                    [
                        _(
                            "malformed CSV (%(error)s), e.g. a quote that is not closed; the rest of the file was not read"
                        )
                        % {"error": exc}
                    ],
                )
                return
            line = last_line + 1
            last_line = reader.line_num
            if len(row) != ncols:
                if not any(row):
                    continue
                if len(row) < ncols or any(cell.strip() for cell in row[ncols:]):
                    self.reject(
                        line,
                        [
                            _("the row has %(found)d cells, the header has %(expected)d columns")
                            % {"found": len(row), "expected": ncols}
                        ],
                    )
                    continue
            elif not any(row):
                continue
            values = template.copy()
            problems = None
            for index, slot, convert, max_length, required, name in cells:
                value = row[index].strip()
                if value:
                    if convert is None:
                        if len(value) > max_length or "\x00" in value:
                            problem = (
                                too_long(max_length)
                                if len(value) > max_length
                                else _("contains a NUL character")
                            )
                            problems = (problems or []) + [
                                cell_message % {"column": name, "problem": problem}
                            ]
                            values[slot] = _BAD
                        else:
                            values[slot] = value
                    else:
                        try:
                            values[slot] = convert(value)
                        except _Invalid as exc:
                            problems = (problems or []) + [cell_message % {"column": name, "problem": exc}]
                            values[slot] = _BAD
                elif required:
                    problems = (problems or []) + [
                        cell_message % {"column": name, "problem": required_message}
                    ]
                    values[slot] = _BAD
            if row_hook is not None:
                problems = row_hook(values, problems)
            yield [line, values, problems]
        self.complete = True

    row_hook = None

    # ---- shared helpers ----------------------------------------------------------------

    def reject(self, line, problems):
        self.counts.rejected += 1
        self.run.errors.append(RowError(file=self.file.name, line=line, message="; ".join(problems)))

    def resolve_references(self, batch):
        """Replace reference keys by pks with one query per referenced kind and company."""
        cpos = self.pos.get("company_id")
        for slot, kind, column_name in self.refs:
            wanted = {}
            for _line, values, _problems in batch:
                company, value = values[cpos], values[slot]
                if company is not _BAD and type(value) is str:
                    wanted.setdefault(company, set()).add(value)
            index = self.run.indexes[kind]
            known = {company: index.fetch(company, keys) for company, keys in wanted.items()}
            for row in batch:
                values = row[1]
                value = values[slot]
                if type(value) is not str:
                    continue
                company = values[cpos]
                pk = known[company].get(value) if company is not _BAD else None
                if pk is None:
                    values[slot] = _BAD
                    if company is not _BAD:
                        message = self.run.unknown_reference(kind, value, company)
                        row[2] = (row[2] or []) + [
                            _("%(column)s: %(problem)s") % {"column": column_name, "problem": message}
                        ]
                else:
                    values[slot] = pk

    def finish(self):
        pass


class _KeyedImporter(_FileImporter):
    """Companies, properties, units, parties, contracts: upsert by (company, ERP id or number)."""

    def __init__(self, run, import_file):
        super().__init__(run, import_file)
        self.key = _KEYS[self.kind]
        self.index = run.indexes[self.kind]
        self.lines = {}  # company -> {key: first line}; for contracts also "present in the export"

    def _prepare(self, header):
        super()._prepare(header)
        self.cpos = self.pos.get("company_id")
        self.kpos = self.pos.get(self.key)
        skip = {"company_id", self.key}
        self.data = [(i, attname) for i, attname in enumerate(self.attnames) if attname not in skip]
        self.data_attnames = [attname for _i, attname in self.data]
        self.data_pos = [i for i, _attname in self.data]

    def process_batch(self, batch):
        if self.refs:
            self.resolve_references(batch)
        cpos, kpos = self.cpos, self.kpos
        duplicate = _("duplicate key “%(key)s”: already on line %(line)d, so this row was rejected")
        groups = {}
        for line, values, problems in batch:
            company = values[cpos] if cpos is not None else None
            key = values[kpos]
            if company is not _BAD and key is not _BAD:
                seen = self.lines.get(company)
                if seen is None:
                    seen = self.lines[company] = {}
                first = seen.get(key)
                if first is None:
                    seen[key] = line
                else:
                    problems = (problems or []) + [duplicate % {"key": _short(key), "line": first}]
            if problems:
                self.reject(line, problems)
                if company is not _BAD and key is not _BAD:
                    self.run.rejected_rows[self.kind].setdefault(
                        (company, key), {"file": self.file.name, "line": line}
                    )
            else:
                groups.setdefault(company, []).append((line, values))

        model, key_attname = self.model, self.key
        data_attnames, data_pos = self.data_attnames, self.data_pos
        attnames = self.attnames
        stamp, build = self.stamp, self.build
        to_create, to_update, changed_fields = [], [], set()
        counts = self.counts
        for company, rows in groups.items():
            qs = model._default_manager.filter(
                **{f"{key_attname}__in": [values[kpos] for _line, values in rows]}
            )
            if company is not None:
                qs = qs.filter(company_id=company)
            existing = {rec[0]: rec for rec in qs.values_list(key_attname, "pk", *data_attnames)}
            index = self.index.known(company)
            for _line, values in rows:
                rec = existing.get(values[kpos])
                if rec is None:
                    to_create.append(build(values))
                    continue
                index[rec[0]] = rec[1]
                new = [values[i] for i in data_pos]
                old = rec[2:]
                if tuple(new) == old:
                    counts.unchanged += 1
                    continue
                changed_fields.update(a for a, n, o in zip(data_attnames, new, old, strict=True) if n != o)
                fields = dict(zip(attnames, values, strict=True))
                fields.update(stamp)
                to_update.append(model(pk=rec[1], **fields))
        if to_create:
            self.before_create(to_create)
            model._default_manager.bulk_create(to_create)
            for obj in to_create:
                self.index.known(getattr(obj, "company_id", None))[getattr(obj, key_attname)] = obj.pk
            counts.created += len(to_create)
        if to_update:
            model._default_manager.bulk_update(
                to_update, [*sorted(changed_fields), *self.update_extra(to_update)]
            )
            counts.updated += len(to_update)

    def before_create(self, objs):
        pass

    def update_extra(self, objs):
        return list(self.stamp)

    def finish(self):
        self.lines = {}


class _CompanyImporter(_KeyedImporter):
    def before_create(self, objs):
        taken = self.run.company_slugs()
        for obj in objs:
            base = (slugify(obj.name) or slugify(obj.erp_id) or "company")[:44]
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            obj.slug = slug

    def process_batch(self, batch):
        super().process_batch(batch)
        self.run.company_keys.update({pk: key for key, pk in self.index.known(None).items() if pk})

    def update_extra(self, objs):
        for obj in objs:
            obj.updated_at = self.run.now
        return ["updated_at"]


class _PartyImporter(_KeyedImporter):
    def row_hook(self, values, problems):
        slot = self.pos["kind"]
        if values[slot] == "":
            salutation = values[self.pos["salutation"]] if "salutation" in self.pos else ""
            if salutation == Party.Salutation.FAMILY:
                values[slot] = Party.Kind.HOUSEHOLD
            elif salutation == Party.Salutation.COMPANY:
                values[slot] = Party.Kind.ORGANISATION
            else:
                values[slot] = Party.Kind.PERSON
        return problems

    def _prepare(self, header):
        super()._prepare(header)
        # an empty kind is derived in row_hook, so the template must say "empty", not the default
        self.template[self.pos["kind"]] = ""


class _ContractImporter(_KeyedImporter):
    def _prepare(self, header):
        super()._prepare(header)
        self.template[self.pos["status"]] = ""

    def row_hook(self, values, problems):
        pos = self.pos
        kind = values[pos["kind"]]
        if kind in (Contract.Kind.RENTAL, Contract.Kind.PARKING):
            slot = pos.get("unit_id")
            if slot is None or values[slot] is None:
                problems = (problems or []) + [
                    _("%(column)s: %(problem)s")
                    % {"column": "unit", "problem": _("a unit is required for rental and parking contracts")}
                ]
        start = values[pos["start_date"]] if "start_date" in pos else None
        end = values[pos["end_date"]] if "end_date" in pos else None
        if start and end and start is not _BAD and end is not _BAD and end < start:
            problems = (problems or []) + [
                _("%(column)s: %(problem)s")
                % {"column": "end_date", "problem": _("the end date lies before the start date")}
            ]
        slot = pos["status"]
        if values[slot] == "":
            if end is None or end is _BAD:
                values[slot] = Contract.Status.ACTIVE
            elif end < self.run.today:
                values[slot] = Contract.Status.ENDED
            else:
                values[slot] = Contract.Status.TERMINATED
        return problems

    def finish(self):
        """Mark contracts of the companies in this file that are missing from it as ended."""
        if self.complete:
            run = self.run
            present_by_company = self.lines
            for company, present in present_by_company.items():
                if company is _BAD:
                    continue
                qs = Contract.objects.filter(company_id=company, ended_by_import_at__isnull=True)
                stale = [
                    pk
                    for pk, number in qs.values_list("pk", "number").iterator(2000)
                    if number not in present
                ]
                for start in range(0, len(stale), run.batch_size):
                    Contract.objects.filter(pk__in=stale[start : start + run.batch_size]).update(
                        status=Contract.Status.ENDED,
                        ended_by_import_at=run.now,
                        end_date=Coalesce("end_date", Value(run.today)),
                    )
                self.counts.ended += len(stale)
        super().finish()


class _ChildImporter(_FileImporter):
    """Contract parties and rent components: upsert per contract, remove those missing from the file."""

    def __init__(self, run, import_file):
        super().__init__(run, import_file)
        self.key_attnames = _CHILD_KEYS[self.kind]
        self.parents = set()  # contracts present in the file
        self.seen = {}  # pk of a row named in the file -> its line

    def _prepare(self, header):
        super()._prepare(header)
        self.key_pos = [self.pos[a] for a in self.key_attnames if a in self.pos]
        skip = {"company_id", *self.key_attnames}
        self.data_attnames = [a for a in self.attnames if a not in skip]
        self.data_pos = [self.pos[a] for a in self.data_attnames]

    def describe_key(self, values, row_values):
        parts = []
        for attname, value in zip(self.key_attnames, values, strict=True):
            if attname == "contract_id":
                parts.append(row_values.get("contract", ""))
            elif attname == "party_id":
                parts.append(row_values.get("party", ""))
            else:
                parts.append(str(value))
        return " / ".join(parts)

    def process_batch(self, batch):
        # keep the textual references for messages before they become pks
        ref_texts = {}
        for slot, _kind, name in self.refs:
            for row in batch:
                ref_texts.setdefault(id(row), {})[name] = row[1][slot] if type(row[1][slot]) is str else ""
        self.resolve_references(batch)
        ppos = self.pos["contract_id"]
        key_pos = self.key_pos
        keyed = []
        for row in batch:
            values = row[1]
            contract = values[ppos]
            if contract is not _BAD:
                self.parents.add(contract)
            key = tuple(values[i] for i in key_pos)
            keyed.append((row, None if any(v is _BAD for v in key) else key))
        contracts = {values[ppos] for (_l, values, _p), key in keyed if key is not None}
        existing = {}
        if contracts:
            nkey = len(key_pos)
            qs = self.model._default_manager.filter(contract_id__in=contracts)
            for rec in qs.values_list("pk", *self.key_attnames, *self.data_attnames):
                existing[rec[1 : 1 + nkey]] = rec
        duplicate = _("duplicate key “%(key)s”: already on line %(line)d, so this row was rejected")
        batch_lines = {}
        to_create, to_update, changed_fields = [], [], set()
        counts, build = self.counts, self.build
        data_pos, data_attnames = self.data_pos, self.data_attnames
        for row, key in keyed:
            line, values, problems = row
            rec = None
            if key is not None:
                rec = existing.get(key)
                first = batch_lines.get(key)
                if first is None and rec is not None:
                    first = self.seen.get(rec[0])
                if first is None:
                    batch_lines[key] = line
                    if rec is not None:
                        self.seen[rec[0]] = line
                else:
                    described = self.describe_key(key, ref_texts.get(id(row), {}))
                    problems = (problems or []) + [duplicate % {"key": described, "line": first}]
            if problems:
                self.reject(line, problems)
                continue
            if rec is None:
                obj = build(values)
                obj._import_line = line
                to_create.append(obj)
                continue
            new = [values[i] for i in data_pos]
            old = rec[1 + len(key_pos) :]
            if tuple(new) == old:
                counts.unchanged += 1
                continue
            changed_fields.update(a for a, n, o in zip(data_attnames, new, old, strict=True) if n != o)
            obj = self.model(
                pk=rec[0], **{a: values[i] for a, i in zip(data_attnames, data_pos, strict=True)}
            )
            to_update.append(obj)
        if to_create:
            self.model._default_manager.bulk_create(to_create)
            for obj in to_create:
                self.seen[obj.pk] = obj._import_line
            counts.created += len(to_create)
        if to_update:
            self.model._default_manager.bulk_update(to_update, sorted(changed_fields))
            counts.updated += len(to_update)

    def finish(self):
        """Delete rows of the contracts in this file that the file no longer names."""
        if not self.complete:
            return
        manager = self.model._default_manager
        size = self.run.batch_size
        parents = sorted(self.parents)
        stale = []
        for start in range(0, len(parents), size):
            pks = manager.filter(contract_id__in=parents[start : start + size]).values_list("pk", flat=True)
            stale.extend(pk for pk in pks if pk not in self.seen)
        for start in range(0, len(stale), size):
            manager.filter(pk__in=stale[start : start + size]).delete()
        self.counts.removed += len(stale)


class _RentComponentImporter(_ChildImporter):
    def row_hook(self, values, problems):
        slot = self.pos["kind"]
        if values[slot] == "":
            label = values[self.pos["label"]]
            kind = RentComponent.Kind.OTHER
            if label is not _BAD:
                lowered = label.lower()
                kind = next((k for hint, k in _RENT_KIND_HINTS if hint in lowered), kind)
            values[slot] = kind
        return problems

    def _prepare(self, header):
        super()._prepare(header)
        self.template[self.pos["kind"]] = ""


_IMPORTERS = {
    "companies": _CompanyImporter,
    "properties": _KeyedImporter,
    "units": _KeyedImporter,
    "parties": _PartyImporter,
    "contracts": _ContractImporter,
    "contract_parties": _ChildImporter,
    "rent_components": _RentComponentImporter,
}


class _Run:
    def __init__(self, *, today, now):
        self.today = today
        self.now = now
        self.batch_size = max(1, int(portal_settings.IMPORT_BATCH_SIZE))
        self.encodings = list(portal_settings.IMPORT_ENCODINGS)
        self.counts = {}
        self.errors = []
        self.current_file = ""
        self.indexes = {
            kind: _Index(_MODELS[kind], key, scoped=kind != "companies") for kind, key in _KEYS.items()
        }
        companies = self.indexes["companies"].known(None)
        companies.update(Company.objects.exclude(erp_id=None).values_list("erp_id", "pk"))
        self.company_keys = {pk: key for key, pk in companies.items()}
        self._slugs = None
        # what a later reference error can point at as its cause
        self.rejected_rows = {kind: {} for kind in _KEYS}  # kind -> {(company, key): {file, line}}
        self.failed_files = {}  # kind -> file name, when the file was not (completely) read

        def convert_company(value):
            pk = companies.get(value)
            if pk is None:
                raise _Invalid(self.unknown_reference("companies", value, None))
            return pk

        self.company_converter = convert_company

    def unknown_reference(self, kind, value, company):
        """The message for a reference to a missing row, naming the cause when it lies in this run."""
        message = _unknown_reference(kind, value, self.company_keys.get(company, ""))
        cause = self.rejected_rows[kind].get((company, value))
        if cause:
            return message + " " + _("(its row was rejected: %(file)s, line %(line)d)") % cause
        if kind in self.failed_files:
            return message + " " + _("(%(file)s could not be imported)") % {"file": self.failed_files[kind]}
        return message

    def company_slugs(self):
        if self._slugs is None:
            self._slugs = set(Company.objects.values_list("slug", flat=True))
        return self._slugs

    def import_file(self, import_file):
        self.current_file = import_file.name
        first_error = len(self.errors)
        importer = _IMPORTERS[import_file.kind](self, import_file)
        try:
            importer.run_file()
        except _FileError as exc:
            self.failed_files[import_file.kind] = import_file.name
            self.errors.append(RowError(file=import_file.name, line=None, message=str(exc)))
        except OSError as exc:
            self.failed_files[import_file.kind] = import_file.name
            self.errors.append(
                RowError(
                    file=import_file.name,
                    line=None,
                    message=_("The file could not be read: %(error)s") % {"error": exc.strerror or exc},
                )
            )
        # row errors are found in batches, a malformed line while reading: report them in line order
        self.errors[first_error:] = sorted(self.errors[first_error:], key=lambda e: e.line or 0)
        for kind in _RELEASE_AFTER.get(import_file.kind, []):
            self.indexes[kind].by_company = {}


def order_files(files, errors, order=ENTITY_ORDER):
    """The files in ``order`` of their kinds (what refers to others after those); an unknown
    kind or a second file of one kind becomes an error in ``errors`` and is left out. Also
    used by the imports of other apps with their own ``order``."""
    by_kind = {}
    for import_file in files:
        if import_file.kind not in order:
            errors.append(
                RowError(
                    file=import_file.name,
                    line=None,
                    message=_("Unknown file kind “%(kind)s”; accepted kinds: %(kinds)s.")
                    % {"kind": import_file.kind, "kinds": ", ".join(order)},
                )
            )
        elif import_file.kind in by_kind:
            errors.append(
                RowError(
                    file=import_file.name,
                    line=None,
                    message=_("“%(first)s” and “%(second)s” both contain %(kind)s; give one file per kind.")
                    % {
                        "first": by_kind[import_file.kind].name,
                        "second": import_file.name,
                        "kind": import_file.kind,
                    },
                )
            )
        else:
            by_kind[import_file.kind] = import_file
    return [by_kind[kind] for kind in order if kind in by_kind]


def import_master_data(
    files: Iterable[ImportFile],
    *,
    dry_run=False,
    partial=False,
    user=None,
    source=ImportRun.Source.CODE,
    today=None,
) -> ImportResult:
    """Import an ERP export: an idempotent upsert of the given CSV files, in ``ENTITY_ORDER``.

    The caller may rely on:

    - Nothing is saved when ``dry_run`` is true, or when any row or file was rejected and
      ``partial`` is false. With ``partial`` the valid rows are saved and the rejected ones
      reported. ``result.committed`` says which happened.
    - Every rejected row is in ``result.errors`` with file, line and a translated message;
      bad input never raises (only programming errors do).
    - Contracts of the companies named in ``contracts.csv`` that are missing from it are
      marked ended (never deleted); contract parties and rent components of the contracts
      named in their file that are missing from it are deleted.
    - One ``ImportRun`` is recorded per call, also for dry and rolled-back runs.
    - ``signals.master_data_imported`` is sent after a committed run; a receiver that raises is
      logged and does not change the result.
    - ``today`` (default: the local date) decides derived contract statuses and the end
      date of vanished contracts.
    """
    started = timezone.now()
    files = list(files)
    errors = []
    ordered = order_files(files, errors)
    run_state = None
    committed = False
    # The cyclic garbage collector would scan every object of the framework again and again
    # while the import allocates its rows; freezing them cuts the import's CPU time by a third.
    gc.freeze()
    try:
        with transaction.atomic():
            run_state = _Run(today=today or timezone.localdate(), now=started)
            run_state.errors = errors
            for import_file in ordered:
                run_state.counts[import_file.kind] = EntityCounts()
            for import_file in ordered:
                run_state.import_file(import_file)
            committed = not dry_run and (partial or not errors)
            if not committed:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        committed = False
        logger.exception("ERP import failed in the database")
        errors.append(
            RowError(
                file=run_state.current_file if run_state else "",
                line=None,
                message=_("The database refused the data (%(error)s). Nothing was saved.") % {"error": exc},
            )
        )
    finally:
        gc.unfreeze()
    counts = run_state.counts if run_state else {}
    result = ImportResult(
        counts=counts, errors=errors, committed=committed, dry_run=dry_run, run=None, partial=partial
    )
    result.run = _record_run(result, files, started=started, user=user, source=source)
    logger.info("ERP import %s: %s", result.run.pk, "; ".join(result.summary_lines()))
    if committed:
        # The data is saved: a failing receiver is logged, it must not turn the import into an error.
        for receiver, response in signals.master_data_imported.send_robust(
            sender=ImportRun, run=result.run, result=result
        ):
            if isinstance(response, Exception):
                logger.error("Receiver %r of master_data_imported failed", receiver, exc_info=response)
    return result


def _record_run(result, files, *, started, user, source):
    data = result.as_dict()
    stored_errors = data.pop("errors")[:STORED_ERRORS_MAX]
    data.pop("run")
    data["errors_stored"] = len(stored_errors)
    data["files"] = {f.name: f.kind for f in files}
    run = ImportRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        user=user if getattr(user, "pk", None) else None,
        source=source,
        files=[f.name for f in files],
        dry_run=result.dry_run,
        partial=result.partial,
        committed=result.committed,
        summary=data,
        errors=stored_errors,
    )
    keep = portal_settings.IMPORT_KEEP_RUNS
    if keep:
        old = list(ImportRun.objects.order_by("-started_at", "-pk").values_list("pk", flat=True)[keep:])
        if old:
            ImportRun.objects.filter(pk__in=old).delete()
    return run
