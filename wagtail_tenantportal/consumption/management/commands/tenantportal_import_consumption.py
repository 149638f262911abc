"""``manage.py tenantportal_import_consumption``: import meters, monthly values and benchmarks (docs/consumption.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...importer import FILE_KINDS, consumption_file, import_consumption


class Command(BaseCommand):
    help = (
        "Import consumption data from CSV files (meters.csv, consumption.csv, benchmarks.csv). "
        "Nothing is saved when a row is rejected, unless --partial is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="CSV files. The file name gives the kind (meters.csv); KIND=PATH sets it (consumption=werte.csv).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing.")
        parser.add_argument(
            "--partial", action="store_true", help="Save the valid rows even when some rows are rejected."
        )

    def handle(self, *args, **options):
        files = []
        for argument in options["paths"]:
            kind, sep, path = argument.partition("=")
            if not sep or kind not in FILE_KINDS:
                kind, path = None, argument
            try:
                files.append(consumption_file(path, kind=kind))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            try:
                with files[-1].open():
                    pass
            except OSError:
                raise CommandError(_("File not found: %(path)s") % {"path": path}) from None
        result = import_consumption(files, dry_run=options["dry_run"], partial=options["partial"])
        for line in result.summary_lines():
            self.stdout.write(line)
        if result.errors:
            self.stderr.write(_("Rejected rows:"))
            for error in result.errors:
                self.stderr.write(f"  {error}")
        if result.errors and not result.committed and not result.dry_run:
            raise CommandError(_("Nothing was saved."))
