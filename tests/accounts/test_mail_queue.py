"""Account mails leave the request: rendered in it, sent by a task after the commit, so a
request for a known address does not wait for the mail server longer than for an unknown one."""

import json

import pytest
from django.core import mail
from django_tasks import task_backends

from wagtail_tenantportal.core import mail as portal_mail

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


def mail_tasks(queue):
    """The queued mail tasks (Wagtail queues search-index tasks on the same backend)."""
    return [result for result in queue.results if result.task.name == portal_mail.send_mail_task.name]


def test_reset_for_a_known_address_only_enqueues_the_mail(
    client, tenant, queue, django_capture_on_commit_callbacks
):
    verified_tenant(tenant[1], email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("password_reset"), {"email": EMAIL})
    assert response.status_code == 200
    assert mail.outbox == []  # nothing sent during the request
    (result,) = mail_tasks(queue)
    assert result.args == []
    assert result.kwargs["to"] == [EMAIL]

    # A worker running the task delivers the rendered mail, link included.
    assert portal_mail.send_mail_task.call(**result.kwargs) is True
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == result.kwargs["subject"] and "new password" in message.subject
    assert mail_link(message, "/portal/password/reset/")


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
    assert [result.kwargs["to"] for result in mail_tasks(queue)] == [[EMAIL]]
    assert mail.outbox == []


def test_nothing_is_queued_if_the_transaction_rolls_back(client, tenant, queue):
    from django.db import transaction

    verified_tenant(tenant[1], email=EMAIL)
    with pytest.raises(RuntimeError), transaction.atomic():
        client.post(url("password_reset"), {"email": EMAIL})
        raise RuntimeError
    assert mail_tasks(queue) == []


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


def test_a_failing_mail_server_is_logged_by_the_task(settings, caplog):
    settings.EMAIL_BACKEND = "tests.accounts.test_mail_queue.BrokenBackend"
    message = portal_mail.build_message("Betreff", "Text", "portal@example.org", [EMAIL])
    assert portal_mail.send_mail_task.call(**portal_mail.message_kwargs(message)) is False
    assert "Could not send the mail" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")
