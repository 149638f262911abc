"""Deliver the outbox: mails, deferred tasks and ERP events (docs/outbox.md, "Operations").

From cron, every minute::

    manage.py tenantportal_outbox

delivers what is due (also what failed earlier and waited for its backoff), prunes rows older
than ``OUTBOX_KEEP_DAYS`` and exits. As a service instead (systemd, a container)::

    manage.py tenantportal_outbox --watch

keeps delivering, looking for new rows every ``--interval`` seconds. Safe to run on several
servers at once: rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease.
``--retry-dead`` puts the dead letters back first (after the receiver was fixed).
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from ...core import outbox


class Command(BaseCommand):
    help = "Deliver the tenant portal's outbox (mails, tasks, ERP events); --watch keeps running."

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="Keep running and deliver new rows.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at the outbox (--watch)."
        )
        parser.add_argument("--batch-size", type=int, default=None, help="Rows claimed at once.")
        parser.add_argument("--retry-dead", action="store_true", help="Send the dead letters again first.")
        parser.add_argument("--worker", default=None, help="Name of this worker (default: host:pid).")

    def handle(self, *args, **options):
        self.stopping = False
        if options["retry_dead"]:
            count = outbox.retry(outbox.OutboxMessage.objects.filter(state=outbox.OutboxMessage.State.DEAD))
            self.stdout.write(f"{count} dead letter(s) put back.")
        if not options["watch"]:
            report = self.deliver(options)
            pruned = outbox.prune()
            self.stdout.write(
                f"{report.delivered} delivered, {report.failed} failed ({report.dead} now dead letters), "
                f"{pruned} old row(s) pruned."
            )
            return
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        delivered = 0
        while not self.stopping:
            close_old_connections()
            delivered += self.deliver(options).delivered
            slept = 0.0
            while slept < options["interval"] and not self.stopping:
                time.sleep(min(0.1, options["interval"]))
                slept += 0.1
        self.stdout.write(f"Stopped after {delivered} delivered.")

    def deliver(self, options):
        return outbox.deliver_due(worker=options["worker"], batch_size=options["batch_size"])

    def stop(self, *args):
        self.stopping = True
