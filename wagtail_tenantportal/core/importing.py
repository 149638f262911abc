"""Toolkit of the CSV imports from the ERP (master data, savings, consumption).

What every import shares, so that they read files, convert cells and report alike:

- Files: :class:`ImportFile` (a file of an export; its name gives its kind),
  :func:`kind_from_name`, :func:`order_files` (processing order, one file per kind).
- Reading: :func:`detect_encoding` (the first of ``IMPORT_ENCODINGS`` that decodes the whole
  file), :func:`open_csv` (separator sniffed from the header line, header names normalised),
  :func:`header_problem` (unknown, doubled and missing columns), :func:`batched` (rows in
  batches of ``IMPORT_BATCH_SIZE``, see :func:`import_batch_size`).
- Cells: :class:`Column` and the converters. A converter takes a stripped, non-empty string
  and returns the value or raises :class:`Invalid` with a translated reason: German and ISO
  dates (:func:`parse_date`), amounts with decimal comma or point (:func:`decimal_parser`),
  whole numbers, yes/no words, choices with German synonyms, text, e-mail, web address,
  country code.
- Outcome: :class:`RowError` (a rejected row or file), :class:`EntityCounts`,
  :class:`ImportResult` (status sentence and summary lines), :func:`file_error` and
  :func:`commit_or_roll_back` (dry run and "partial" decide what is kept).

Each import keeps its own columns, look-ups and upsert rules on top of this.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .conf import portal_settings

#: Bytes read at a time while checking a file's encoding.
READ_CHUNK = 1 << 20

#: The value of a cell that failed its conversion (compare with ``is``).
BAD = object()


class Invalid(Exception):
    """A cell that cannot be converted; ``str(exc)`` is the translated reason."""


class FileError(Exception):
    """The whole file is unusable; nothing of it is imported. ``str(exc)`` is the reason."""


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def kind_from_name(name):
    """The kind a file name stands for: its stem without ``.csv``/``.txt``, lower case, with
    ``-`` and spaces as ``_`` (``Contract-Parties.CSV`` -> ``contract_parties``)."""
    stem = os.path.basename(name or "").lower()
    for ext in (".csv", ".txt"):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
    return stem.strip().replace("-", "_").replace(" ", "_")


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
    """One CSV file of an export. ``open()`` returns a new binary stream positioned at the start.

    An import whose files have a fixed set of kinds overrides :meth:`checked_kind`.
    """

    name: str
    kind: str
    open: Callable[[], BinaryIO]

    @classmethod
    def checked_kind(cls, name, kind=None):
        """``kind``, else the kind ``name`` stands for; subclasses raise ``ValueError`` with a
        translated message for a kind they do not accept."""
        return kind or kind_from_name(name)

    @classmethod
    def from_path(cls, path, kind=None):
        """A file on disk; ``kind`` defaults to what the file name stands for."""
        path = os.fspath(path)
        name = os.path.basename(path)
        return cls(name=name, kind=cls.checked_kind(name, kind), open=functools.partial(io.open, path, "rb"))

    @classmethod
    def from_upload(cls, uploaded_file, kind=None):
        """A Django ``UploadedFile``; it is rewound on every ``open()``, streamed, and left
        open for the caller."""
        name = os.path.basename(uploaded_file.name or "")

        def _open():
            uploaded_file.seek(0)
            return io.BufferedReader(_KeepOpen(uploaded_file))

        return cls(name=name, kind=cls.checked_kind(name, kind), open=_open)


def order_files(files, errors, order):
    """The files in ``order`` of their kinds (what refers to others after those); an unknown
    kind or a second file of one kind becomes a :class:`RowError` in ``errors`` and is left out."""
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


# --------------------------------------------------------------------------------------------
# Outcome
# --------------------------------------------------------------------------------------------


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
    """Rows per outcome. ``ended``: rows marked ended because they vanished from the export;
    ``removed``: rows deleted because they vanished from their file."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ended: int = 0
    removed: int = 0


