"""Importers of the rows that belong to a contract: contract parties and rent components.

A row is identified by its contract and its key columns (``CHILD_KEYS``). Rows of the
contracts named in the file that the file no longer names are deleted.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..core.importing import BAD
from .import_columns import CHILD_KEYS, RENT_KIND_HINTS
from .import_rows import FileImporter
from .models import RentComponent


class ChildImporter(FileImporter):
    """Contract parties and rent components: upsert per contract, remove those missing from the file."""

    def __init__(self, run, import_file):
        super().__init__(run, import_file)
        self.key_attnames = CHILD_KEYS[self.kind]
        self.parents = set()  # contracts present in the file
        self.seen = {}  # pk of a row named in the file -> its line

    def prepare(self, names):
        super().prepare(names)
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

    def reference_texts(self, batch):
        """``{id(row): {column: text}}``: the references as written, for messages, before they become pks."""
        ref_texts = {}
        for slot, _kind, name in self.refs:
            for row in batch:
                ref_texts.setdefault(id(row), {})[name] = row[1][slot] if type(row[1][slot]) is str else ""
        return ref_texts

    def keyed_rows(self, batch):
        """``[(row, key)]`` with the row's key tuple (None when a key cell is bad); notes the
        contracts the file names."""
        ppos, key_pos = self.pos["contract_id"], self.key_pos
        keyed = []
        for row in batch:
            values = row[1]
            contract = values[ppos]
            if contract is not BAD:
                self.parents.add(contract)
            key = tuple(values[i] for i in key_pos)
            keyed.append((row, None if any(v is BAD for v in key) else key))
        return keyed

    def existing_rows(self, keyed):
        """``{key: (pk, *key, *data)}`` of the stored rows of the batch's contracts (one query)."""
        ppos = self.pos["contract_id"]
        contracts = {values[ppos] for (_l, values, _p), key in keyed if key is not None}
        existing = {}
        if contracts:
            nkey = len(self.key_pos)
            qs = self.model._default_manager.filter(contract_id__in=contracts)
            for rec in qs.values_list("pk", *self.key_attnames, *self.data_attnames):
                existing[rec[1 : 1 + nkey]] = rec
        return existing

    def process_batch(self, batch):
        ref_texts = self.reference_texts(batch)
        self.resolve_references(batch)
        keyed = self.keyed_rows(batch)
        existing = self.existing_rows(keyed)
        key_pos = self.key_pos
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


class RentComponentImporter(ChildImporter):
    def row_hook(self, values, problems):
        slot = self.pos["kind"]
        if values[slot] == "":
            label = values[self.pos["label"]]
            kind = RentComponent.Kind.OTHER
            if label is not BAD:
                lowered = label.lower()
                kind = next((k for hint, k in RENT_KIND_HINTS if hint in lowered), kind)
            values[slot] = kind
        return problems

    def prepare(self, names):
        super().prepare(names)
        self.template[self.pos["kind"]] = ""
