"""Mails leave through the outbox: rendered in the request (it needs the request for absolute
links and the language), recorded in the transaction that caused them, sent by a worker.

``send_later(message)`` writes one outbox row (channel ``"mail"``) with the message's parts;
:class:`MailTransport` sends it through Django's mail backend when the outbox is delivered.
An SMTP server that is down means "sent later" (the row is tried again with backoff), never
"lost"; a rolled-back transaction sends nothing. The row's uuid becomes the mail's
``Message-ID``, so a mail a dying worker sent twice is recognisably the same one.

With a worker backend (e.g. ``django_tasks_db.DatabaseBackend`` and ``manage.py db_worker``)
the response never waits for the mail server, so the time a request takes does not tell
whether a mail went out.
"""

import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from . import outbox

logger = logging.getLogger("wagtail_tenantportal.mail")

CHANNEL = "mail"


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


def build_message(subject, body, from_email, to, reply_to=(), alternatives=(), headers=None, connection=None):
    message = EmailMultiAlternatives(
        subject, body, from_email, list(to), reply_to=list(reply_to), headers=headers, connection=connection
    )
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    return message


def send_later(message, *, company_id=None, forget=False):
    """Record ``message`` (an ``EmailMessage``) in the outbox of the current transaction; it is
    sent after the commit (at once outside a transaction), never if the transaction rolls back.
    ``company_id`` lets staff of that company see the row. ``forget``: the row keeps no trace
    of the message once it is sent (a mail to a deleted account's address). Returns the row."""
    payload = message_kwargs(message)
    if forget:
        payload[outbox.FORGET_KEY] = True
    return outbox.enqueue(CHANNEL, CHANNEL, payload, company_id=company_id)


def send_later_many(messages, *, company_id=None):
    """:func:`send_later` for many messages in a fixed number of queries; returns the rows."""
    return outbox.enqueue_many(CHANNEL, CHANNEL, [message_kwargs(m) for m in messages], company_id=company_id)


def message_id(outbox_message, from_email):
    """A stable ``Message-ID`` for the row: its uuid at the sender's domain."""
    domain = parseaddr(from_email or "")[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<{outbox_message.uuid.hex}@{domain}>"


class MailTransport(outbox.Transport):
    """Sends outbox mails through ``EMAIL_BACKEND``, one connection per run."""

    def __init__(self):
        self.connection = None

    @property
    def timeout(self):
        return int(getattr(settings, "EMAIL_TIMEOUT", None) or 60)

    def deliver(self, message):
        if self.connection is None:
            self.connection = get_connection()
        kwargs = dict(message.payload)
        kwargs.pop(outbox.FORGET_KEY, None)
        headers = {"Message-ID": message_id(message, kwargs.get("from_email"))}
        email = build_message(**kwargs, headers=headers, connection=self.connection)
        try:
            sent = email.send()
        except Exception as exc:
            self.close()  # a broken SMTP session is not reused
            raise outbox.DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if not sent:
            raise outbox.DeliveryFailed("The mail backend accepted no message.")

    def close(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                logger.warning("Closing the mail connection failed", exc_info=True)
            self.connection = None
