"""Account mails leave the request: rendered, recorded in the outbox of its transaction and
sent by a worker after the commit, so a request for a known address does not wait for the mail
server longer than for an unknown one. Where the address decides whether a mail goes out
(password reset), the request does not even look it up: it queues a task that does."""

import json

import pytest
from django.core import mail
from django_tasks import task_backends

from wagtail_tenantportal.accounts.flows import login as login_flow
from wagtail_tenantportal.core import mail as portal_mail
from wagtail_tenantportal.core import outbox

from .flow_helpers import mail_link, url, verified_tenant, without_csrf

pytestmark = pytest.mark.django_db

EMAIL = "mieterin@example.org"


@pytest.fixture
def _mails_at_commit():
    """Overrides the conftest fixture: these tests use Django's real ``on_commit``."""


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


def delivery_tasks(queue):
    """The queued outbox deliveries (Wagtail queues search-index tasks on the same backend)."""
    return [result for result in queue.results if result.task.name == outbox.deliver_outbox_task.name]


def queued_mails():
    """The mails waiting in the outbox."""
    return list(outbox.OutboxMessage.objects.filter(channel="mail", state="pending").order_by("pk"))


def queued_tasks():
    """The deferred tasks waiting in the outbox."""
    return list(outbox.OutboxMessage.objects.filter(channel="task", state="pending").order_by("pk"))


def test_reset_for_a_known_address_only_enqueues_the_mail(
    client, tenant, queue, django_capture_on_commit_callbacks
):
    verified_tenant(tenant[1], email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("password_reset"), {"email": EMAIL})
    assert response.status_code == 200
    assert mail.outbox == []  # nothing sent during the request
    assert queued_mails() == []  # the request queued the reset task only
    (reset,) = queued_tasks()
    assert reset.topic == login_flow.password_reset_task.module_path
    assert reset.payload["args"] == [EMAIL]
    assert reset.payload["kwargs"]["origin"] == "http://testserver"
    (result,) = delivery_tasks(queue)
    assert result.args == [[reset.pk]]  # the delivery of this transaction's rows

    # A worker runs the task (it looks the address up and queues the mail) and, in the same run,
    # delivers the mail the task wrote, link included.
    assert outbox.deliver_outbox_task.call(*result.args)["delivered"] == 2
    queued = outbox.OutboxMessage.objects.get(channel="mail")
    assert queued.payload["to"] == [EMAIL]
    assert queued.state == "delivered"
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == queued.payload["subject"] and "new password" in message.subject
    assert mail_link(message, "/portal/password/reset/")
    assert message.extra_headers["Message-ID"] == f"<{queued.uuid.hex}@example.org>"
    assert queued_mails() == []


def test_known_and_unknown_addresses_get_the_same_response(
    client, tenant, queue, django_capture_on_commit_callbacks
):
    verified_tenant(tenant[1], email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url("password_reset"), {"email": EMAIL})
        unknown = client.post(url("password_reset"), {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content).replace(EMAIL.encode(), b"X") == without_csrf(unknown.content).replace(
        b"niemand@example.org", b"X"
    )
    assert queued_mails() == []
    assert len(queued_tasks()) == 2  # the same work for both addresses: one task each
    report = outbox.deliver_due()
    assert report.delivered >= 2
    assert [m.to for m in mail.outbox] == [[EMAIL]]  # only the known address gets a mail


def test_nothing_is_queued_if_the_transaction_rolls_back(client, tenant, queue):
    from django.db import transaction

    verified_tenant(tenant[1], email=EMAIL)
    with pytest.raises(RuntimeError), transaction.atomic():
        client.post(url("password_reset"), {"email": EMAIL})
        raise RuntimeError
    assert delivery_tasks(queue) == []
    assert queued_mails() == []
    assert queued_tasks() == []


def test_the_task_arguments_rebuild_the_whole_message():
    message = portal_mail.build_message(
        "Betreff", "Text", "portal@example.org", [EMAIL], reply_to=["info@example.org"]
    )
    message.attach_alternative("<p>Text</p>", "text/html")
    kwargs = portal_mail.message_kwargs(message)
    assert json.loads(json.dumps(kwargs)) == kwargs  # task arguments must be JSON
    rebuilt = portal_mail.build_message(**kwargs)
    assert (rebuilt.subject, rebuilt.body, rebuilt.from_email, rebuilt.to, rebuilt.reply_to) == (
        "Betreff",
        "Text",
        "portal@example.org",
        [EMAIL],
        ["info@example.org"],
    )
    assert [tuple(alternative) for alternative in rebuilt.alternatives] == [("<p>Text</p>", "text/html")]


def test_a_failing_mail_server_is_logged_and_the_mail_sent_later(settings, caplog):
    settings.EMAIL_BACKEND = "tests.accounts.test_mail_queue.BrokenBackend"
    message = portal_mail.build_message("Betreff", "Text", "portal@example.org", [EMAIL])
    queued = portal_mail.send_later(message)
    report = outbox.deliver_due()
    assert (report.delivered, report.failed) == (0, 1)
    assert "failed" in caplog.text and "connection refused" in caplog.text
    queued.refresh_from_db()
    assert queued.state == "pending" and "connection refused" in queued.last_error
    assert mail.outbox == []

    # The server is back: once the backoff has passed, the mail goes out.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver_due().delivered == 0  # still waiting
    later = queued.next_attempt_at
    assert outbox.deliver_due(now=later).delivered == 1
    assert [m.subject for m in mail.outbox] == ["Betreff"]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")
