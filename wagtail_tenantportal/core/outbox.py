"""The outbox: the one road for everything that leaves the process.

Mails (``core.mail.send_later``), deferred tasks (``core.tasks.defer``) and events for other
systems (the ERP link) are written as :class:`OutboxMessage` rows **in the transaction of the
change that caused them**: a rolled-back change sends nothing, a committed one cannot lose its
messages. Delivery happens later, by whoever runs :func:`deliver_due`:

- the django-tasks task :data:`deliver_outbox_task`, enqueued once per transaction after it
  commits (with the default ``ImmediateBackend`` it runs at once in the same process, with a
  worker backend a worker runs it);
- the command ``manage.py tenantportal_outbox`` for cron, or ``--watch`` as a service; it also
  retries what failed earlier (backoff) and prunes old rows.

What the caller may rely on:

- **At least once, never lost.** A row stays until its transport reported success. A worker
  that dies mid-delivery leaves its rows held for ``OUTBOX_LEASE_SECONDS``; then another
  worker takes them. Receivers recognise a second delivery by the message's ``uuid`` (the
  ``webhook-id`` of an event, the ``Message-ID`` of a mail).
- **Once per worker pool.** Rows are claimed in short transactions with
  ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers anyway) and
  held with a lease, so several workers never take the same row.
- **In order per stream.** Rows with the same ``stream`` (``"ticket:42"``) go out one after
  the other, oldest first; a failing row holds back the younger ones of its stream (and only
  those) until it is delivered or discarded.
- **Backoff with a ceiling.** After a failure the row waits ``OUTBOX_RETRY_BASE_SECONDS``
  doubled per attempt, at most ``OUTBOX_RETRY_MAX_SECONDS``; after ``OUTBOX_MAX_ATTEMPTS``
  it becomes a dead letter: kept, shown in the admin, sent again by :func:`retry`.

Transports deliver one channel each (``"mail"``, ``"task"``, and what apps register with
:func:`register_transport`, e.g. ``"erp"``); see :class:`Transport`.
"""

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .conf import portal_settings
from .outbox_models import OutboxMessage, OutboxWorker

logger = logging.getLogger("wagtail_tenantportal.outbox")

__all__ = [
    "DeliveryFailed",
    "OutboxMessage",
    "OutboxWorker",
    "Transport",
    "backoff_seconds",
    "claim",
    "deliver_due",
    "deliver_outbox_task",
    "discard",
    "enqueue",
    "enqueue_many",
    "health",
    "kick",
    "prune",
    "register_transport",
    "retry",
]

#: Transports of the core, by dotted path (imported when first needed: ``mail`` and ``tasks``
#: import this module, not the other way round).
BUILTIN_TRANSPORTS = {
    "mail": "wagtail_tenantportal.core.mail.MailTransport",
    "task": "wagtail_tenantportal.core.tasks.TaskTransport",
}
_transports = {}
_local = threading.local()
#: Longest error text kept on a row.
ERROR_MAX_LENGTH = 2000


class DeliveryFailed(Exception):
    """A transport could not deliver a message. ``permanent``: trying again cannot help (the
    row becomes a dead letter at once); else it is tried again after the backoff."""

    def __init__(self, reason, *, permanent=False):
        super().__init__(reason)
        self.reason = str(reason)
        self.permanent = permanent


class Transport:
    """Delivers the messages of one channel. A worker makes one per run and channel.

    ``deliver(message)`` returns on success and raises :class:`DeliveryFailed` (or any
    exception, taken as temporary) on failure. ``open``/``close`` frame a run (a connection
    kept for many messages). ``atomic``: the delivery only writes to the database, so it runs
    in one transaction with marking the row delivered (exactly once). ``timeout``: the longest
    one delivery may take, in seconds (a worker stops taking rows of its batch before its
    lease could run out).
    """

    atomic = False
    timeout = 30

    def open(self):
        pass

    def close(self):
        pass

    def deliver(self, message):
        raise NotImplementedError


def register_transport(channel, factory):
    """Deliver rows of ``channel`` with ``factory()`` (a :class:`Transport` class or a callable
    returning one). Call it in your ``AppConfig.ready()``."""
    _transports[channel] = factory


def transport_factory(channel):
    factory = _transports.get(channel)
    if factory is None and channel in BUILTIN_TRANSPORTS:
        factory = _transports[channel] = import_string(BUILTIN_TRANSPORTS[channel])
    return factory


# -- writing ------------------------------------------------------------------------------------


