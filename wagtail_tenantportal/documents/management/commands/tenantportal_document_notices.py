"""Send the due "a new document is available" mails (run it from cron, e.g. hourly).

Documents published with a future date become due at that date; this command sends their
notices. It is safe to run often and from several servers at once.
"""

from django.core.management.base import BaseCommand

from ...services import send_due_notices


class Command(BaseCommand):
    help = "Send the due mails about new documents in the tenant portal."

    def handle(self, *args, **options):
        sent = send_due_notices()
        self.stdout.write(f"{sent} notice mail(s) sent.")
