"""One road for work that leaves the request: after the transaction commits, as a task.

Mails, notices about new documents, ticket mails and (later) ERP deliveries all leave the
same way: :func:`defer` hands a django-tasks task and its arguments to the task backend once
the current transaction has been committed (at once outside a transaction). Nothing is
enqueued if the transaction rolls back. With django-tasks' default ``ImmediateBackend`` the
task runs at commit time in the same process; with a worker backend (the database backend
and ``manage.py db_worker``) the response never waits for it.

What the caller may rely on: :func:`defer` never raises into the caller. A backend that
cannot take the task is logged; work that must not be lost is recorded in the database
before it is deferred (e.g. due document notices), so the next run picks it up.
"""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger("wagtail_tenantportal.tasks")


def _enqueue(task, args, kwargs):
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        logger.exception("The task %s could not be queued.", getattr(task, "name", task))


def defer(task, *args, **kwargs):
    """Enqueue ``task`` (a django-tasks task) with JSON-serialisable arguments after commit."""
    transaction.on_commit(partial(_enqueue, task, args, kwargs), robust=True)


def after_commit(function, *args, **kwargs):
    """Run ``function`` in this process after commit (for in-process work such as signals);
    its errors are logged, never raised into the caller."""

    def run():
        try:
            function(*args, **kwargs)
        except Exception:
            logger.exception("Work after commit failed: %r", function)

    transaction.on_commit(run, robust=True)
