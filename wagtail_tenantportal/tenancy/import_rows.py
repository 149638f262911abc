"""Reading a master-data file: the base of the per-kind importers (``import_keyed``,
``import_children``).

A file is read as a stream and handed on in batches of ``IMPORT_BATCH_SIZE`` rows. Each row
becomes ``[line, values, problems]``: ``values`` in the slots of the header's columns (plus
computed ones), converted cell by cell; a cell that failed is ``BAD`` and its reason is in
``problems``. References to rows of other kinds are resolved per batch with one query per
kind and company (``Index``).
"""

from __future__ import annotations

import csv
import operator

from django.utils.translation import gettext as _

from ..core.importing import BAD, FileError, Invalid, RowError, batched, header_problem, open_csv, too_long
from .import_columns import COMPUTED, KEYS, MODELS, SPECS, empty_value, field_max_length


class Index:
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


class FileImporter:
    """Imports one file of one kind into the run; keyed entities and child entities differ in process_batch."""

    def __init__(self, run, import_file):
        self.run = run
        self.file = import_file
        self.kind = import_file.kind
        self.model = MODELS[self.kind]
        self.counts = run.counts[self.kind]
        self.complete = False  # True when every line of the file was read
        self.stamp = (
            {"imported_at": run.now} if any(f.name == "imported_at" for f in self.model._meta.fields) else {}
        )

    # ---- reading -----------------------------------------------------------------------

    def run_file(self):
        """Read and write the whole file; raises ``FileError`` (or ``OSError``) when it is unusable."""
        with open_csv(self.file, self.run.encodings) as (reader, names):
            self.prepare(names)
            if self.file_problem:
                try:
                    self.counts.rejected = sum(1 for row in reader if any(row))
                except csv.Error:
                    pass
                raise FileError(self.file_problem)
            for batch in batched(self.rows(reader), self.run.batch_size):
                self.process_batch(batch)
        if not self.complete:
            self.run.failed_files[self.kind] = self.file.name
        self.finish()

    def prepare(self, names):
        """Map the header's columns to slots; sets ``file_problem`` for unknown, doubled or missing columns."""
        spec = {column.name: column for column in SPECS[self.kind]}
        self.file_problem = header_problem(names, SPECS[self.kind])
        self.ncols = len(names)
        present = [spec[name] for name in names if name in spec]
        attnames = [column.attname for column in present]
        attnames += [a for a in COMPUTED.get(self.kind, []) if a not in attnames]
        self.attnames = attnames
        self.pos = {attname: i for i, attname in enumerate(attnames)}
        self.template = [empty_value(self.model, attname) for attname in attnames]
        # (cell index, slot, converter, max_length, required, column name)
        self.cells = []
        for index, name in enumerate(names):
            column = spec.get(name)
            if column is None:
                continue
            max_length = (
                None
                if column.convert
                else (64 if column.ref else field_max_length(self.model, column.attname))
            )
            convert = self.run.company_converter if column.ref == "companies" else column.convert
            self.cells.append((index, self.pos[column.attname], convert, max_length, column.required, name))
        self.refs = [
            (self.pos[column.attname], column.ref, column.name)
            for column in present
            if column.ref and column.ref != "companies"
        ]
        self.build = self._make_builder()
        self.convert_row = self._make_converter()

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
            a: v for a, v in zip(self.attnames, values, strict=True) if a != "company_id" or self.kind in KEYS
        }
        return self.model(**fields, **self.stamp)

    def _make_converter(self):
        """A function ``row -> (values, problems)``: every cell converted into its slot (``BAD``
        and a message in ``problems`` when it fails; ``problems`` is None for a good row)."""
        cells = self.cells
        template = self.template
        too_long_message = too_long
        required_message = _("a value is required")
        cell_message = _("%(column)s: %(problem)s")

        def convert_row(row):
            values = template.copy()
            problems = None
            for index, slot, convert, max_length, required, name in cells:
                value = row[index].strip()
                if value:
                    if convert is None:
                        if len(value) > max_length or "\x00" in value:
                            problem = (
                                too_long_message(max_length)
                                if len(value) > max_length
                                else _("contains a NUL character")
                            )
                            problems = (problems or []) + [
                                cell_message % {"column": name, "problem": problem}
                            ]
                            values[slot] = BAD
                        else:
                            values[slot] = value
                    else:
                        try:
                            values[slot] = convert(value)
                        except Invalid as exc:
                            problems = (problems or []) + [cell_message % {"column": name, "problem": exc}]
                            values[slot] = BAD
                elif required:
                    problems = (problems or []) + [
                        cell_message % {"column": name, "problem": required_message}
                    ]
                    values[slot] = BAD
            return values, problems

        return convert_row

    def rows(self, reader):
        """Yield ``[line, values, problems]`` per record; ``problems`` is None or a list of messages.
        A malformed line is rejected and ends the file; ``complete`` tells whether all was read."""
        ncols = self.ncols
        convert_row = self.convert_row
        row_hook = self.row_hook
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
            values, problems = convert_row(row)
            if row_hook is not None:
                problems = row_hook(values, problems)
            yield [line, values, problems]
        self.complete = True

    #: Optional ``(values, problems) -> problems``: derives computed values and checks a row
    #: as a whole (set by the importers of parties, contracts and rent components).
    row_hook = None

    # ---- writing -----------------------------------------------------------------------

    def process_batch(self, batch):
        """Write a batch of ``[line, values, problems]`` rows: rejected ones counted, others upserted."""
        raise NotImplementedError

    def reject(self, line, problems):
        """Count the row as rejected and report it with its problems."""
        self.counts.rejected += 1
        self.run.errors.append(RowError(file=self.file.name, line=line, message="; ".join(problems)))

    def resolve_references(self, batch):
        """Replace reference keys by pks with one query per referenced kind and company."""
        cpos = self.pos.get("company_id")
        for slot, kind, column_name in self.refs:
            wanted = {}
            for _line, values, _problems in batch:
                company, value = values[cpos], values[slot]
                if company is not BAD and type(value) is str:
                    wanted.setdefault(company, set()).add(value)
            index = self.run.indexes[kind]
            known = {company: index.fetch(company, keys) for company, keys in wanted.items()}
            for row in batch:
                values = row[1]
                value = values[slot]
                if type(value) is not str:
                    continue
                company = values[cpos]
                pk = known[company].get(value) if company is not BAD else None
                if pk is None:
                    values[slot] = BAD
                    if company is not BAD:
                        message = self.run.unknown_reference(kind, value, company)
                        row[2] = (row[2] or []) + [
                            _("%(column)s: %(problem)s") % {"column": column_name, "problem": message}
                        ]
                else:
                    values[slot] = pk

    def finish(self):
        """After the last batch: what the file's absence of rows means (subclasses)."""
