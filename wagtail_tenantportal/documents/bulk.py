"""Bulk distribution: a ZIP of PDFs, one per contract, named by contract number.

Called through ``services.distribute_zip``; builds on the steps every publication shares
(``publishing``: category, size limit, deliveries, notice task). The ZIP is read member by member
(``ZipFile.open``) and each member is copied in chunks (``files.spool``): however large the
ZIP, memory holds one chunk of one file plus the table of contents.

Refused as a whole (nothing published, status "failed"): not a ZIP or damaged beyond
reading, a password-protected member, more than ``DOCUMENTS_BULK_MAX_FILES`` files, an
invalid file name pattern. Reported per file (the other files are published): a name with
a path that leaves the folder (``..``) or starts at the root, a name that does not fit the
pattern, a contract number without a contract or found in several companies, several files
for one contract (none of them is published), a file over ``DOCUMENTS_MAX_FILE_MB``, a file
that is not a PDF, a member that is damaged or longer than the ZIP says (zip bomb).

Running the same ZIP again publishes nothing twice: a file whose content is already
published for the contract in the category is counted as "already published".

All documents of a run are written in one transaction; if it fails, the files stored so far
are deleted again and the run is marked failed.
"""

import logging
import os
import posixpath
import re
import zipfile
import zlib
from collections import defaultdict

from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..core.conf import portal_settings
from ..tenancy.models import Contract
from . import publishing
from .files import DocumentRejected, check_pdf, spool, too_large_message
from .models import BulkDistribution, Document, document_storage_name
from .publishing import ACTION_DISTRIBUTED, acting_user, get_category, max_file_bytes

logger = logging.getLogger(__name__)

#: Files read, stored and written to the database together.
BATCH_SIZE = 500
#: Report lines kept on the run (the counts are always complete).
REPORT_LIMIT = 20000
IN_CHUNK = 900

_JUNK_NAMES = {"thumbs.db", "desktop.ini"}
_DRIVE = re.compile(r"^[A-Za-z]:")

# Report kinds (stable; the admin shows the message stored with each line).
UNSAFE_NAME = "unsafe_name"
UNMATCHED_NAME = "unmatched_name"
NO_CONTRACT = "no_contract"
AMBIGUOUS = "ambiguous"
DUPLICATE = "duplicate"
REJECTED = "rejected"

COUNT_NAMES = (
    "files",
    "published",
    "already_published",
    "unmatched",
    "ambiguous",
    "duplicates",
    "rejected",
    "ignored",
)


def compile_pattern(pattern):
    """The compiled file name pattern (case-insensitive); ``DocumentRejected`` if unusable."""
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except (re.error, TypeError) as exc:
        raise DocumentRejected(
            _("The file name pattern is not a valid regular expression: %(error)s") % {"error": exc},
            code="pattern",
        ) from None
    if "contract" not in regex.groupindex:
        raise DocumentRejected(
            _("The file name pattern needs a named group “contract”, e.g. (?P<contract>[0-9]+)."),
            code="pattern",
        )
    return regex


def _is_junk(name):
    """Files that archivers add (macOS resource forks, thumbnails, hidden files): ignored."""
    parts = name.split("/")
    base = parts[-1]
    return (
        parts[0] == "__MACOSX" or base.startswith(".") or base.startswith("~$") or base.lower() in _JUNK_NAMES
    )


def _is_unsafe(name):
    """A name that would leave the extraction folder: absolute, drive letter, ``..`` or NUL."""
    return (
        name.startswith("/")
        or bool(_DRIVE.match(name))
        or "\x00" in name
        or any(part == ".." for part in name.split("/"))
    )


class _Run:
    def __init__(self, record):
        self.record = record
        self.counts = dict.fromkeys(COUNT_NAMES, 0)
        self.problems = []

    def report(self, kind, name, message, number=""):
        if len(self.problems) < REPORT_LIMIT:
            self.problems.append({"kind": kind, "file": name, "contract": number, "message": str(message)})

    def finish(self, status, error=""):
        record = self.record
        record.status = status
        record.error = str(error)
        record.counts = self.counts
        record.problems = self.problems
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "error", "counts", "problems", "finished_at"])
        return record

    def fail(self, message):
        return self.finish(BulkDistribution.Status.FAILED, message)


def _resolve(numbers, company):
    """``{number: [contracts]}`` for the contract numbers (of ``company``, or of any company)."""
    found = defaultdict(list)
    numbers = sorted(numbers)
    for start in range(0, len(numbers), IN_CHUNK):
        queryset = Contract.objects.filter(number__in=numbers[start : start + IN_CHUNK]).select_related(
            "company"
        )
        if company is not None:
            queryset = queryset.filter(company=company)
        for contract in queryset.only("pk", "number", "company_id", "company__name", "company__legal_form"):
            found[contract.number].append(contract)
    return found


