"""``manage.py tenantportal_import_savings``: import the savings CSV files of an ERP export
(see docs/savings.md)."""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...importer import KIND_ORDER, savings_file
from ...services import import_savings


class Command(BaseCommand):
    help = (
        "Import savings data from CSV files (savings_accounts.csv, savings_holders.csv, "
        "savings_transactions.csv, exemption_orders.csv). Nothing is saved when a row is rejected, "
        "unless --partial is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="CSV files or directories holding them. The file name gives the kind "
            "(savings_accounts.csv); KIND=PATH sets it explicitly (savings_transactions=umsaetze.csv).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing.")
        parser.add_argument(
            "--partial", action="store_true", help="Save the valid rows even when some rows are rejected."
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        files = self.collect_files(options["paths"])
        result = import_savings(files, dry_run=options["dry_run"], partial=options["partial"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False, default=str))
        else:
            for line in result.summary_lines()[:-1]:
                self.stdout.write(line)
            if result.errors:
                self.stderr.write(_("Rejected rows:"))
                for error in result.errors:
                    self.stderr.write(f"  {error}")
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
                    if os.path.isfile(full) and name.lower().endswith((".csv", ".txt")):
                        try:
                            found.append(savings_file(full))
                        except ValueError:
                            continue  # other files of the export (master data) live here too
                if not found:
                    raise CommandError(
                        _("No savings files found in %(path)s (expected %(names)s).")
                        % {"path": path, "names": ", ".join(f"{k}.csv" for k in KIND_ORDER)}
                    )
                files.extend(found)
                continue
            if not os.path.isfile(path):
                raise CommandError(_("File not found: %(path)s") % {"path": path})
            try:
                files.append(savings_file(path, kind=kind or None))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        return files
