"""The verification mail through a real SMTP server (aiosmtpd on 127.0.0.1, a free port)."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from wagtail_tenantportal.accounts.models import PortalAccount

from .flow_helpers import REGISTER_URL, code_form_data, issue, mail_code, mail_link, url

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()  # runs the server in its own thread
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield inbox
    controller.stop()


def test_verification_mail_is_delivered_over_smtp(client, tenant, smtp_server):
    party, contract = tenant
    response = client.post(
        REGISTER_URL, code_form_data(contract, issue(party, contract), "Müller", "smtp@example.org")
    )
    assert response.url == url("register_done")

    # The SMTP backend returns once the server accepted the message, so it is here now.
    ((mail_from, recipients, raw),) = smtp_server.messages
    assert mail_from == "portal@example.org"
    assert recipients == ["smtp@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "smtp@example.org"
    assert "confirm" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    code = mail_code(text)
    assert code in html

    # The link from the delivered mail confirms the address (GET shows, POST confirms).
    path = mail_link(text)
    assert client.get(path).status_code == 200
    assert client.post(path).url == url("login")
    assert PortalAccount.objects.get().email_verified_at is not None


def test_code_from_the_delivered_mail_works(client, tenant, smtp_server):
    party, contract = tenant
    client.post(REGISTER_URL, code_form_data(contract, issue(party, contract), "Müller", "smtp@example.org"))
    ((_, _, raw),) = smtp_server.messages
    text = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",)).get_content()
    assert client.post(url("verify_email_code"), {"code": mail_code(text)}).url == url("contact_check")
