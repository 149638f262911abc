"""CSV import of meters, monthly consumption and benchmarks: an idempotent upsert.

Public API (the command ``tenantportal_import_consumption``, the demo and tests use it)::

    files = [consumption_file("export/meters.csv"), consumption_file("export/consumption.csv")]
    result = import_consumption(files, dry_run=False, partial=False)
    result.counts["meters"].created / .updated / .unchanged / .rejected
    result.errors -> [RowError(file="consumption.csv", line=17, message="...")]
    result.committed -> bool

Files are processed in ``FILE_KINDS`` order, so monthly values may refer to meters of the
same run. Cells are parsed with the import toolkit (``core.importing``: German dates and
numbers, ``;``/``,``/tab separators, UTF-8 or Windows-1252). Rows go to the database in
batches: per batch one look-up of references, one of existing rows, one ``bulk_create`` and
one ``bulk_update``. Everything runs in one transaction that is rolled back for a dry run
and, unless ``partial`` is given, when any row was rejected. The columns are documented in
``docs/consumption.md``.
"""

from __future__ import annotations

import csv
import datetime
import os
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..core.importing import (
    NO_WORDS,
    YES_WORDS,
    Column,
    EntityCounts,
    FileError,
    ImportFile,
    ImportResult,
    Invalid,
    RowError,
    batched,
    boolean_parser,
    choice_parser,
    commit_or_roll_back,
    decimal_parser,
    file_error,
    header_problem,
    import_batch_size,
    import_encodings,
    kind_from_name,
    open_csv,
    order_files,
    parse_date,
    short,
    text_parser,
)
from ..tenancy.models import Property, Unit
from ..tenancy.services import company_ids_by_erp_id
from .models import Benchmark, Kind, MeasuringUnit, Meter, MonthlyConsumption, last_of_month

#: The file kinds, in import order (a file's name gives its kind: ``meters.csv``).
FILE_KINDS = ("meters", "consumption", "benchmarks")

KINDS = {
    "heating": Kind.HEATING,
    "heizung": Kind.HEATING,
    "wärme": Kind.HEATING,
    "heizwärme": Kind.HEATING,
    "hkv": Kind.HEATING,
    "heizkostenverteiler": Kind.HEATING,
    "wärmemengenzähler": Kind.HEATING,
    "hot_water": Kind.HOT_WATER,
    "warmwasser": Kind.HOT_WATER,
    "ww": Kind.HOT_WATER,
    "cold_water": Kind.COLD_WATER,
    "kaltwasser": Kind.COLD_WATER,
    "kw": Kind.COLD_WATER,
    "electricity": Kind.ELECTRICITY,
    "strom": Kind.ELECTRICITY,
    "gas": Kind.GAS,
    "erdgas": Kind.GAS,
}
MEASURING_UNITS = {
    "kwh": MeasuringUnit.KWH,
    "m3": MeasuringUnit.CUBIC_METRE,
    "m³": MeasuringUnit.CUBIC_METRE,
    "cbm": MeasuringUnit.CUBIC_METRE,
    "units": MeasuringUnit.HCA_UNITS,
    "einheiten": MeasuringUnit.HCA_UNITS,
    "einh": MeasuringUnit.HCA_UNITS,
    "striche": MeasuringUnit.HCA_UNITS,
}
BASES = {
    "per_m2": Benchmark.Basis.PER_M2,
    "m2": Benchmark.Basis.PER_M2,
    "m²": Benchmark.Basis.PER_M2,
    "pro m²": Benchmark.Basis.PER_M2,
    "je m²": Benchmark.Basis.PER_M2,
    "per_unit": Benchmark.Basis.PER_UNIT,
    "wohnung": Benchmark.Basis.PER_UNIT,
    "absolut": Benchmark.Basis.PER_UNIT,
    "absolute": Benchmark.Basis.PER_UNIT,
}
#: "estimated" is yes, "read" (from the meter) is no.
_flag = boolean_parser(YES_WORDS | {"geschätzt", "geschaetzt", "estimated"}, NO_WORDS | {"abgelesen", "read"})