def distribute(
    zip_file,
    *,
    category,
    title,
    company=None,
    document_date=None,
    published_from=None,
    pattern=None,
    user=None,
    dry_run=False,
    notify=True,
    zip_name="",
    now=None,
):
    """Publish each PDF of ``zip_file`` (a path or a seekable binary file) to its contract.

    ``category`` is a ``DocumentCategory`` or its key, ``title`` the title every document
    gets, ``company`` limits the contract look-up (None: all companies; a number found in
    several is reported as ambiguous). ``published_from`` (default now) is when tenants see
    the documents. ``pattern`` (default ``DOCUMENTS_BULK_FILENAME_PATTERN``) finds the
    contract number in a file name. ``dry_run`` checks and reports without publishing.

    Returns the saved ``BulkDistribution`` with ``counts`` (``COUNT_NAMES``) and
    ``problems`` (one line per reported file). Bad input never raises.
    """
    if isinstance(category, str):
        category = get_category(category)
    now = now or timezone.now()
    pattern = pattern or portal_settings.DOCUMENTS_BULK_FILENAME_PATTERN
    zip_name = zip_name or getattr(zip_file, "name", None) or str(zip_file)
    record = BulkDistribution.objects.create(
        started_at=now,
        user=acting_user(user),
        company=company,
        category=category,
        title=title,
        document_date=document_date or timezone.localdate(now),
        published_from=published_from or now,
        filename_pattern=pattern,
        zip_name=str(zip_name)[-255:],
        zip_size=_size_of(zip_file) or 0,
        dry_run=dry_run,
    )
    run = _Run(record)
    try:
        regex = compile_pattern(pattern)
    except DocumentRejected as exc:
        return run.fail(exc.message)
    try:
        archive = zipfile.ZipFile(zip_file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return run.fail(_("The file is not a ZIP file or it is damaged."))
    with archive:
        try:
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):  # pragma: no cover (read with the directory)
            return run.fail(_("The file is not a ZIP file or it is damaged."))
        refusal = _refusal(infos)
        if refusal:
            return run.fail(refusal)
        matched = _match(run, infos, regex, company)
        failure = _publish_all(run, archive, matched, category, dry_run, notify, now, user)
        if failure:
            return run.fail(failure)
    if not dry_run and notify and run.counts["published"] and record.published_from <= timezone.now():
        publishing.enqueue_notices()
    status = BulkDistribution.Status.CHECKED if dry_run else BulkDistribution.Status.DONE
    return run.finish(status)


def _refusal(infos):
    """Why the ZIP is refused as a whole (too many files, password-protected), or None."""
    max_files = portal_settings.DOCUMENTS_BULK_MAX_FILES
    if len(infos) > max_files:
        return _("The ZIP file holds %(count)d files; at most %(max)d are allowed per distribution.") % {
            "count": len(infos),
            "max": max_files,
        }
    if any(info.flag_bits & 0x1 for info in infos):
        return _("The ZIP file is password-protected. Please pack the files again without a password.")
    return None


def _publish_all(run, archive, matched, category, dry_run, notify, now, user):
    """Publish the matched files in one transaction; returns the failure message when the
    database or the storage failed (then nothing is published and the stored files are gone)."""
    stored = []
    try:
        with transaction.atomic():
            publisher = _Publisher(
                run, archive, category, stored, dry_run=dry_run, notify=notify, now=now, user=user
            )
            publisher.publish(matched)
            if not dry_run and run.counts["published"]:
                log(run.record, ACTION_DISTRIBUTED, user=acting_user(user), data=dict(run.counts))
    except (DatabaseError, OSError) as exc:
        _delete(stored)
        logger.exception("Bulk distribution %s failed", run.record.pk)
        run.counts["published"] = 0  # rolled back
        return _("The documents could not be saved (%(error)s). Nothing was published; please try again.") % {
            "error": exc.__class__.__name__
        }
    except BaseException:
        _delete(stored)
        raise
    return None


def _size_of(zip_file):
    """Size in bytes of a path or a seekable file (0 when unknown); the position is kept."""
    try:
        if isinstance(zip_file, str | os.PathLike):
            return os.path.getsize(zip_file)
        position = zip_file.tell()
        size = zip_file.seek(0, os.SEEK_END)
        zip_file.seek(position)
        return size
    except (OSError, AttributeError, ValueError):
        return 0


def _delete(names):
    from ..core.storage import get_private_storage

    storage = get_private_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # keep cleaning up
            logger.exception("Stored file %s could not be deleted", name)


def _match(run, infos, regex, company):
    """Check names, find contract numbers and contracts; report the rest. Returns
    ``[(info, name, contract)]`` in the order of the members in the ZIP."""
    by_number = _numbered_members(run, infos, regex)
    _drop_several_per_contract(run, by_number)
    contracts = _resolve(by_number, company)
    matched = []
    for number, [(info, name)] in by_number.items():
        found = contracts.get(number, [])
        if not found:
            run.counts["unmatched"] += 1
            run.report(
                NO_CONTRACT,
                name,
                _("There is no contract with the number %(number)s.") % {"number": number},
                number,
            )
        elif len(found) > 1:
            run.counts["ambiguous"] += 1
            run.report(
                AMBIGUOUS,
                name,
                _(
                    "The contract number %(number)s exists in several companies (%(companies)s); not published."
                )
                % {"number": number, "companies": ", ".join(sorted(str(c.company) for c in found))},
                number,
            )
        else:
            matched.append((info, name, found[0]))
    matched.sort(key=lambda item: item[0].header_offset)
    return matched


