"""``manage.py tenantportal_import``: import CSV files of an ERP export (see docs/import.md)."""

import datetime
import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...importer import entity_label
from ...models import ImportRun
from ...services import ENTITY_ORDER, ImportFile, import_master_data

COUNT_COLUMNS = ["created", "updated", "unchanged", "rejected", "ended", "removed"]


class Command(BaseCommand):
    help = (
        "Import master data from CSV files of an ERP export (companies.csv, properties.csv, units.csv, "
        "parties.csv, contracts.csv, contract_parties.csv, rent_components.csv). Nothing is saved when a "
        "row is rejected, unless --partial is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="CSV files or directories holding them. The file name gives the kind (contracts.csv); "
            "KIND=PATH sets it explicitly (contracts=vertraege.csv).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing.")
        parser.add_argument(
            "--partial", action="store_true", help="Save the valid rows even when some rows are rejected."
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Import day (derived contract statuses, end date of vanished contracts). Default: today.",
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        files = self.collect_files(options["paths"])
        result = import_master_data(
            files,
            dry_run=options["dry_run"],
            partial=options["partial"],
            today=options["today"],
            source=ImportRun.Source.COMMAND,
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        else:
            self.print_summary(result)
        status = result.status_message()
        if result.errors and not result.committed:
            raise CommandError(status)
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS(status) if not result.errors else self.style.WARNING(status))

    def collect_files(self, paths):
        files = []
        for argument in paths:
            kind, sep, path = argument.partition("=")
            if not sep or os.path.exists(argument):
                kind, path = None, argument
            if os.path.isdir(path):
                found = []
                for name in sorted(os.listdir(path)):
                    full = os.path.join(path, name)
                    if not os.path.isfile(full):
                        continue
                    try:
                        found.append(ImportFile.from_path(full))
                    except ValueError:
                        if name.lower().endswith(".csv"):
                            self.stderr.write(
                                _("Skipped %(path)s: not an import file name.") % {"path": full}
                            )
                if not found:
                    raise CommandError(_("No import files found in %(path)s.") % {"path": path})
                files.extend(found)
                continue
            if not os.path.isfile(path):
                raise CommandError(_("File not found: %(path)s") % {"path": path})
            try:
                files.append(ImportFile.from_path(path, kind=kind or None))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        return files

    def print_summary(self, result):
        headers = [_("Entity"), *[self.count_heading(name) for name in COUNT_COLUMNS]]
        rows = [
            [entity_label(kind), *[str(getattr(result.counts[kind], name)) for name in COUNT_COLUMNS]]
            for kind in ENTITY_ORDER
            if kind in result.counts
        ]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

        def format_row(cells):
            first = cells[0].ljust(widths[0])
            return "  ".join(
                [first, *[cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]]
            )

        self.stdout.write(format_row(headers))
        for row in rows:
            self.stdout.write(format_row(row))
        if result.errors:
            self.stderr.write("")
            self.stderr.write(_("Rejected rows:"))
            for error in result.errors:
                self.stderr.write(f"  {error}")

    @staticmethod
    def count_heading(name):
        return {
            "created": _("created"),
            "updated": _("updated"),
            "unchanged": _("unchanged"),
            "rejected": _("rejected"),
            "ended": _("ended"),
            "removed": _("removed"),
        }[name]
