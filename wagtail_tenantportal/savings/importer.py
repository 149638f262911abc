"""CSV import of the savings data from the ERP: an idempotent upsert.

Public API (``services.import_savings`` is the same function)::

    files = [savings_file("export/savings_accounts.csv"), ...]
    result = import_savings(files, dry_run=False, partial=False)
    result.counts["savings_transactions"].created / .updated / .unchanged / .rejected / .removed
    result.errors -> [RowError(file="savings_transactions.csv", line=17, message="...")]
    result.committed -> bool

Files (the file name gives the kind; the format is documented in ``docs/savings.md``):
``savings_accounts.csv``, ``savings_holders.csv``, ``savings_transactions.csv``,
``exemption_orders.csv``. They are processed in that order, so a transaction may name an
account created by the same run.

The cells are read with the import toolkit (``core.importing``): German and ISO dates,
amounts with decimal comma or point, ``;`` or ``,`` as separator, UTF-8 or Windows-1252
(``IMPORT_ENCODINGS``). Rows go to the database in batches of ``IMPORT_BATCH_SIZE``: one
look-up of existing rows per batch, one ``bulk_create`` and one ``bulk_update``. Everything
runs in one transaction, rolled back for a dry run and, unless ``partial`` is given, when any
row was rejected.

Nothing is deleted, except the holders of an account named in ``savings_holders.csv`` that
the file no longer names (the holder list of an account is replaced as a whole).
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..core.importing import (
    BAD,
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
from ..tenancy.models import Contract, Party
from ..tenancy.services import company_ids_by_erp_id
from .models import ExemptionOrder, SavingsAccount, SavingsAccountHolder, SavingsTransaction

logger = logging.getLogger(__name__)

ACCOUNTS = "savings_accounts"
HOLDERS = "savings_holders"
TRANSACTIONS = "savings_transactions"
EXEMPTIONS = "exemption_orders"
KIND_ORDER = [ACCOUNTS, HOLDERS, TRANSACTIONS, EXEMPTIONS]
MODELS = {
    ACCOUNTS: SavingsAccount,
    HOLDERS: SavingsAccountHolder,
    TRANSACTIONS: SavingsTransaction,
    EXEMPTIONS: ExemptionOrder,
}

TRANSACTION_KINDS = {
    "deposit": SavingsTransaction.Kind.DEPOSIT,
    "withdrawal": SavingsTransaction.Kind.WITHDRAWAL,
    "interest": SavingsTransaction.Kind.INTEREST,
    "tax": SavingsTransaction.Kind.TAX,
    "fee": SavingsTransaction.Kind.FEE,
    "other": SavingsTransaction.Kind.OTHER,
    "Einzahlung": SavingsTransaction.Kind.DEPOSIT,
    "Einlage": SavingsTransaction.Kind.DEPOSIT,
    "Auszahlung": SavingsTransaction.Kind.WITHDRAWAL,
    "Abhebung": SavingsTransaction.Kind.WITHDRAWAL,
    "Zinsen": SavingsTransaction.Kind.INTEREST,
    "Zinsgutschrift": SavingsTransaction.Kind.INTEREST,
    "Steuer": SavingsTransaction.Kind.TAX,
    "KapESt": SavingsTransaction.Kind.TAX,
    "Kapitalertragsteuer": SavingsTransaction.Kind.TAX,
    "Soli": SavingsTransaction.Kind.TAX,
    "Gebühr": SavingsTransaction.Kind.FEE,
    "Entgelt": SavingsTransaction.Kind.FEE,
    "Sonstiges": SavingsTransaction.Kind.OTHER,
}
# An empty kind is guessed from the booking text (first match wins), else from the sign.
_KIND_HINTS = [
    ("kapitalertrag", SavingsTransaction.Kind.TAX),
    ("kapest", SavingsTransaction.Kind.TAX),
    ("solidarit", SavingsTransaction.Kind.TAX),
    ("soli", SavingsTransaction.Kind.TAX),
    ("kirchenst", SavingsTransaction.Kind.TAX),
    ("zins", SavingsTransaction.Kind.INTEREST),
    ("gebühr", SavingsTransaction.Kind.FEE),
    ("entgelt", SavingsTransaction.Kind.FEE),
]


def _sequence(value):
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 2_000_000_000:
        raise Invalid(_("“%(value)s” is not a whole number of 0 or more") % {"value": short(value)})
    return number


_AMOUNT = decimal_parser(14, 2, signed=True)
_ID = text_parser(64)

SPECS = {
    ACCOUNTS: [
        Column("company", _ID, required=True),
        Column("erp_id", _ID, required=True),
        Column("number", text_parser(40), required=True),
        Column("product", text_parser(200)),
        Column("interest_rate", decimal_parser(6, 3)),
        Column("opened_on", parse_date),
        Column("closed_on", parse_date),
        Column("contract", text_parser(40)),
    ],
    HOLDERS: [
        Column("company", _ID, required=True),
        Column("account", _ID, required=True),
        Column("party", _ID, required=True),
    ],
    TRANSACTIONS: [
        Column("company", _ID, required=True),
        Column("account", _ID, required=True),
        Column("erp_id", _ID, required=True),
        Column("booking_date", parse_date, required=True),
        Column("value_date", parse_date),
        Column("amount", _AMOUNT, required=True),
        Column("balance_after", _AMOUNT, required=True),
        Column("kind", choice_parser(TRANSACTION_KINDS)),
        Column("text", text_parser(200)),
        Column("sequence", _sequence),
    ],
    EXEMPTIONS: [
        Column("company", _ID, required=True),
        Column("erp_id", _ID, required=True),
        Column("party", _ID, required=True),
        Column("amount", decimal_parser(10, 2), required=True),
        Column("valid_from", parse_date, required=True),
        Column("valid_until", parse_date),
        Column("joint", boolean_parser()),
    ],
}


def _checked_kind(name, kind):
    kind = kind or kind_from_name(name)
    if kind not in KIND_ORDER:
        raise ValueError(
            _(
                "Cannot tell what “%(name)s” contains: name the file after one of %(kinds)s "
                "(e.g. savings_transactions.csv)."
            )
            % {"name": name, "kinds": ", ".join(f"{k}.csv" for k in KIND_ORDER)}
        )
    return kind


def savings_file(path, kind=None):
    """An ``ImportFile`` of a savings CSV on disk; ``kind`` defaults to the file stem.

    Raises ``ValueError`` with a translated message when the kind is unknown.
    """
    return ImportFile.from_path(path, kind=_checked_kind(os.path.basename(os.fspath(path)), kind))


def savings_upload(uploaded_file, kind=None):
    """An ``ImportFile`` of an uploaded savings CSV (rewound on every read); ``ValueError``
    for a name it cannot tell."""
    return ImportFile.from_upload(
        uploaded_file, kind=_checked_kind(os.path.basename(uploaded_file.name or ""), kind)
    )


def entity_label(kind):
    return capfirst(str(MODELS[kind]._meta.verbose_name_plural))


@dataclass
class SavingsImportResult(ImportResult):
    """What an import did (status and summary as the master-data import's); when ``committed``
    is False nothing was saved."""

    def entity_label(self, kind):
        return entity_label(kind)

    def as_dict(self):
        return {
            "committed": self.committed,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "counts": {kind: asdict(c) for kind, c in self.counts.items()},
            "errors": [asdict(e) for e in self.errors],
        }


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _read(import_file, encodings, spec):
    """Yield ``(line, values, problems)`` per non-empty row; ``values`` maps column -> value
    (None for an empty cell, ``BAD`` for a cell that failed its conversion)."""
    with open_csv(import_file, encodings) as (reader, header):
        problem = header_problem(header, spec)
        if problem:
            raise FileError(problem)
        columns = {column.name: column for column in spec}
        previous_end = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileError(
                    _("Line %(line)d is not valid CSV: %(error)s") % {"line": reader.line_num, "error": exc}
                ) from None
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            row_problems = []
            if len(row) > len(header):
                row_problems.append(
                    _("the row has %(found)d cells, the header %(expected)d")
                    % {"found": len(row), "expected": len(header)}
                )
            values = {}
            for name, cell in zip(header, row, strict=False):
                if not name:
                    continue
                cell = cell.strip()
                column = columns[name]
                if not cell:
                    values[name] = None
                    continue
                try:
                    values[name] = column.convert(cell)
                except Invalid as exc:
                    values[name] = BAD
                    row_problems.append(f"{name}: {exc}")
            for column in spec:
                values.setdefault(column.name, None)
                if column.required and values[column.name] is None:
                    row_problems.append(
                        _("%(column)s: this column must not be empty") % {"column": column.name}
                    )
            yield line, values, row_problems


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class _Run:
    def __init__(self, now, company=None):
        self.now = now
        self.batch_size = import_batch_size()
        self.encodings = import_encodings()
        self.companies = company_ids_by_erp_id(company)
        self.counts = {}
        self.errors = []
        self.file = ""

    def reject(self, counts, line, problems):
        counts.rejected += 1
        self.errors.append(RowError(file=self.file, line=line, message="; ".join(problems)))

    def company(self, values, problems):
        erp_id = values["company"]
        if erp_id in (None, BAD):
            return None
        pk = self.companies.get(erp_id)
        if pk is None:
            problems.append(_("no company with ERP id “%(value)s”") % {"value": short(erp_id)})
        return pk

    def import_file(self, import_file):
        self.file = import_file.name
        counts = self.counts[import_file.kind]
        handler = getattr(self, f"_batch_{import_file.kind}")
        self.seen = {}  # key -> line of its first row in this file
        self.holder_accounts, self.holder_keep = set(), set()
        for batch in batched(_read(import_file, self.encodings, SPECS[import_file.kind]), self.batch_size):
            handler(batch, counts)
        if import_file.kind == HOLDERS:
            self._remove_stale_holders(counts)

    def _first_time(self, key, line, problems):
        first = self.seen.get(key)
        if first is not None:
            problems.append(
                _("duplicate key “%(key)s”: already on line %(line)d, so this row was rejected")
                % {"key": " / ".join(str(k) for k in key[1:]), "line": first}
            )
            return False
        self.seen[key] = line
        return True

    def _lookup(self, model, field, keys):
        """``{(company_id, value): pk}`` of the ``model`` rows with those keys (one query)."""
        if not keys:
            return {}
        companies = {company for company, _v in keys}
        values = {value for _c, value in keys}
        rows = model._default_manager.filter(company_id__in=companies, **{f"{field}__in": values})
        return {(c, v): pk for c, v, pk in rows.values_list("company_id", field, "pk") if (c, v) in keys}

    def _upsert(self, model, prepared, counts, key_fields, data_fields):
        """Create or update ``prepared`` rows ``(line, key, data)``; ``key`` is the tuple of
        ``key_fields`` values. Unchanged rows are counted, not written."""
        if not prepared:
            return
        filters = {f"{name}__in": {key[i] for _l, key, _d in prepared} for i, name in enumerate(key_fields)}
        existing = {}
        for rec in model._default_manager.filter(**filters).values_list("pk", *key_fields, *data_fields):
            existing[tuple(rec[1 : 1 + len(key_fields)])] = rec
        stamp = {"imported_at": self.now} if any(f.name == "imported_at" for f in model._meta.fields) else {}
        to_create, to_update, changed = [], [], set()
        for _line, key, data in prepared:
            rec = existing.get(key)
            if rec is None:
                to_create.append(model(**dict(zip(key_fields, key, strict=True)), **data, **stamp))
                continue
            old = dict(zip(data_fields, rec[1 + len(key_fields) :], strict=True))
            diff = [name for name in data_fields if old[name] != data[name]]
            if not diff:
                counts.unchanged += 1
                continue
            changed.update(diff)
            to_update.append(model(pk=rec[0], **data, **stamp))
        if to_create:
            model._default_manager.bulk_create(to_create)
            counts.created += len(to_create)
        if to_update:
            model._default_manager.bulk_update(to_update, sorted(changed | set(stamp)))
            counts.updated += len(to_update)

    # ---- accounts ---------------------------------------------------------------------------

    def _batch_savings_accounts(self, batch, counts):
        contract_keys = set()
        for _line, values, problems in batch:
            values["company_id"] = self.company(values, problems)
            if values["company_id"] and values["contract"] not in (None, BAD):
                contract_keys.add((values["company_id"], values["contract"]))
        contracts = {}
        if contract_keys:
            rows = Contract.objects.filter(
                company_id__in={c for c, _n in contract_keys}, number__in={n for _c, n in contract_keys}
            ).values_list("company_id", "number", "pk", "kind")
            contracts = {(c, n): (pk, kind) for c, n, pk, kind in rows}
        prepared = []
        for line, values, problems in batch:
            company = values["company_id"]
            contract_id = None
            if company and values["contract"] not in (None, BAD):
                found = contracts.get((company, values["contract"]))
                if found is None:
                    problems.append(
                        _("no contract with number “%(value)s” in company “%(company)s”")
                        % {"value": short(values["contract"]), "company": values["company"]}
                    )
                elif found[1] != Contract.Kind.SAVINGS:
                    problems.append(
                        _("contract “%(value)s” is not a savings agreement") % {"value": values["contract"]}
                    )
                else:
                    contract_id = found[0]
            opened, closed = values["opened_on"], values["closed_on"]
            if opened not in (None, BAD) and closed not in (None, BAD) and closed < opened:
                problems.append(_("closed_on lies before opened_on"))
            if company and values["erp_id"] not in (None, BAD):
                self._first_time((company, values["erp_id"]), line, problems)
            if problems:
                self.reject(counts, line, problems)
                continue
            data = {
                "number": values["number"],
                "product_name": values["product"] or "",
                "interest_rate": values["interest_rate"]
                if values["interest_rate"] is not None
                else Decimal("0"),
                "opened_on": opened,
                "closed_on": closed,
                "contract_id": contract_id,
            }
            prepared.append((line, (company, values["erp_id"]), data))
        accepted = self._with_free_numbers(prepared, counts)
        self._upsert(SavingsAccount, accepted, counts, ("company_id", "erp_id"), list(SPEC_DATA[ACCOUNTS]))

    def _with_free_numbers(self, prepared, counts):
        """The prepared account rows whose number no other account of the company has (in the
        database or earlier in the batch); the others are rejected. Account numbers are unique
        per company too (one query)."""
        numbers = {}
        if prepared:
            rows = SavingsAccount.objects.filter(
                company_id__in={key[0] for _l, key, _d in prepared},
                number__in={d["number"] for _l, _k, d in prepared},
            ).values_list("company_id", "number", "erp_id")
            numbers = {(c, n): e for c, n, e in rows}
        accepted, batch_numbers = [], {}
        for line, key, data in prepared:
            number_key = (key[0], data["number"])
            owner = numbers.get(number_key)
            other_line = batch_numbers.get(number_key)
            if (owner is not None and owner != key[1]) or other_line is not None:
                self.reject(
                    counts,
                    line,
                    [
                        _("account number “%(number)s” belongs to another account")
                        % {"number": data["number"]}
                    ],
                )
                continue
            batch_numbers[number_key] = line
            accepted.append((line, key, data))
        return accepted

    # ---- holders ----------------------------------------------------------------------------

    def _batch_savings_holders(self, batch, counts):
        account_keys, party_keys = set(), set()
        for _line, values, problems in batch:
            values["company_id"] = company = self.company(values, problems)
            if company:
                if values["account"] not in (None, BAD):
                    account_keys.add((company, values["account"]))
                if values["party"] not in (None, BAD):
                    party_keys.add((company, values["party"]))
        accounts = self._lookup(SavingsAccount, "erp_id", account_keys)
        parties = self._lookup(Party, "erp_id", party_keys)
        wanted = []
        for line, values, problems in batch:
            company = values["company_id"]
            account_id = party_id = None
            if company and values["account"] not in (None, BAD):
                account_id = accounts.get((company, values["account"]))
                if account_id is None:
                    problems.append(_unknown("account", values["account"], values["company"]))
                else:
                    self.holder_accounts.add(account_id)
            if company and values["party"] not in (None, BAD):
                party_id = parties.get((company, values["party"]))
                if party_id is None:
                    problems.append(_unknown("party", values["party"], values["company"]))
            if account_id and party_id:
                self._first_time((company, values["account"], values["party"]), line, problems)
            if problems:
                self.reject(counts, line, problems)
                continue
            wanted.append((account_id, party_id))
        if not wanted:
            return
        existing = set(
            SavingsAccountHolder.objects.filter(
                account_id__in={a for a, _p in wanted}, party_id__in={p for _a, p in wanted}
            ).values_list("account_id", "party_id")
        )
        new = [SavingsAccountHolder(account_id=a, party_id=p) for a, p in wanted if (a, p) not in existing]
        SavingsAccountHolder.objects.bulk_create(new)
        counts.created += len(new)
        counts.unchanged += len(wanted) - len(new)
        self.holder_keep.update(wanted)

    def _remove_stale_holders(self, counts):
        accounts = sorted(self.holder_accounts)
        stale = []
        for start in range(0, len(accounts), self.batch_size):
            rows = SavingsAccountHolder.objects.filter(
                account_id__in=accounts[start : start + self.batch_size]
            ).values_list("pk", "account_id", "party_id")
            stale.extend(pk for pk, a, p in rows if (a, p) not in self.holder_keep)
        for start in range(0, len(stale), self.batch_size):
            SavingsAccountHolder.objects.filter(pk__in=stale[start : start + self.batch_size]).delete()
        counts.removed += len(stale)

    # ---- transactions -----------------------------------------------------------------------

    def _batch_savings_transactions(self, batch, counts):
        account_keys = set()
        for _line, values, problems in batch:
            values["company_id"] = company = self.company(values, problems)
            if company and values["account"] not in (None, BAD):
                account_keys.add((company, values["account"]))
        accounts = self._lookup(SavingsAccount, "erp_id", account_keys)
        prepared = []
        for line, values, problems in batch:
            company = values["company_id"]
            account_id = None
            if company and values["account"] not in (None, BAD):
                account_id = accounts.get((company, values["account"]))
                if account_id is None:
                    problems.append(_unknown("account", values["account"], values["company"]))
            if account_id and values["erp_id"] not in (None, BAD):
                self._first_time((account_id, values["erp_id"]), line, problems)
            if problems:
                self.reject(counts, line, problems)
                continue
            kind = values["kind"] or _guess_kind(values["text"] or "", values["amount"])
            data = {
                "booking_date": values["booking_date"],
                "value_date": values["value_date"],
                "amount": values["amount"],
                "balance_after": values["balance_after"],
                "kind": kind,
                "text": values["text"] or "",
                "sequence": values["sequence"] or 0,
            }
            prepared.append((line, (account_id, values["erp_id"]), data))
        self._upsert(
            SavingsTransaction, prepared, counts, ("account_id", "erp_id"), list(SPEC_DATA[TRANSACTIONS])
        )

    # ---- exemption orders -------------------------------------------------------------------

    def _batch_exemption_orders(self, batch, counts):
        party_keys = set()
        for _line, values, problems in batch:
            values["company_id"] = company = self.company(values, problems)
            if company and values["party"] not in (None, BAD):
                party_keys.add((company, values["party"]))
        parties = self._lookup(Party, "erp_id", party_keys)
        prepared = []
        for line, values, problems in batch:
            company = values["company_id"]
            party_id = None
            if company and values["party"] not in (None, BAD):
                party_id = parties.get((company, values["party"]))
                if party_id is None:
                    problems.append(_unknown("party", values["party"], values["company"]))
            start, end = values["valid_from"], values["valid_until"]
            if start not in (None, BAD) and end not in (None, BAD) and end < start:
                problems.append(_("valid_until lies before valid_from"))
            if company and values["erp_id"] not in (None, BAD):
                self._first_time((company, values["erp_id"]), line, problems)
            if problems:
                self.reject(counts, line, problems)
                continue
            data = {
                "party_id": party_id,
                "amount": values["amount"],
                "valid_from": start,
                "valid_until": end,
                "joint": bool(values["joint"]),
            }
            prepared.append((line, (company, values["erp_id"]), data))
        self._upsert(ExemptionOrder, prepared, counts, ("company_id", "erp_id"), list(SPEC_DATA[EXEMPTIONS]))


#: The model fields each kind writes besides its key (the order of the comparison).
SPEC_DATA = {
    ACCOUNTS: ("number", "product_name", "interest_rate", "opened_on", "closed_on", "contract_id"),
    TRANSACTIONS: ("booking_date", "value_date", "amount", "balance_after", "kind", "text", "sequence"),
    EXEMPTIONS: ("party_id", "amount", "valid_from", "valid_until", "joint"),
}


def _unknown(what, value, company):
    params = {"value": short(value), "company": company}
    if what == "account":
        return _("no savings account with ERP id “%(value)s” in company “%(company)s”") % params
    return _("no party with ERP id “%(value)s” in company “%(company)s”") % params


def _guess_kind(text, amount):
    lowered = text.lower()
    for hint, kind in _KIND_HINTS:
        if hint in lowered:
            return kind
    if amount is None or amount is BAD:
        return SavingsTransaction.Kind.OTHER
    return SavingsTransaction.Kind.DEPOSIT if amount >= 0 else SavingsTransaction.Kind.WITHDRAWAL


def import_savings(
    files: Iterable[ImportFile], *, dry_run=False, partial=False, company=None
) -> SavingsImportResult:
    """Import savings CSV files of an ERP export: an idempotent upsert, in ``KIND_ORDER``.

    The caller may rely on:

    - Nothing is saved when ``dry_run`` is true, or when any row or file was rejected and
      ``partial`` is false; ``result.committed`` says which happened.
    - Every rejected row is in ``result.errors`` with file, line (the header is line 1) and
      a translated reason; bad input never raises.
    - Running the same files twice changes nothing the second time (all rows "unchanged").
    - With ``company`` (an admin upload) rows of any other company are rejected like rows of
      an unknown company.
    """
    files = list(files)
    errors = []
    ordered = order_files(files, errors, KIND_ORDER)
    run = None
    committed = False
    try:
        with transaction.atomic():
            run = _Run(timezone.now(), company)
            run.errors = errors
            for import_file in ordered:
                run.counts[import_file.kind] = EntityCounts()
            for import_file in ordered:
                try:
                    run.import_file(import_file)
                except (FileError, OSError) as exc:
                    errors.append(file_error(import_file, exc))
            committed = commit_or_roll_back(errors, dry_run=dry_run, partial=partial)
    except DatabaseError as exc:
        committed = False
        logger.exception("Savings import failed in the database")
        errors.append(
            RowError(
                file=run.file if run else "",
                line=None,
                message=_("The database refused the data (%(error)s). Nothing was saved.") % {"error": exc},
            )
        )
    result = SavingsImportResult(
        counts=run.counts if run else {}, errors=errors, committed=committed, dry_run=dry_run, partial=partial
    )
    logger.info("Savings import: %s", "; ".join(result.summary_lines()))
    return result