def enqueue(channel, topic, payload, *, destination="", stream="", company_id=None, not_before=None):
    """Record one message in the current transaction and ask for delivery after the commit.

    ``payload`` must be JSON (dates, decimals and UUIDs are turned into strings). ``stream``
    orders the message after earlier ones of the same stream. ``not_before``: a datetime
    before which it is not delivered. Returns the :class:`OutboxMessage`. A database error
    propagates: the caller's change then fails with it, so nothing goes unrecorded.
    """
    (message,) = enqueue_many(
        channel,
        topic,
        [payload],
        destination=destination,
        stream=stream,
        company_id=company_id,
        not_before=not_before,
    )
    return message


def enqueue_many(channel, topic, payloads, *, destination="", stream="", company_id=None, not_before=None):
    """:func:`enqueue` for many payloads of one kind in a fixed number of queries (e.g. a notice
    mailed to every tenant of a building). Returns the rows."""
    now = timezone.now()
    rows = [
        OutboxMessage(
            channel=channel,
            destination=str(destination or ""),
            topic=topic,
            stream=stream or "",
            company_id=company_id,
            payload=payload,
            created_at=now,
            next_attempt_at=max(now, not_before) if not_before else now,
        )
        for payload in payloads
    ]
    if len(rows) == 1:
        rows[0].save()
    else:
        OutboxMessage.objects.bulk_create(rows, batch_size=500)
    kick([row.pk for row in rows if row.pk is not None])
    return rows


def after_commit_hook(function):
    """How :func:`kick` waits for the commit (a seam the tests replace)."""
    transaction.on_commit(function, robust=True)


class _Delivery:
    """The delivery a transaction asks for when it commits: the rows it wrote."""

    def __init__(self, ids):
        self.ids = list(ids)
        self.done = False

    def __call__(self):
        self.done = True
        try:
            deliver_outbox_task.enqueue(self.ids)
        except Exception:  # the rows are safe; the next worker run or cron delivers them
            logger.exception("The outbox delivery could not be queued; the next run delivers.")


def kick(ids):
    """Have the rows ``ids`` delivered once the current transaction commits: one delivery task
    per transaction, however many rows it wrote. While this thread delivers already, the rows
    join that run instead."""
    if getattr(_local, "delivering", False):
        _local.created.extend(ids)
        return
    if connection.in_atomic_block:
        # A delivery registered where this one would be (its savepoints all still open) runs
        # whenever this one would: the rows join it.
        current = set(connection.savepoint_ids)
        for sids, func, _robust in connection.run_on_commit:
            if isinstance(func, _Delivery) and not func.done and sids <= current:
                func.ids.extend(ids)
                return
    after_commit_hook(_Delivery(ids))


@task()
def deliver_outbox_task(ids=None):
    """Deliver the rows ``ids`` (a transaction's messages) and what delivering them writes;
    all due rows when ``ids`` is None. A module-level task, so django-tasks workers can import
    it. Rows that fail wait for their backoff and the next worker run or cron."""
    return deliver_due(only=ids).as_dict()


# -- delivering ---------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one :func:`deliver_due` run did."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self):
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "dead": self.dead,
            "released": self.released,
        }


def worker_name():
    """``host:pid`` of this process (a row of :class:`OutboxWorker`)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def backoff_seconds(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt: base × 2^(attempts-1), at most
    the ceiling."""
    base = max(1, int(portal_settings.OUTBOX_RETRY_BASE_SECONDS))
    ceiling = max(base, int(portal_settings.OUTBOX_RETRY_MAX_SECONDS))
    return min(ceiling, base * 2 ** min(max(attempts - 1, 0), 30))


def claim(worker, limit, *, now=None, ids=None):
    """Take up to ``limit`` due rows that are next in their streams for ``worker`` (among
    ``ids`` if given): their lease runs ``OUTBOX_LEASE_SECONDS`` from ``now``, their attempt is
    counted. Returns them in id order. Safe to call from several processes at once."""
    now = now or timezone.now()
    lease = timedelta(seconds=int(portal_settings.OUTBOX_LEASE_SECONDS))
    with transaction.atomic():
        candidates = OutboxMessage.objects.due(now).heads().order_by("pk")
        if ids is not None:
            candidates = candidates.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            locked_by=worker, locked_until=now + lease, attempts=F("attempts") + 1, last_attempt_at=now
        )
    return list(OutboxMessage.objects.filter(pk__in=ids, locked_by=worker).order_by("pk"))


#: A payload key: a row whose payload has it set loses its payload once delivered (the mail
#: confirming an account's deletion must not keep the address it went to).
FORGET_KEY = "forget_after_delivery"


