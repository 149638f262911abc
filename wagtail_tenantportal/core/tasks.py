"""Deferred work goes through the outbox, like mails and ERP events.

:func:`defer` records a django-tasks task and its arguments as an outbox row (channel
``"task"``) in the current transaction; the outbox runs it after the commit through
:class:`TaskTransport`, in one transaction with marking the row done (so its database writes
happen exactly once). A task that raises is tried again with the outbox's backoff and ends as
a dead letter the admin shows, instead of being lost in a log. Nothing runs if the
transaction rolls back.

:func:`after_commit` runs a function in this process after the commit (signals to in-process
receivers); its errors are logged, never raised into the caller.
"""

import logging

from django.db import transaction
from django.utils.module_loading import import_string

from . import outbox

logger = logging.getLogger("wagtail_tenantportal.tasks")

CHANNEL = "task"


def defer(task, *args, stream="", company_id=None, **kwargs):
    """Run ``task`` (a module-level django-tasks task) with JSON-serialisable arguments after
    the current transaction commits, through the outbox. ``stream`` orders it after earlier
    work of the same stream. Returns the outbox row; a database error propagates (the
    caller's change fails with it, nothing goes unrecorded)."""
    return outbox.enqueue(
        CHANNEL,
        task.module_path,
        {"args": list(args), "kwargs": kwargs},
        stream=stream,
        company_id=company_id,
    )


class TaskTransport(outbox.Transport):
    """Runs deferred tasks; their database writes commit with marking the row done."""

    atomic = True
    timeout = 60

    def deliver(self, message):
        try:
            task = import_string(message.topic)
        except ImportError as exc:
            raise outbox.DeliveryFailed(f"Unknown task {message.topic}: {exc}", permanent=True) from exc
        payload = message.payload or {}
        task.call(*payload.get("args", []), **payload.get("kwargs", {}))


def after_commit(function, *args, **kwargs):
    """Run ``function`` in this process after commit (for in-process work such as signals);
    its errors are logged, never raised into the caller."""

    def run():
        try:
            function(*args, **kwargs)
        except Exception:
            logger.exception("Work after commit failed: %r", function)

    transaction.on_commit(run, robust=True)
