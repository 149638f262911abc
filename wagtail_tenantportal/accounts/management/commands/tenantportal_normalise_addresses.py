"""Store portal users' addresses in their canonical form and list the collisions.

manage.py tenantportal_normalise_addresses --dry-run
manage.py tenantportal_normalise_addresses

The data migration ``0005_canonical_addresses`` did the same once; run this to see which
accounts it left (two users whose addresses have the same canonical form) after staff
merged or removed one of them.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from wagtail_tenantportal.accounts.addresses import normalise_addresses
from wagtail_tenantportal.accounts.models import PortalAccount


class Command(BaseCommand):
    help = "Store portal users' email addresses in the canonical form; list addresses two users share."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            report = normalise_addresses(get_user_model(), PortalAccount, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        return None
