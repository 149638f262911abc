"""Benchmark of the ERP link's delivery: events per second from the outbox to a local ERP.

Per database (SQLite in a temporary file; PostgreSQL too when reachable):

1. a child process migrates a fresh database, creates a company with a webhook connection to
   a loopback ERP and records ``--events`` ticket events in the outbox (four per request, so
   the order per request is kept while they are delivered);
2. another child process, the worker, delivers them with ``outbox.deliver_due()`` (the code
   path of the django-tasks task and of ``manage.py tenantportal_outbox``): JSON POSTs signed
   per Standard Webhooks to an HTTP server on 127.0.0.1 in this process, which verifies every
   signature with the ``standardwebhooks`` package as an ERP would.

Prints events/s and the worker's peak RSS per database, checks that every event arrived once
and in order, and ends with one line ``events_per_s=… peak_mb=… events=…`` for the main run
(SQLite). Target: at least 500 events/s.

    .venv/bin/python bench/erp_bench.py [--events 5000] [--no-postgres]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "tenantportal_erp_bench"
EVENTS_PER_REQUEST = 4
TARGET = 500


def setup_django(database_url):
    sys.path.insert(0, ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child_prepare(database_url, receiver_url, events):
    """Migrate, create the connection, record the events; returns the signing secret."""
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from wagtail_tenantportal.erp import events as erp_events
    from wagtail_tenantportal.erp.models import WEBHOOK_CONNECTOR, Connection
    from wagtail_tenantportal.tenancy.models import Company

    call_command("migrate", verbosity=0)
    company = Company.objects.create(name="Bench eG", slug="bench", erp_id="B")
    connection = Connection.objects.create(
        company=company,
        name="Bench",
        connector={"CLASS": WEBHOOK_CONNECTOR, "OPTIONS": {"url": receiver_url}},
    )
    types = ["ticket.created", "ticket.attachment_added", "ticket.message_posted", "ticket.status_changed"]
    # Only record: the commit must not deliver here (the default immediate backend would).
    no_worker = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=no_worker), transaction.atomic():
        for number in range(int(events)):
            request, step = divmod(number, EVENTS_PER_REQUEST)
            reference = f"2026-{request:06d}"
            data = {
                "reference": reference,
                "step": step,
                "subject": "Wasserhahn tropft",
                "description": "Der Wasserhahn im Bad tropft seit gestern. " * 4,
                "contract": {"number": f"{100000 + request}", "kind": "rental"},
            }
            erp_events.record(connection, types[step], data, stream=f"ticket:{request}")
    return {"secret": connection.signing_secret}


def child_deliver(database_url):
    """The worker: deliver everything; returns the count, the time and the peak RSS."""
    setup_django(database_url)
    from wagtail_tenantportal.core import outbox

    started = time.perf_counter()
    report = outbox.deliver_due(worker="bench")
    seconds = time.perf_counter() - started
    return {
        "delivered": report.delivered,
        "failed": report.failed,
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
    }


def run_child(*args):
    output = subprocess.run(  # noqa: S603 (our own script and arguments)
        [sys.executable, os.path.abspath(__file__), "--child", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if output.returncode:
        sys.stderr.write(output.stderr)
        raise SystemExit(f"bench step {args[0]!r} failed (exit status {output.returncode})")
    return json.loads(output.stdout.strip().splitlines()[-1])


def postgres_reachable():
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:
        return False


def _pg(sql):
    import psycopg

    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def bench(database_url, events):
    sys.path.insert(0, ROOT)
    from tests.erp.receiver import Receiver

    # The receiver needs the secret the database gets; start it on a port first, then set it.
    receiver = Receiver("whsec_" + "A" * 44).start()
    try:
        prepared = run_child("prepare", database_url, receiver.url, str(events))
        from standardwebhooks import Webhook

        receiver.webhook = Webhook(prepared["secret"])
        result = run_child("deliver", database_url)
    finally:
        receiver.stop()
    ids = [webhook_id for webhook_id, _ in receiver.deliveries]
    assert receiver.rejected == 0, f"{receiver.rejected} signatures refused: {set(receiver.reasons)}"
    assert len(ids) == len(set(ids)) == events, (
        f"{len(set(ids))} of {events} events arrived ({len(ids)} deliveries)"
    )
    steps = {}
    for _, payload in receiver.deliveries:
        steps.setdefault(payload["data"]["reference"], []).append(payload["data"]["step"])
    assert all(s == sorted(s) for s in steps.values()), "events of a request out of order"
    result["events_per_s"] = events / result["seconds"]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="events to deliver (default 5000)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL even when reachable")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        result = {"prepare": child_prepare, "deliver": child_deliver}[step](*rest)
        print(json.dumps(result))
        return

    runs = {}
    with tempfile.TemporaryDirectory(prefix="tenantportal-erp-bench-") as work_dir:
        runs["sqlite"] = bench(f"sqlite:///{os.path.join(work_dir, 'bench.sqlite3')}", args.events)
    if not args.no_postgres and postgres_reachable():
        _pg(f"DROP DATABASE IF EXISTS {PG_DB}")
        _pg(f"CREATE DATABASE {PG_DB}")
        try:
            base = PG_URL.rsplit("/", 1)[0]
            runs["postgres"] = bench(f"{base}/{PG_DB}", args.events)
        finally:
            _pg(f"DROP DATABASE IF EXISTS {PG_DB}")
    for name, result in runs.items():
        print(
            f"[{name}] {args.events} events delivered once and in order in {result['seconds']:.2f} s: "
            f"{result['events_per_s']:.0f} events/s (target {TARGET}); worker peak RSS {result['peak_mb']:.0f} MB"
        )
    main_run = runs["sqlite"]
    print(
        f"events_per_s={main_run['events_per_s']:.0f} peak_mb={main_run['peak_mb']:.0f} events={args.events}"
    )


if __name__ == "__main__":
    main()
