"""Importers of the keyed master data: companies, properties, units, parties, contracts.

A row is identified by its company and its key (ERP id, for contracts the number) and is
created or updated; per batch one look-up of the existing rows per company, one
``bulk_create`` and one ``bulk_update`` of only the changed fields. Contracts of a company
in ``contracts.csv`` that the file no longer names are marked ended (never deleted).
"""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..core.importing import BAD, short
from .import_columns import KEYS
from .import_rows import FileImporter
from .models import Contract, Party


class KeyedImporter(FileImporter):
    """Companies, properties, units, parties, contracts: upsert by (company, ERP id or number)."""

    def __init__(self, run, import_file):
        super().__init__(run, import_file)
        self.key = KEYS[self.kind]
        self.index = run.indexes[self.kind]
        self.lines = {}  # company -> {key: first line}; for contracts also "present in the export"

    def prepare(self, names):
        super().prepare(names)
        self.cpos = self.pos.get("company_id")
        self.kpos = self.pos.get(self.key)
        skip = {"company_id", self.key}
        self.data = [(i, attname) for i, attname in enumerate(self.attnames) if attname not in skip]
        self.data_attnames = [attname for _i, attname in self.data]
        self.data_pos = [i for i, _attname in self.data]

    def process_batch(self, batch):
        if self.refs:
            self.resolve_references(batch)
        self.write(self.accepted_by_company(batch))

    def accepted_by_company(self, batch):
        """``{company: [(line, values)]}`` of the batch's good rows; rows with problems or a key
        seen before in the file are rejected (and remembered as the cause of later errors)."""
        cpos, kpos = self.cpos, self.kpos
        duplicate = _("duplicate key “%(key)s”: already on line %(line)d, so this row was rejected")
        groups = {}
        for line, values, problems in batch:
            company = values[cpos] if cpos is not None else None
            key = values[kpos]
            if company is not BAD and key is not BAD:
                seen = self.lines.get(company)
                if seen is None:
                    seen = self.lines[company] = {}
                first = seen.get(key)
                if first is None:
                    seen[key] = line
                else:
                    problems = (problems or []) + [duplicate % {"key": short(key), "line": first}]
            if problems:
                self.reject(line, problems)
                if company is not BAD and key is not BAD:
                    self.run.rejected_rows[self.kind].setdefault(
                        (company, key), {"file": self.file.name, "line": line}
                    )
            else:
                groups.setdefault(company, []).append((line, values))
        return groups

    def write(self, groups):
        """Create the new rows and update the changed ones (one look-up per company)."""
        kpos = self.kpos
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


class CompanyImporter(KeyedImporter):
    def accepted_by_company(self, batch):
        only = self.run.only_company
        if only is not None:
            # An import limited to one company creates and changes no other company.
            refused = _("company “%(value)s”: this import is for %(company)s only")
            kpos = self.kpos
            batch = [
                (
                    line,
                    values,
                    problems
                    if values[kpos] is BAD or values[kpos] == only.erp_id
                    else (problems or []) + [refused % {"value": short(values[kpos]), "company": only}],
                )
                for line, values, problems in batch
            ]
        return super().accepted_by_company(batch)

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


class PartyImporter(KeyedImporter):
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

    def prepare(self, names):
        super().prepare(names)
        # an empty kind is derived in row_hook, so the template must say "empty", not the default
        self.template[self.pos["kind"]] = ""


class ContractImporter(KeyedImporter):
    def prepare(self, names):
        super().prepare(names)
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
        if start and end and start is not BAD and end is not BAD and end < start:
            problems = (problems or []) + [
                _("%(column)s: %(problem)s")
                % {"column": "end_date", "problem": _("the end date lies before the start date")}
            ]
        slot = pos["status"]
        if values[slot] == "":
            if end is None or end is BAD:
                values[slot] = Contract.Status.ACTIVE
            elif end < self.run.today:
                values[slot] = Contract.Status.ENDED
            else:
                values[slot] = Contract.Status.TERMINATED
        return problems

    def finish(self):
        """Mark contracts of the companies in this file that are missing from it as ended
        (only for a full export)."""
        if self.complete and self.run.full_export:
            run = self.run
            present_by_company = self.lines
            for company, present in present_by_company.items():
                if company is BAD:
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