def _numbered_members(run, infos, regex):
    """``{contract number: [(info, name)]}`` of the members whose name is safe, fits the
    pattern and whose size is allowed; junk is ignored, the rest counted and reported."""
    by_number = defaultdict(list)
    limit = max_file_bytes()
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename.replace("\\", "/")
        if _is_junk(name):
            run.counts["ignored"] += 1
            continue
        run.counts["files"] += 1
        if _is_unsafe(name):
            run.counts["rejected"] += 1
            run.report(UNSAFE_NAME, name, _("The file name contains a path that leaves the folder; refused."))
            continue
        match = regex.match(posixpath.basename(name))
        number = (match.group("contract") or "").strip() if match else ""
        if not number:
            run.counts["unmatched"] += 1
            run.report(
                UNMATCHED_NAME, name, _("The file name does not fit the pattern; no contract number found.")
            )
            continue
        if info.file_size > limit:
            run.counts["rejected"] += 1
            run.report(REJECTED, name, too_large_message(limit), number)
            continue
        by_number[number].append((info, name))
    return by_number


def _drop_several_per_contract(run, by_number):
    """Several files for one contract: none of them is published (each is reported)."""
    for number, items in list(by_number.items()):
        if len(items) > 1:
            del by_number[number]
            names = ", ".join(name for _info, name in items)
            for _info, name in items:
                run.counts["duplicates"] += 1
                run.report(
                    DUPLICATE,
                    name,
                    _("Several files for contract %(number)s (%(names)s): none of them was published.")
                    % {"number": number, "names": names},
                    number,
                )


#: What reading a damaged member (or one longer than the ZIP says) raises.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


class _Publisher:
    """Publishes the matched members of a run ``BATCH_SIZE`` at a time, inside the caller's
    transaction; the names of the stored files go to ``stored`` (deleted on failure)."""

    def __init__(self, run, archive, category, stored, *, dry_run, notify, now, user):
        from ..core.storage import get_private_storage

        self.run, self.archive, self.category, self.stored = run, archive, category, stored
        self.dry_run, self.notify, self.now = dry_run, notify, now
        self.created_by = acting_user(user)
        self.storage = get_private_storage()
        self.limit = max_file_bytes()
        self.today = timezone.localdate(now)

    def publish(self, matched):
        for start in range(0, len(matched), BATCH_SIZE):
            self._batch(matched[start : start + BATCH_SIZE])

    def _batch(self, batch):
        """One batch: one query for what is published already, one ``bulk_create``."""
        existing = set(
            Document.objects.filter(
                contract_id__in=[contract.pk for _i, _n, contract in batch],
                category=self.category,
                withdrawn_at__isnull=True,
            ).values_list("contract_id", "content_hash")
        )
        documents = []
        for info, name, contract in batch:
            spooled = self._read(info, name, contract)
            if spooled is None:
                continue
            document = self._checked_and_stored(spooled, name, contract, existing)
            if document is not None:
                documents.append(document)
        if documents:
            Document.objects.bulk_create(documents)
            publishing.create_deliveries(documents, notify=self.notify, now=self.now)

    def _read(self, info, name, contract):
        """The member copied into a spooled file, or None when it is refused (reported)."""
        try:
            with self.archive.open(info) as source:
                return spool(source, limit=self.limit, expected_size=info.file_size)
        except DocumentRejected as exc:
            message = exc.message
        except _READ_ERRORS:
            message = _("The file in the ZIP is damaged and cannot be read.")
        self.run.counts["rejected"] += 1
        self.run.report(REJECTED, name, message, contract.number)
        return None

    def _checked_and_stored(self, spooled, name, contract, existing):
        """Check one member and store its file; returns its unsaved ``Document``, or None when
        it is refused, published already or this is a dry run. Closes ``spooled``."""
        run = self.run
        try:
            check_pdf(spooled)
            key = (contract.pk, spooled.sha256)
            if key in existing:
                run.counts["already_published"] += 1
                return None
            existing.add(key)
            run.counts["published"] += 1
            if self.dry_run:
                return None
            stored_name = self.storage.save(
                document_storage_name(contract.company_id, self.today), File(spooled.file)
            )
            self.stored.append(stored_name)
            return self._document(stored_name, spooled, name, contract)
        except DocumentRejected as exc:
            run.counts["rejected"] += 1
            run.report(REJECTED, name, exc.message, contract.number)
            return None
        finally:
            spooled.close()

    def _document(self, stored_name, spooled, name, contract):
        record = self.run.record
        return Document(
            company_id=contract.company_id,
            contract_id=contract.pk,
            category_id=self.category.pk,
            title=record.title,
            document_date=record.document_date,
            published_from=record.published_from,
            source=Document.Source.BULK,
            file=stored_name,
            original_filename=name[-255:],
            content_type="application/pdf",
            size=spooled.size,
            content_hash=spooled.sha256,
            distribution_id=record.pk,
            created_at=self.now,
            created_by=self.created_by,
        )