@dataclass
class ImportResult:
    """What an import did: counts per kind of the files given (in processing order) and every
    rejected row. When ``committed`` is False nothing was saved; the counts then say what
    *would* have happened. Imports subclass it for :meth:`entity_label`."""

    counts: dict[str, EntityCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    partial: bool = False

    @property
    def has_errors(self):
        return bool(self.errors)

    def entity_label(self, kind):
        """The translated plural name of a kind (subclasses name their kinds)."""
        return capfirst(kind.replace("_", " "))

    def as_dict(self):
        """A JSON-able summary."""
        return {
            "committed": self.committed,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "counts": {kind: asdict(counts) for kind, counts in self.counts.items()},
            "error_count": len(self.errors),
            "errors": [asdict(error) for error in self.errors],
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

    def summary_lines(self):
        """Translated lines: one per kind, then the status sentence."""
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


def file_error(import_file, exc):
    """The :class:`RowError` of a file that failed as a whole: a :class:`FileError`'s reason,
    or an ``OSError`` while reading it."""
    if isinstance(exc, OSError):
        message = _("The file could not be read: %(error)s") % {"error": exc.strerror or exc}
    else:
        message = str(exc)
    return RowError(file=import_file.name, line=None, message=message)


def commit_or_roll_back(errors, *, dry_run, partial):
    """Inside the import's ``transaction.atomic()`` block: True when what was written is kept
    (not a dry run, and no errors or ``partial``); otherwise the block is marked for rollback."""
    committed = not dry_run and (partial or not errors)
    if not committed:
        transaction.set_rollback(True)
    return committed


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def import_encodings():
    """The accepted encodings, in the order they are tried (setting ``IMPORT_ENCODINGS``)."""
    return list(portal_settings.IMPORT_ENCODINGS)


def import_batch_size():
    """Rows written per batch (setting ``IMPORT_BATCH_SIZE``, at least 1)."""
    return max(1, int(portal_settings.IMPORT_BATCH_SIZE))


def detect_encoding(import_file, encodings):
    """The first of ``encodings`` that decodes the whole file (read in chunks); UTF-8 drops a
    byte order mark. Raises :class:`FileError` for UTF-16 and for a file no encoding decodes,
    naming the line of the first invalid byte."""
    first_failure = None
    for encoding in encodings:
        if codecs.lookup(encoding).name == "utf-8":
            encoding = "utf-8-sig"  # drops a byte order mark
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        newlines = 0
        with import_file.open() as stream:
            head = stream.read(READ_CHUNK)
            if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise FileError(_("The file is saved as UTF-16. Save it as UTF-8 or Windows-1252 (ANSI)."))
            chunk = head
            try:
                while chunk:
                    decoder.decode(chunk)
                    newlines += chunk.count(b"\n")
                    chunk = stream.read(READ_CHUNK)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError as exc:
                if first_failure is None:
                    first_failure = newlines + chunk[: max(exc.start, 0)].count(b"\n") + 1
    raise FileError(
        _(
            "The file is not valid text in any of the accepted encodings (%(encodings)s); the first invalid "
            "byte is on line %(line)d. Save it as UTF-8 or Windows-1252 (ANSI)."
        )
        % {"encodings": ", ".join(encodings), "line": first_failure or 1}
    )


def sniff_delimiter(line):
    """The separator of a CSV file from its header line: ``;``, ``,`` or tab, whichever occurs most."""
    return max((";", ",", "\t"), key=line.count)


def column_names(header):
    """The cells of a header row as column names: without byte order mark and spaces, lower case."""
    return [name.replace("\ufeff", "").strip().lower() for name in header]


@contextmanager
def open_csv(import_file, encodings):
    """Open a CSV file of an export: yields ``(reader, names)``, a strict ``csv.reader``
    positioned after the header line and the header's :func:`column_names`.

    Raises :class:`FileError` when no encoding fits, the file is empty or the header line is
    not valid CSV; ``OSError`` when the file cannot be read.
    """
    encoding = detect_encoding(import_file, encodings)
    with import_file.open() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        first = text.readline()
        if not first.strip():
            raise FileError(_("The file is empty; its first line must name the columns."))
        reader = csv.reader(chain([first], text), delimiter=sniff_delimiter(first), strict=True)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise FileError(
                _("The first line (the column names) is not valid CSV: %(error)s") % {"error": exc}
            ) from None
        yield reader, column_names(header)


def header_problem(names, columns, *, allow_doubled=False):
    """What is wrong with a header (unknown, doubled, missing required columns) as one
    translated text, "" when nothing is. ``columns`` are the accepted columns (objects with
    ``name`` and ``required``, in the order the message lists them)."""
    accepted = {column.name: column for column in columns}
    problems = []
    unknown = [name for name in names if name and name not in accepted]
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. Accepted columns: %(accepted)s.")
            % {"columns": ", ".join(unknown), "accepted": ", ".join(accepted)}
        )
    if not allow_doubled:
        doubled = sorted({name for name in names if name and names.count(name) > 1})
        if doubled:
            problems.append(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(doubled)})
    missing = [column.name for column in accepted.values() if column.required and column.name not in names]
    if missing:
        problems.append(_("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
    return " ".join(problems)


def batched(rows: Iterable, size: int) -> Iterator[list]:
    """Lists of up to ``size`` consecutive items of ``rows`` (the last one may be shorter)."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --------------------------------------------------------------------------------------------
# Cells: a converter takes a stripped, non-empty string and returns the value or raises Invalid.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a CSV file: its header name, its converter (None: the import decides) and
    whether every row needs a value."""

    name: str
    convert: Callable | None = None
    required: bool = False


def short(value, limit=60):
    """``value`` cut to ``limit`` characters for a message (with an ellipsis)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def too_long(limit):
    """The translated reason for a value longer than ``limit`` characters."""
    return ngettext(
        "the value is longer than %(max)d character", "the value is longer than %(max)d characters", limit
    ) % {"max": limit}


def parse_date(value):
    """A date written 2026-01-31 or 31.01.2026 (also 1.1.2026)."""
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return datetime.date.fromisoformat(value)
        parts = value.split(".")
        if len(parts) == 3 and len(parts[2]) == 4 and len(parts[0]) <= 2 and len(parts[1]) <= 2:
            return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise Invalid(_("“%(value)s” is not a date (use 2026-01-31 or 31.01.2026)") % {"value": short(value)})


def decimal_parser(max_digits, places, signed=False):
    """A converter to ``Decimal`` that fits a ``DecimalField(max_digits, places)``: decimal
    comma or point, thousands separators (1.234,56 and 1,234.56), trailing zeros beyond
    ``places`` dropped; negative numbers only when ``signed``."""
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
            raise Invalid(
                _("“%(value)s” is not a number (use 1234.56 or 1.234,56)") % {"value": short(value)}
            )
        if number.as_tuple().exponent < -places:
            rounded = number.quantize(quantum)
            if rounded != number:
                raise Invalid(
                    ngettext(
                        "“%(value)s” has more than %(places)d decimal place",
                        "“%(value)s” has more than %(places)d decimal places",
                        places,
                    )
                    % {"value": short(value), "places": places}
                )
            number = rounded
        if number and number.adjusted() >= whole_digits:
            raise Invalid(_("“%(value)s” is too large") % {"value": short(value)})
        if number < 0 and not signed:
            raise Invalid(_("“%(value)s” must not be negative") % {"value": short(value)})
        return number

    return convert


def integer_parser(minimum, maximum):
    """A converter to ``int`` from ``minimum`` to ``maximum``."""

    def convert(value):
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not minimum <= number <= maximum:
            raise Invalid(
                _("“%(value)s” is not a whole number from %(min)d to %(max)d")
                % {"value": short(value), "min": minimum, "max": maximum}
            )
        return number

    return convert


def choice_parser(mapping):
    """A converter through ``mapping`` (the English value or a German synonym -> the stored
    value), case-insensitively and ignoring a trailing full stop."""
    lookup = {key.lower(): value for key, value in mapping.items()}
    accepted = ", ".join(mapping)

    def convert(value):
        try:
            return lookup[value.lower().rstrip(".")]
        except KeyError:
            raise Invalid(
                _("“%(value)s” is not one of: %(choices)s") % {"value": short(value), "choices": accepted}
            ) from None

    return convert


#: Words a yes/no column accepts for yes and for no (lower case).
YES_WORDS = frozenset({"1", "ja", "j", "yes", "y", "true", "wahr", "x"})
NO_WORDS = frozenset({"0", "nein", "n", "no", "false", "falsch"})


def boolean_parser(yes=YES_WORDS, no=NO_WORDS):
    """A converter to True/False from the words in ``yes`` and ``no`` (case-insensitive)."""

    def convert(value):
        lowered = value.lower()
        if lowered in yes:
            return True
        if lowered in no:
            return False
        raise Invalid(_("“%(value)s” is not yes or no (use ja/nein or 1/0)") % {"value": short(value)})

    return convert


def text_parser(max_length):
    """A converter accepting text of at most ``max_length`` characters."""

    def convert(value):
        if len(value) > max_length:
            raise Invalid(too_long(max_length))
        return value

    return convert


_email_validator = EmailValidator()
_url_validator = URLValidator()


def parse_email(value):
    """An e-mail address (at most 254 characters)."""
    if len(value) > 254:
        raise Invalid(too_long(254))
    try:
        _email_validator(value)
    except ValidationError:
        raise Invalid(_("“%(value)s” is not a valid email address") % {"value": short(value)}) from None
    return value


def parse_url(value):
    """A web address; ``https://`` is added when no scheme is given (at most 200 characters)."""
    url = value if "://" in value else "https://" + value
    try:
        _url_validator(url)
    except ValidationError:
        url = None
    if url is None or len(url) > 200:
        raise Invalid(_("“%(value)s” is not a valid web address") % {"value": short(value)})
    return url


def parse_country(value):
    """A two-letter country code, upper case (``de`` -> ``DE``)."""
    if len(value) != 2 or not value.isalpha() or not value.isascii():
        raise Invalid(_("“%(value)s” is not a two-letter country code such as DE") % {"value": short(value)})
    return value.upper()