def _mark_delivered(ids, worker, now, *, forget=()):
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, locked_by=worker).update(
            state=OutboxMessage.State.DELIVERED,
            delivered_at=now,
            locked_by="",
            locked_until=None,
            last_error="",
        )
    forget = [pk for pk in forget if pk in ids]
    if forget:
        OutboxMessage.objects.filter(pk__in=forget).update(payload={})


def _forgotten(messages):
    return [m.pk for m in messages if isinstance(m.payload, dict) and m.payload.get(FORGET_KEY)]


def _mark_failed(message, worker, reason, *, permanent, now):
    """Back off, or make a dead letter after the last attempt. Returns True for a dead letter."""
    dead = permanent or message.attempts >= int(portal_settings.OUTBOX_MAX_ATTEMPTS)
    OutboxMessage.objects.filter(pk=message.pk, locked_by=worker).update(
        state=OutboxMessage.State.DEAD if dead else OutboxMessage.State.PENDING,
        next_attempt_at=now + timedelta(seconds=backoff_seconds(message.attempts)),
        last_error=str(reason)[:ERROR_MAX_LENGTH],
        locked_by="",
        locked_until=None,
    )
    log = logger.error if dead else logger.warning
    log(
        "Outbox message %s (%s) %s: %s",
        message.pk,
        message.topic,
        "is a dead letter" if dead else "failed",
        reason,
    )
    return dead


def _release(messages, worker):
    """Give back rows this worker claimed but did not try (their attempt is not counted)."""
    ids = [m.pk for m in messages]
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, locked_by=worker).update(
            locked_by="", locked_until=None, attempts=F("attempts") - 1
        )
    return len(ids)


class _Run:
    """One run of :func:`deliver_due`: its transports (opened when first needed) and counts."""

    def __init__(self, worker, now):
        self.worker = worker
        self.fixed_now = now
        self.transports = {}
        self.report = DeliveryReport()

    def now(self):
        return self.fixed_now or timezone.now()

    def transport(self, channel):
        if channel not in self.transports:
            factory = transport_factory(channel)
            instance = factory() if factory is not None else None
            if instance is not None:
                instance.open()
            self.transports[channel] = instance
        return self.transports[channel]

    def close(self):
        for instance in self.transports.values():
            if instance is not None:
                try:
                    instance.close()
                except Exception:
                    logger.exception("Closing an outbox transport failed")

    def deliver_batch(self, messages):
        lease = int(portal_settings.OUTBOX_LEASE_SECONDS)
        started = time.monotonic()
        delivered = []
        for index, message in enumerate(messages):
            transport = self.transport(message.channel)
            timeout = getattr(transport, "timeout", Transport.timeout) if transport else 0
            if index and time.monotonic() - started + timeout > lease:
                # the lease could run out during this delivery: leave the rest to the next claim
                # (the first row of a batch is always tried, so every claim makes progress)
                self.report.released += _release(messages[index:], self.worker)
                break
            if self.deliver_one(message, transport):
                delivered.append(message.pk)
        _mark_delivered(delivered, self.worker, self.now(), forget=_forgotten(messages))
        self.report.delivered += len(delivered)

    def deliver_one(self, message, transport):
        """True when delivered and still to be marked; atomic transports mark themselves."""
        try:
            if transport is None:
                raise DeliveryFailed(f"No transport for the channel “{message.channel}”.", permanent=True)
            if transport.atomic:
                with transaction.atomic():
                    transport.deliver(message)
                    _mark_delivered([message.pk], self.worker, self.now(), forget=_forgotten([message]))
                self.report.delivered += 1
                return False
            transport.deliver(message)
            return True
        except DeliveryFailed as failure:
            self.fail(message, failure.reason, permanent=failure.permanent)
        except Exception as exc:
            self.fail(message, f"{type(exc).__name__}: {exc}", permanent=False)
        return False

    def fail(self, message, reason, *, permanent):
        self.report.failed += 1
        self.report.errors.append((message.pk, reason))
        if _mark_failed(message, self.worker, reason, permanent=permanent, now=self.now()):
            self.report.dead += 1


