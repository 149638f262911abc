"""Delete the data exports past their time (``DATA_EXPORT_DAYS``) with their files; run it
daily from cron (every new export does it as well).

    manage.py tenantportal_data_exports
"""

from django.core.management.base import BaseCommand

from ...leaving import delete_expired_exports


class Command(BaseCommand):
    help = "Delete expired data exports and their files from the private storage."

    def handle(self, *args, **options):
        count = delete_expired_exports()
        self.stdout.write(f"{count} expired data export(s) deleted.")
