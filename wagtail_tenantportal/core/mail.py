"""Mails leave the request: the message is rendered in the request (it needs the request for
absolute links and the language) and sent by a django-tasks task once the current
transaction has been committed (``core.tasks.defer``, the one road for deferred work).

With a worker backend (e.g. ``django_tasks.backends.database.DatabaseBackend`` and
``manage.py db_worker``) the response never waits for the mail server, so the time a request
takes does not tell whether a mail went out.
"""

import logging

from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from .tasks import defer

logger = logging.getLogger("wagtail_tenantportal.mail")


def message_kwargs(message):
    """The JSON-serialisable parts of ``message`` that ``build_message`` turns back into it."""
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "reply_to": list(message.reply_to),
        "alternatives": [[str(content), mimetype] for content, mimetype in message.alternatives],
    }


def build_message(subject, body, from_email, to, reply_to=(), alternatives=()):
    message = EmailMultiAlternatives(subject, body, from_email, list(to), reply_to=list(reply_to))
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    return message


def send_now(**kwargs):
    """Send one serialised message. Returns True if the backend accepted it; a failure is
    logged, not raised (the tenant can ask for the mail again)."""
    try:
        build_message(**kwargs).send()
    except Exception:
        logger.exception("Could not send the mail %r", kwargs.get("subject"))
        return False
    return True


@task()
def send_mail_task(**kwargs):
    """The task sending one message (a module-level name, so queue workers can import it)."""
    return send_now(**kwargs)


def send_later(message):
    """Hand ``message`` (an ``EmailMessage``) to the mail task after the current transaction
    commits (at once outside a transaction). Nothing is sent if the transaction rolls back;
    errors while enqueueing are logged, never raised into the caller."""
    defer(send_mail_task, **message_kwargs(message))