def deliver_due(*, worker=None, batch_size=None, now=None, max_batches=None, only=None):
    """Deliver every due row (batches of ``OUTBOX_BATCH_SIZE``) until none is left; returns a
    :class:`DeliveryReport`. Records the run in :class:`OutboxWorker`. ``now`` fixes the
    clock (tests); ``max_batches`` stops early; ``only`` (ids) limits the run to those rows
    and the rows their delivery writes (the mails a task queues)."""
    worker = worker or worker_name()
    batch_size = batch_size or int(portal_settings.OUTBOX_BATCH_SIZE)
    run = _Run(worker, now)
    previous = getattr(_local, "delivering", False), getattr(_local, "created", None)
    _local.delivering, _local.created = True, []
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            scope = None if only is None else [*only, *_local.created]
            if scope == []:
                break
            messages = claim(worker, batch_size, now=run.now(), ids=scope)
            if not messages:
                break
            batches += 1
            run.deliver_batch(messages)
    finally:
        _local.delivering, _local.created = previous
        run.close()
        record_run(worker, run.report, now=run.now())
    return run.report


def record_run(worker, report, *, now=None):
    """Note that ``worker`` ran and what it did (the heartbeat the check and the health panel
    read): one upsert, whatever ran before."""
    now = now or timezone.now()
    OutboxWorker.objects.bulk_create(
        [
            OutboxWorker(
                name=worker, started_at=now, last_run_at=now, delivered=report.delivered, failed=report.failed
            )
        ],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["last_run_at", "delivered", "failed"],
    )


# -- staff actions and health -------------------------------------------------------------------


def retry(queryset):
    """Send the dead letters (and failing rows) of ``queryset`` again now, with a fresh count
    of attempts, delivered after the commit. Returns how many rows were put back."""
    states = (OutboxMessage.State.DEAD, OutboxMessage.State.PENDING)
    ids = list(queryset.filter(state__in=states).values_list("pk", flat=True))
    count = OutboxMessage.objects.filter(pk__in=ids, state__in=states).update(
        state=OutboxMessage.State.PENDING,
        next_attempt_at=timezone.now(),
        attempts=0,
        locked_by="",
        locked_until=None,
    )
    if ids:
        kick(ids)
    return count


def discard(queryset):
    """Give up on the dead letters of ``queryset``: they are kept (audit) but no longer hold
    back their streams. Returns how many rows were discarded."""
    return queryset.filter(state=OutboxMessage.State.DEAD).update(state=OutboxMessage.State.DISCARDED)


def prune(*, now=None):
    """Delete delivered and discarded rows older than ``OUTBOX_KEEP_DAYS`` and workers not seen
    for as long. Returns the number of rows deleted."""
    days = portal_settings.OUTBOX_KEEP_DAYS
    if not days:
        return 0
    before = (now or timezone.now()) - timedelta(days=int(days))
    done = (OutboxMessage.State.DELIVERED, OutboxMessage.State.DISCARDED)
    deleted, _ = OutboxMessage.objects.filter(state__in=done, created_at__lt=before).delete()
    OutboxWorker.objects.filter(last_run_at__lt=before).delete()
    return deleted


@dataclass
class Health:
    """The outbox at a glance (the admin panel and the system check)."""

    pending: int
    due: int
    dead: int
    oldest_due_at: object
    last_run_at: object
    workers: list
    stale: bool

    @property
    def ok(self):
        return not self.dead and not self.stale


def health(*, now=None, company_ids=None):
    """Counts of pending, due and dead rows, the oldest due row, recent workers, and whether
    deliveries are stuck (``stale``: rows due for longer than ``OUTBOX_WORKER_STALE_SECONDS``
    and no worker ran in that time). ``company_ids`` narrows the counts to those companies."""
    now = now or timezone.now()
    rows = OutboxMessage.objects.all()
    if company_ids is not None:
        rows = rows.filter(company_id__in=company_ids)
    counts = dict(
        rows.filter(state__in=(OutboxMessage.State.PENDING, OutboxMessage.State.DEAD))
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    oldest_due_at = rows.due(now).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    due = rows.due(now).count() if oldest_due_at else 0
    workers = list(OutboxWorker.objects.order_by("-last_run_at")[:5])
    last_run_at = workers[0].last_run_at if workers else None
    stale_after = timedelta(seconds=int(portal_settings.OUTBOX_WORKER_STALE_SECONDS))
    stale = bool(
        oldest_due_at
        and oldest_due_at < now - stale_after
        and (last_run_at is None or last_run_at < now - stale_after)
    )
    return Health(
        pending=counts.get(OutboxMessage.State.PENDING, 0),
        due=due,
        dead=counts.get(OutboxMessage.State.DEAD, 0),
        oldest_due_at=oldest_due_at,
        last_run_at=last_run_at,
        workers=workers,
        stale=stale,
    )
