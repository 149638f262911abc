"""Add the German starter damage taxonomy (see ``tickets/taxonomy.py``); safe to run again.

manage.py tenantportal_seed_damage_taxonomy
manage.py tenantportal_seed_damage_taxonomy --company LH
"""

from django.core.management.base import BaseCommand, CommandError

from wagtail_tenantportal.tenancy.models import Company
from wagtail_tenantportal.tickets.taxonomy import seed_damage_taxonomy


class Command(BaseCommand):
    help = (
        "Add a German starter damage taxonomy (locations, categories, kinds with urgent kinds and "
        "shared areas). Entries that exist by name are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--company",
            metavar="ERP_ID",
            help="ERP id of the company the locations are for (default: all companies).",
        )

    def handle(self, *args, **options):
        company = None
        if options["company"]:
            company = Company.objects.filter(erp_id=options["company"]).first()
            if company is None:
                raise CommandError(f"No company with ERP id {options['company']!r}.")
        result = seed_damage_taxonomy(company)
        for level in ("locations", "categories", "kinds"):
            self.stdout.write(
                f"  {level:<11} {result.created[level]:>3} new, {result.existing[level]:>3} existing"
            )
        self.stdout.write(self.style.SUCCESS("Damage taxonomy ready."))
