"""Mail important notices whose time has come (run it from cron, e.g. every 15 minutes).

Notices published as important with a future "visible from" are mailed once that time is
reached; an important notice is never mailed twice to the same account. Safe to run often.
"""

from django.core.management.base import BaseCommand

from ...services import send_due_mails


class Command(BaseCommand):
    help = "Email tenants about important notices that have become visible."

    def handle(self, *args, **options):
        done = send_due_mails()
        for notice, count in done.items():
            self.stdout.write(f"{notice.pk} {notice.title}: {count} mail(s)")
        self.stdout.write(f"{len(done)} notice(s), {sum(done.values())} mail(s) sent.")
