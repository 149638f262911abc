"""Delete expired app tokens (pending logins, verification and device tokens). Expired tokens
open nothing anyway; schedule this daily to keep the table small."""

from django.core.management.base import BaseCommand

from ...services import delete_dead


class Command(BaseCommand):
    help = "Delete expired app tokens of the REST API."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {delete_dead()} expired app tokens.")
