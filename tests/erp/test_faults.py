"""Nothing is lost, nothing arrives twice: the ERP is down while requests are filed, a worker is
killed mid-delivery, two workers deliver together.

The outage test runs on every database and files its requests by every road in
``FILING_ROADS`` (the web form and the REST API). The worker
tests start real worker processes (``manage.py tenantportal_outbox --watch``) against the test
database, so they need a database that several processes share: PostgreSQL.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import verified_portal_user
from wagtail_tenantportal.core import outbox
from wagtail_tenantportal.core.outbox_models import OutboxMessage
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import Ticket

from .conftest import contract_of, status

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 100
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="several worker processes need a shared database: PostgreSQL"
)


def file_by_web(client, contract, user, general_type, number):
    """A tenant files a request with the portal's form."""
    client.force_login(user)
    response = client.post(
        reverse("wagtail_tenantportal:ticket_new", args=[general_type.code]),
        {"contract": contract.pk, "subject": f"Anliegen {number}", "description": "Bitte melden Sie sich."},
    )
    assert response.status_code == 302, response.content[:500]
    return Ticket.objects.get(subject=f"Anliegen {number}")


def file_by_api(client, contract, user, general_type, number):
    """A tenant's phone app files a request through the REST API with a session token."""
    from tests.api.conftest import API, client_for, token_for

    response = client_for(token_for(user)).post(
        API + "requests/",
        {
            "contract": contract.pk,
            "type": general_type.code,
            "subject": f"Anliegen {number}",
            "description": "Bitte melden Sie sich.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content[:500]
    return Ticket.objects.get(reference=response.json()["reference"])


#: The roads by which tenants file requests; each must end in an ERP case exactly once.
FILING_ROADS = {"web": file_by_web, "api": file_by_api}


def tenants_with_contracts(company, count):
    """``count`` tenants, each on a contract of ``company`` (attempt limits are per tenant)."""
    result = []
    for _ in range(count):
        contract = contract_of(company)
        result.append((contract, verified_portal_user(contract)))
    return result


def deliver_until_done(now):
    """Deliver as a worker would, round after round, until nothing is due at ``now``."""
    for _ in range(50):
        report = outbox.deliver_due(now=now)
        if not report.delivered and not report.failed:
            return
    raise AssertionError("the outbox did not drain")


@pytest.mark.django_db
@pytest.mark.parametrize("road", FILING_ROADS)
def test_erp_down_while_100_requests_are_filed_then_back(
    client, company, general_type, webhook_connection, road
):
    erp = webhook_connection.receiver
    erp.mode = "down"
    tenants = tenants_with_contracts(company, REQUESTS // 10)
    tickets = []
    for number in range(REQUESTS):
        contract, user = tenants[number % len(tenants)]
        ticket = FILING_ROADS[road](client, contract, user, general_type, number)
        ticket_services.change_status(ticket, status("in_progress"), comment="Angenommen.")
        if number % 10 == 0:
            ticket_services.post_message(ticket, user=user, body="Noch eine Frage.")
        tickets.append(ticket)
        if number % 25 == 0:
            outbox.deliver_due()  # workers keep trying while the ERP is down
    assert erp.cases == []
    waiting = OutboxMessage.objects.filter(channel="erp", state="pending").count()
    assert waiting == REQUESTS * 2 + REQUESTS // 10

    erp.mode = "up"
    deliver_until_done(timezone.now() + timedelta(hours=2))

    references = [t.reference for t in tickets]
    assert sorted(erp.cases) == sorted(references)  # exactly 100 cases
    ids = [webhook_id for webhook_id, _payload in erp.deliveries]
    assert len(ids) == len(set(ids)) == waiting  # each event once
    for number, ticket in enumerate(tickets):
        expected = ["ticket.created", "ticket.status_changed"]
        if number % 10 == 0:
            expected.append("ticket.message_posted")
        assert erp.events_of(ticket.reference) == expected  # in order per request
    assert not OutboxMessage.objects.filter(channel="erp").exclude(state="delivered").exists()


# -- real worker processes (PostgreSQL) -----------------------------------------------------------


def database_url():
    settings = db_connection.settings_dict
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return (
        f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def start_worker(name, *extra):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.erp.worker_settings",
        "PYTHONPATH": str(ROOT),
    }
    script = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('tenantportal_outbox', *sys.argv[1:])"
    )
    args = ["--watch", "--interval", "0.1", "--worker", name, *extra]
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env)  # noqa: S603


@pytest.fixture
def no_worker_here(settings):
    """Commits here only queue the delivery (a task backend without a worker): the worker
    processes of the test deliver."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def file_committed(company, general_type, count):
    tenants = tenants_with_contracts(company, max(1, count // 10))
    tickets = []
    for number in range(count):
        contract, user = tenants[number % len(tenants)]
        ticket = ticket_services.submit_ticket(
            contract=contract,
            ticket_type=general_type,
            user=user,
            subject=f"Anliegen {number}",
            description="x",
        )
        ticket_services.change_status(ticket, status("in_progress"))
        tickets.append(ticket)
    return tickets


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_delivery_loses_nothing(
    company, general_type, webhook_connection, no_worker_here
):
    erp = webhook_connection.receiver
    tickets = file_committed(company, general_type, 20)
    erp.mode = "block"  # the first delivery hangs in the ERP: the worker is mid-delivery
    assert erp.deliveries == []
    worker = start_worker("doomed")
    try:
        assert erp.arrived.wait(timeout=60), "the worker never delivered"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    erp.mode = "up"
    erp.release.set()  # the ERP got that first event; the worker died before it could note it
    held = OutboxMessage.objects.filter(locked_by="doomed").order_by("locked_until").first()
    assert held is not None  # its claimed rows are held by the lease ...
    before_the_end = held.locked_until - timedelta(seconds=1)
    assert outbox.deliver_due(now=before_the_end).delivered == 0  # ... so nobody takes them yet
    # once the lease ran out (worker_settings: 5 seconds), another worker delivers everything
    deliver_until_done(held.locked_until + timedelta(seconds=1))
    assert sorted(erp.cases) == sorted(t.reference for t in tickets)
    assert all(erp.events_of(t.reference) == ["ticket.created", "ticket.status_changed"] for t in tickets)
    ids = [webhook_id for webhook_id, _payload in erp.deliveries]
    assert len(set(ids)) == 40  # nothing lost
    # at most the event in flight came twice, with the same webhook-id (the receiver's idempotency key)
    assert len(ids) - len(set(ids)) <= 1
    assert not OutboxMessage.objects.exclude(state="delivered").filter(channel="erp").exists()


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_together_deliver_nothing_twice(
    company, general_type, webhook_connection, no_worker_here
):
    erp = webhook_connection.receiver
    tickets = file_committed(company, general_type, 100)
    assert erp.deliveries == []
    expected = OutboxMessage.objects.filter(channel="erp").count()
    workers = [start_worker(name, "--batch-size", "5") for name in ("one", "two")]
    try:
        done = wait_for(
            lambda: (
                len(erp.deliveries) >= expected
                and not outbox.OutboxMessage.objects.filter(channel="erp").exclude(state="delivered").exists()
            ),
            120,
        )
        assert done, f"{len(erp.deliveries)} of {expected} delivered"
        time.sleep(0.5)  # anything delivered twice would arrive now
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    ids = [webhook_id for webhook_id, _payload in erp.deliveries]
    assert len(ids) == len(set(ids)) == expected  # nothing twice
    assert sorted(erp.cases) == sorted(t.reference for t in tickets)
    assert all(erp.events_of(t.reference) == ["ticket.created", "ticket.status_changed"] for t in tickets)
    workers_seen = set(outbox.OutboxWorker.objects.values_list("name", flat=True))
    assert {"one", "two"} <= workers_seen  # both ran
