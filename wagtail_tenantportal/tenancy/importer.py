"""ERP master-data import (CSV): companies, properties, units, parties, contracts and their links.

Public API (used by the management command, the admin upload, the demo loader and tests)::

    files = [ImportFile.from_path("export/contracts.csv"), ...]
    result = import_master_data(files, dry_run=False, partial=False, user=None,
                                source=ImportRun.Source.CODE, company=None)
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

Reading, converters and the result's wording are the import toolkit's (``core.importing``);
the columns are in ``import_columns``, reading a file in ``import_rows``, the upsert rules in
``import_keyed`` (keyed entities) and ``import_children`` (contract parties, rent components).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..core import importing, signals
from ..core.conf import portal_settings
from ..core.importing import (
    EntityCounts,
    FileError,
    Invalid,
    RowError,
    commit_or_roll_back,
    file_error,
    import_batch_size,
    import_encodings,
    kind_from_name,
    order_files,
)
from .import_children import ChildImporter, RentComponentImporter
from .import_columns import ENTITY_ORDER, KEYS, MODELS, RELEASE_AFTER, unknown_reference
from .import_keyed import CompanyImporter, ContractImporter, KeyedImporter, PartyImporter
from .import_rows import Index
from .models import Company, ImportRun

logger = logging.getLogger(__name__)

#: How many rejected rows an ``ImportRun`` keeps (the result object keeps all of them).
STORED_ERRORS_MAX = 1000

#: The importer of each entity kind.
IMPORTERS = {
    "companies": CompanyImporter,
    "properties": KeyedImporter,
    "units": KeyedImporter,
    "parties": PartyImporter,
    "contracts": ContractImporter,
    "contract_parties": ChildImporter,
    "rent_components": RentComponentImporter,
}

__all__ = [
    "ENTITY_ORDER",
    "STORED_ERRORS_MAX",
    "EntityCounts",
    "ImportFile",
    "ImportResult",
    "RowError",
    "entity_label",
    "import_master_data",
]


class ImportFile(importing.ImportFile):
    """One CSV file of a master-data export; its kind is one of ``ENTITY_ORDER``."""

    @classmethod
    def checked_kind(cls, name, kind=None):
        """``kind``, else the file stem (``contracts.csv`` -> ``contracts``); ``ValueError`` with a
        translated message when it is not a master-data kind."""
        kind = kind or kind_from_name(name)
        if kind not in ENTITY_ORDER:
            raise ValueError(
                _(
                    "Cannot tell what “%(name)s” contains: name the file after one of %(kinds)s (e.g. contracts.csv)."
                )
                % {"name": name, "kinds": ", ".join(f"{k}.csv" for k in ENTITY_ORDER)}
            )
        return kind


def entity_label(kind):
    """The translated, capitalised plural name of an entity kind, e.g. "Contract parties"."""
    model = MODELS[kind]
    return capfirst(str(model._meta.verbose_name_plural))


@dataclass
class ImportResult(importing.ImportResult):
    """What an import did. Counts are per entity kind of the files given, in ``ENTITY_ORDER``;
    ``run`` is the recorded ``ImportRun``.

    When ``committed`` is False nothing was saved; the counts then say what *would* have happened.
    """

    run: ImportRun | None = None

    def entity_label(self, kind):
        return entity_label(kind)

    def as_dict(self):
        """A JSON-able summary, the same that is stored on the ``ImportRun``."""
        return {**super().as_dict(), "run": self.run.pk if self.run else None}


class _Run:
    """The state of one import: counts, errors, key indexes and what failed, shared by its files."""

    def __init__(self, *, today, now, company=None, full_export=True):
        self.today = today
        self.now = now
        self.only_company = company
        self.full_export = full_export
        self.batch_size = import_batch_size()
        self.encodings = import_encodings()
        self.counts = {}
        self.errors = []
        self.current_file = ""
        self.indexes = {
            kind: Index(MODELS[kind], key, scoped=kind != "companies") for kind, key in KEYS.items()
        }
        companies = self.indexes["companies"].known(None)
        known = Company.objects.exclude(erp_id=None)
        if company is not None:
            # Rows naming another company read as rows of an unknown company.
            known = known.filter(pk=company.pk)
        companies.update(known.values_list("erp_id", "pk"))
        self.company_keys = {pk: key for key, pk in companies.items()}
        self._slugs = None
        # what a later reference error can point at as its cause
        self.rejected_rows = {kind: {} for kind in KEYS}  # kind -> {(company, key): {file, line}}
        self.failed_files = {}  # kind -> file name, when the file was not (completely) read

        def convert_company(value):
            pk = companies.get(value)
            if pk is None:
                raise Invalid(self.unknown_reference("companies", value, None))
            return pk

        self.company_converter = convert_company

    def unknown_reference(self, kind, value, company):
        """The message for a reference to a missing row, naming the cause when it lies in this run."""
        message = unknown_reference(kind, value, self.company_keys.get(company, ""))
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
        importer = IMPORTERS[import_file.kind](self, import_file)
        try:
            importer.run_file()
        except (FileError, OSError) as exc:
            self.failed_files[import_file.kind] = import_file.name
            self.errors.append(file_error(import_file, exc))
        # row errors are found in batches, a malformed line while reading: report them in line order
        self.errors[first_error:] = sorted(self.errors[first_error:], key=lambda e: e.line or 0)
        for kind in RELEASE_AFTER.get(import_file.kind, []):
            self.indexes[kind].by_company = {}


def import_master_data(
    files: Iterable[ImportFile],
    *,
    dry_run=False,
    partial=False,
    user=None,
    source=ImportRun.Source.CODE,
    today=None,
    company=None,
    full_export=True,
) -> ImportResult:
    """Import an ERP export: an idempotent upsert of the given CSV files, in ``ENTITY_ORDER``.

    The caller may rely on:

    - Nothing is saved when ``dry_run`` is true, or when any row or file was rejected and
      ``partial`` is false. With ``partial`` the valid rows are saved and the rejected ones
      reported. ``result.committed`` says which happened.
    - Every rejected row is in ``result.errors`` with file, line and a translated message;
      bad input never raises (only programming errors do).
    - Contracts of the companies named in ``contracts.csv`` that are missing from it are
      marked ended (never deleted), unless ``full_export`` is false (an update of some
      records, as the ERP's inbound API sends them); contract parties and rent components of the contracts
      named in their file that are missing from it are deleted.
    - One ``ImportRun`` is recorded per call, also for dry and rolled-back runs.
    - ``signals.master_data_imported`` is sent after a committed run; a receiver that raises is
      logged and does not change the result.
    - ``today`` (default: the local date) decides derived contract statuses and the end
      date of vanished contracts.
    - With ``company`` (the staff admin's upload, limited to the companies the user works
      for) only that company's rows are imported: a row of another company, or referring
      to one, is rejected like a row of an unknown company, and no company is created.
      The run records the company.
    """
    started = timezone.now()
    files = list(files)
    errors = []
    ordered = order_files(files, errors, ENTITY_ORDER)
    run_state = None
    committed = False
    # The cyclic garbage collector would scan every object of the framework again and again
    # while the import allocates its rows; freezing them cuts the import's CPU time by a third.
    gc.freeze()
    try:
        with transaction.atomic():
            run_state = _Run(
                today=today or timezone.localdate(), now=started, company=company, full_export=full_export
            )
            run_state.errors = errors
            for import_file in ordered:
                run_state.counts[import_file.kind] = EntityCounts()
            for import_file in ordered:
                run_state.import_file(import_file)
            committed = commit_or_roll_back(errors, dry_run=dry_run, partial=partial)
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
    result.run = _record_run(result, files, started=started, user=user, source=source, company=company)
    logger.info("ERP import %s: %s", result.run.pk, "; ".join(result.summary_lines()))
    if committed:
        # The data is saved: a failing receiver is logged, it must not turn the import into an error.
        for receiver, response in signals.master_data_imported.send_robust(
            sender=ImportRun, run=result.run, result=result
        ):
            if isinstance(response, Exception):
                logger.error("Receiver %r of master_data_imported failed", receiver, exc_info=response)
    return result


def _record_run(result, files, *, started, user, source, company=None):
    """The ``ImportRun`` of a call (at most ``STORED_ERRORS_MAX`` errors kept); old runs beyond
    ``IMPORT_KEEP_RUNS`` are deleted."""
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
        company=company,
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