def _month(value):
    """A month: 10.2026, 10/2026, 2026-10, or the first day as a date (01.10.2026, 2026-10-01)."""
    text = value.replace("/", ".")
    try:
        if len(text) == 7 and text[4] == "-":
            return datetime.date(int(text[:4]), int(text[5:]), 1)
        parts = text.split(".")
        if len(parts) == 2 and len(parts[1]) == 4 and 1 <= len(parts[0]) <= 2:
            return datetime.date(int(parts[1]), int(parts[0]), 1)
    except ValueError:
        pass
    try:
        day = parse_date(value)
    except Invalid:
        raise Invalid(
            _("“%(value)s” is not a month (use 10.2026, 2026-10 or 01.10.2026)") % {"value": short(value)}
        ) from None
    if day.day != 1:
        raise Invalid(_("“%(value)s” is not the first day of a month") % {"value": short(value)})
    return day


_SPECS = {
    "meters": [
        Column("company", text_parser(64), True),
        Column("erp_id", text_parser(64), True),
        Column("unit", text_parser(64), True),
        Column("kind", choice_parser(KINDS), True),
        Column("measuring_unit", choice_parser(MEASURING_UNITS)),
        Column("conversion_factor", decimal_parser(12, 5)),
        Column("serial_number", text_parser(64)),
        Column("location", text_parser(120)),
    ],
    "consumption": [
        Column("company", text_parser(64), True),
        Column("meter", text_parser(64), True),
        Column("month", _month, True),
        Column("value", decimal_parser(14, 3), True),
        Column("estimated", _flag),
    ],
    "benchmarks": [
        Column("company", text_parser(64), True),
        Column("property", text_parser(64)),
        Column("kind", choice_parser(KINDS), True),
        Column("month", _month, True),
        Column("value", decimal_parser(14, 4), True),
        Column("measuring_unit", choice_parser(MEASURING_UNITS)),
        Column("basis", choice_parser(BASES)),
    ],
}
_MODELS = {"meters": Meter, "consumption": MonthlyConsumption, "benchmarks": Benchmark}
_DEFAULTS = {
    "meters": {
        "measuring_unit": MeasuringUnit.KWH,
        "conversion_factor": None,
        "serial_number": "",
        "location": "",
    },
    "consumption": {"estimated": False},
    "benchmarks": {"property": None, "measuring_unit": MeasuringUnit.KWH, "basis": Benchmark.Basis.PER_M2},
}
#: Model fields an import sets (compared to decide "updated" or "unchanged").
_FIELDS = {
    "meters": ["unit_id", "kind", "measuring_unit", "conversion_factor", "serial_number", "location"],
    "consumption": ["value", "estimated"],
    "benchmarks": ["value", "measuring_unit", "basis"],
}


def file_kind(name):
    """The kind a file name stands for (``meters.csv`` -> ``meters``), or None."""
    stem = kind_from_name(name)
    aliases = {
        "monthly_consumption": "consumption",
        "monthly_values": "consumption",
        "benchmark": "benchmarks",
    }
    stem = aliases.get(stem, stem)
    return stem if stem in FILE_KINDS else None


def consumption_file(path, kind=None):
    """An ``ImportFile`` for a file on disk; ``kind`` defaults to the file name. ValueError if unknown."""
    name = os.path.basename(os.fspath(path))
    kind = kind or file_kind(name)
    if kind not in FILE_KINDS:
        raise ValueError(
            _("Cannot tell what “%(name)s” contains: name the file after one of %(kinds)s.")
            % {"name": name, "kinds": ", ".join(f"{k}.csv" for k in FILE_KINDS)}
        )
    return ImportFile.from_path(path, kind=kind)


def upload_file(uploaded_file, kind=None):
    """An ``ImportFile`` for an upload (a name it cannot tell raises ValueError)."""
    name = os.path.basename(uploaded_file.name or "")
    kind = kind or file_kind(name)
    if kind not in FILE_KINDS:
        raise ValueError(_("Unknown file kind: %(name)s") % {"name": name})
    return ImportFile.from_upload(uploaded_file, kind=kind)


@dataclass
class ConsumptionImportResult(ImportResult):
    """What an import did (status and summary as the master-data import's)."""

    def entity_label(self, kind):
        labels = {
            "meters": _("Meters"),
            "consumption": _("Monthly values"),
            "benchmarks": _("Comparison values"),
        }
        return labels[kind]


