"""Distribute a ZIP of PDFs from the command line (large runs, scripted ERP exports).

    manage.py tenantportal_distribute statements.zip --category operating_cost_statement \
        --title "Betriebskostenabrechnung 2025" [--company wg-lindenhof] [--publish-from 2026-04-01] \
        [--pattern REGEX] [--check] [--no-notify]

Prints the counts and every reported file; exits with status 1 when the ZIP was refused.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ....tenancy.models import Company
from ...models import BulkDistribution, DocumentCategory
from ...services import distribute_zip, get_category


class Command(BaseCommand):
    help = "Publish the PDFs of a ZIP file to the contracts named in their file names."

    def add_arguments(self, parser):
        parser.add_argument("zip_path")
        parser.add_argument("--category", required=True, help="Key of the document category.")
        parser.add_argument("--title", required=True, help="Title every document gets.")
        parser.add_argument("--company", help="Slug of the company (default: look in all companies).")
        parser.add_argument("--document-date", help="Date of the documents, YYYY-MM-DD (default: today).")
        parser.add_argument("--publish-from", help="Date tenants see them, YYYY-MM-DD (default: now).")
        parser.add_argument("--pattern", help="File name pattern (default: the setting).")
        parser.add_argument("--check", action="store_true", help="Only check and report; publish nothing.")
        parser.add_argument("--no-notify", action="store_true", help="Send no mails about the new documents.")

    def _date(self, value, name):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--{name} must be a date like 2026-04-01, not {value!r}") from None

    def handle(self, *args, **options):
        try:
            category = get_category(options["category"])
        except DocumentCategory.DoesNotExist:
            keys = ", ".join(DocumentCategory.objects.values_list("key", flat=True))
            raise CommandError(f"Unknown category {options['category']!r}; known: {keys}") from None
        company = None
        if options["company"]:
            company = Company.objects.filter(slug=options["company"]).first()
            if company is None:
                raise CommandError(f"Unknown company {options['company']!r}")
        document_date = (
            self._date(options["document_date"], "document-date") if options["document_date"] else None
        )
        published_from = None
        if options["publish_from"]:
            day = self._date(options["publish_from"], "publish-from")
            published_from = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        try:
            handle = open(options["zip_path"], "rb")  # noqa: SIM115  (closed below)
        except OSError as exc:
            raise CommandError(f"Cannot open {options['zip_path']}: {exc}") from None
        with handle:
            run = distribute_zip(
                handle,
                category=category,
                title=options["title"],
                company=company,
                document_date=document_date,
                published_from=published_from,
                pattern=options["pattern"],
                dry_run=options["check"],
                notify=not options["no_notify"],
            )
        for line in run.problems:
            self.stdout.write(f"{line['kind']}\t{line['file']}\t{line['message']}")
        self.stdout.write(" ".join(f"{key}={value}" for key, value in run.counts.items()))
        if run.status == BulkDistribution.Status.FAILED:
            raise CommandError(run.error)