class _Importer:
    def __init__(self, import_file, result, now, company=None):
        self.file = import_file
        self.kind = import_file.kind
        self.model = _MODELS[self.kind]
        self.result = result
        self.counts = result.counts.setdefault(self.kind, EntityCounts())
        self.now = now
        self.seen = {}  # key -> line, for doubled rows
        self.companies = company_ids_by_erp_id(company)

    def reject(self, line, problems):
        self.counts.rejected += 1
        self.result.errors.append(RowError(file=self.file.name, line=line, message="; ".join(problems)))

    def run(self):
        """Read and write the file; raises ``FileError`` (or ``OSError``) when it is unusable."""
        spec = {col.name: col for col in _SPECS[self.kind]}
        with open_csv(self.file, import_encodings()) as (reader, names):
            # A column named twice is not refused here: the later one wins.
            problem = header_problem(names, _SPECS[self.kind], allow_doubled=True)
            if problem:
                raise FileError(problem)
            for batch in batched(self.parsed_rows(reader, names, spec), import_batch_size()):
                self.write(batch)

    def parsed_rows(self, reader, names, spec):
        """``(line, values)`` of the rows that parse; a malformed line is rejected and ends the file."""
        line = 1
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                parsed = self.parse(row, names, spec, line)
                if parsed is not None:
                    yield line, parsed
        except csv.Error as exc:
            self.reject(
                line + 1,
                [_("malformed CSV (%(error)s); the rest of the file was not read") % {"error": exc}],
            )

    def parse(self, row, names, spec, line):
        if len(row) != len(names):
            self.reject(
                line,
                [
                    _("the row has %(found)d cells, the header has %(expected)d columns")
                    % {"found": len(row), "expected": len(names)}
                ],
            )
            return None
        values = dict(_DEFAULTS[self.kind])
        problems = []
        for name, cell in zip(names, row, strict=True):
            col = spec.get(name)
            if col is None:
                continue
            cell = cell.strip()
            if not cell:
                if col.required:
                    problems.append(
                        _("%(column)s: %(problem)s") % {"column": name, "problem": _("a value is required")}
                    )
                continue
            try:
                values[name] = col.convert(cell)
            except Invalid as exc:
                problems.append(_("%(column)s: %(problem)s") % {"column": name, "problem": exc})
        if "company" in values and not problems:
            company = self.companies.get(values["company"])
            if company is None:
                problems.append(
                    _("company: no company with ERP id “%(value)s”") % {"value": short(values["company"])}
                )
            values["company"] = company
        if problems:
            self.reject(line, problems)
            return None
        return values

    # -- writing -----------------------------------------------------------------------------

    def _lookup(self, model, batch, ref):
        """{(company_id, erp_id): pk} of the ``ref`` column's rows, one query."""
        wanted = {(values["company"], values[ref]) for _line, values in batch if values.get(ref)}
        if not wanted:
            return {}
        condition = {}
        for company, key in wanted:
            condition.setdefault(company, set()).add(key)
        found = {}
        for company, keys in condition.items():
            found.update(
                ((company, erp_id), pk)
                for erp_id, pk in model._default_manager.filter(
                    company_id=company, erp_id__in=keys
                ).values_list("erp_id", "pk")
            )
        return found

    def write(self, batch):
        rows = getattr(self, f"rows_{self.kind}")(batch)
        if not rows:
            return
        existing = self.existing(rows)
        fields = _FIELDS[self.kind]
        new, changed = [], []
        for key, attrs in rows:
            obj = existing.get(key)
            if obj is None:
                new.append(self.model(**attrs, imported_at=self.now))
                continue
            if all(getattr(obj, name) == attrs[name] for name in fields):
                self.counts.unchanged += 1
                continue
            for name in fields:
                setattr(obj, name, attrs[name])
            obj.imported_at = self.now
            changed.append(obj)
        if new:
            self.model._default_manager.bulk_create(new)
            self.counts.created += len(new)
        if changed:
            self.model._default_manager.bulk_update(changed, [*fields, "imported_at"])
            self.counts.updated += len(changed)

    def keep(self, key, line):
        """False (and the row rejected) when the key came earlier in the file."""
        first = self.seen.get(key)
        if first is not None:
            self.reject(line, [_("the same record as line %(line)d") % {"line": first}])
            return False
        self.seen[key] = line
        return True

    def rows_meters(self, batch):
        units = self._lookup(Unit, batch, "unit")
        rows = []
        for line, values in batch:
            unit = units.get((values["company"], values["unit"]))
            if unit is None:
                self.reject(
                    line,
                    [
                        _("unit: no unit with ERP id “%(value)s” in this company")
                        % {"value": short(values["unit"])}
                    ],
                )
                continue
            key = (values["company"], values["erp_id"])
            if not self.keep(key, line):
                continue
            rows.append(
                (
                    key,
                    {
                        "company_id": values["company"],
                        "erp_id": values["erp_id"],
                        "unit_id": unit,
                        "kind": values["kind"],
                        "measuring_unit": values["measuring_unit"],
                        "conversion_factor": values["conversion_factor"],
                        "serial_number": values["serial_number"],
                        "location": values["location"],
                    },
                )
            )
        return rows

    def rows_consumption(self, batch):
        meters = self._lookup(Meter, batch, "meter")
        rows = []
        for line, values in batch:
            meter = meters.get((values["company"], values["meter"]))
            if meter is None:
                self.reject(
                    line,
                    [
                        _("meter: no meter with ERP id “%(value)s” in this company")
                        % {"value": short(values["meter"])}
                    ],
                )
                continue
            key = (meter, values["month"])
            if not self.keep(key, line):
                continue
            rows.append(
                (
                    key,
                    {
                        "meter_id": meter,
                        "month": values["month"],
                        "month_end": last_of_month(values["month"]),
                        "value": values["value"],
                        "estimated": values["estimated"],
                    },
                )
            )
        return rows

    def rows_benchmarks(self, batch):
        properties = self._lookup(Property, batch, "property")
        rows = []
        for line, values in batch:
            prop = None
            if values["property"]:
                prop = properties.get((values["company"], values["property"]))
                if prop is None:
                    self.reject(
                        line,
                        [
                            _("property: no property with ERP id “%(value)s” in this company")
                            % {"value": short(values["property"])}
                        ],
                    )
                    continue
            key = (values["company"], prop, values["kind"], values["month"])
            if not self.keep(key, line):
                continue
            rows.append(
                (
                    key,
                    {
                        "company_id": values["company"],
                        "property_id": prop,
                        "kind": values["kind"],
                        "month": values["month"],
                        "value": values["value"],
                        "measuring_unit": values["measuring_unit"],
                        "basis": values["basis"],
                    },
                )
            )
        return rows

    def existing(self, rows):
        """{key: object} of the rows already in the database (one query)."""
        if self.kind == "meters":
            by_company = {}
            for (company, erp_id), _attrs in rows:
                by_company.setdefault(company, []).append(erp_id)
            found = {}
            for company, keys in by_company.items():
                for obj in Meter.objects.filter(company_id=company, erp_id__in=keys):
                    found[(company, obj.erp_id)] = obj
            return found
        if self.kind == "consumption":
            meters = {key[0] for key, _attrs in rows}
            months = {key[1] for key, _attrs in rows}
            return {
                (obj.meter_id, obj.month): obj
                for obj in MonthlyConsumption.objects.filter(meter_id__in=meters, month__in=months)
            }
        companies = {key[0] for key, _attrs in rows}
        months = {key[3] for key, _attrs in rows}
        return {
            (obj.company_id, obj.property_id, obj.kind, obj.month): obj
            for obj in Benchmark.objects.filter(company_id__in=companies, month__in=months)
        }


def import_consumption(files, *, dry_run=False, partial=False, now=None, company=None):
    """Import meters, monthly values and benchmarks (any subset of ``FILE_KINDS``).

    The caller may rely on: an import of the same files twice changes nothing the second time
    (all rows "unchanged"); every rejected row is in ``result.errors`` with file, line and a
    translated message; nothing is saved for a dry run or, without ``partial``, when any row
    or file was rejected (``result.committed`` says whether it was saved). With ``company``
    (an admin upload) rows of any other company are rejected like rows of an unknown one.
    """
    result = ConsumptionImportResult(dry_run=dry_run, partial=partial)
    now = now or timezone.now()
    # unknown kinds and a second file of one kind are errors, as in the master-data import
    ordered = order_files(files, result.errors, FILE_KINDS)
    with transaction.atomic():
        for import_file in ordered:
            result.counts.setdefault(import_file.kind, EntityCounts())
            try:
                _Importer(import_file, result, now, company).run()
            except (FileError, OSError) as exc:
                result.errors.append(file_error(import_file, exc))
        result.committed = commit_or_roll_back(result.errors, dry_run=dry_run, partial=partial)
    return result
