"""Staff see the sync state of each request, the outbox with its dead letters and its health,
manage connections and keys; the system check warns when no worker delivers."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from wagtail_tenantportal.core import outbox
from wagtail_tenantportal.core.checks import check_outbox_worker
from wagtail_tenantportal.core.outbox_models import OutboxMessage
from wagtail_tenantportal.erp.models import Connection
from wagtail_tenantportal.tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, username="admin"))
    return client


@pytest.fixture
def failing_ticket(settings, tenant, contract, general_type, dummy_connection):
    settings.WAGTAIL_TENANTPORTAL = {"OUTBOX_MAX_ATTEMPTS": 1}
    dummy_connection.connector = {
        "CLASS": dummy_connection.connector["CLASS"],
        "OPTIONS": {"fail": "ERP im Wartungsfenster"},
    }
    dummy_connection.save()
    ticket = ticket_services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="Heizung", description="Kalt."
    )
    outbox.deliver_due()
    return ticket


def test_the_request_page_shows_the_sync_state_and_sends_again(
    staff_client, failing_ticket, dummy_connection
):
    page = staff_client.get(reverse("tenantportal_tickets:detail", args=[failing_ticket.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "ERP sync" in html and "ticket.created" in html and "ERP im Wartungsfenster" in html
    dummy_connection.connector = {"CLASS": dummy_connection.connector["CLASS"], "OPTIONS": {}}
    dummy_connection.save()
    response = staff_client.post(reverse("tenantportal_erp_sync:retry", args=[failing_ticket.pk]))
    assert response.status_code == 302
    outbox.deliver_due()
    assert OutboxMessage.objects.get(channel="erp").state == "delivered"


def test_the_outbox_lists_inspects_and_sends_dead_letters_again(staff_client, failing_ticket):
    dead = OutboxMessage.objects.get(channel="erp")
    assert dead.state == "dead"
    index = staff_client.get(reverse("tenantportal_outbox:index") + "?state=dead")
    assert index.status_code == 200 and "ticket.created" in index.content.decode()
    inspect = staff_client.get(reverse("tenantportal_outbox:inspect", args=[dead.pk]))
    assert inspect.status_code == 200 and "Discard" in inspect.content.decode()
    staff_client.post(reverse("tenantportal_outbox:action", args=[dead.pk]), {"action": "discard"})
    dead.refresh_from_db()
    assert dead.state == "discarded"


def test_the_dashboard_panel_shows_dead_letters(staff_client, failing_ticket):
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Outbox: mails and ERP" in html and "could not be delivered" in html
    response = staff_client.post(reverse("tenantportal_outbox:action_all"), {"action": "retry"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.filter(state="dead").exists()


def test_staff_without_permission_see_no_outbox(client, failing_ticket):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("tenantportal_outbox:index")).status_code in (302, 403)
    refused = client.post(reverse("tenantportal_outbox:action_all"), {"action": "retry"})
    assert refused.status_code in (302, 403) and refused.get("Location", "/admin/") == "/admin/"
    assert OutboxMessage.objects.get(channel="erp").state == "dead"  # nothing sent again
    assert "Outbox: mails and ERP" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_connections_are_edited_with_mappings_and_keys_issued(staff_client, company, general_type):
    response = staff_client.post(
        reverse("tenantportal_erp_connection:add"),
        {
            "company": company.pk,
            "name": "immotion",
            "active": "on",
            "connector": '{"CLASS": "wagtail_tenantportal.erp.connectors.WebhookConnector", "OPTIONS": {}}',
            "default_case_type": "",
            "default_clerk": "",
            "allowed_addresses": "",
            "case_mappings-TOTAL_FORMS": "0",
            "case_mappings-INITIAL_FORMS": "0",
            "case_mappings-MIN_NUM_FORMS": "0",
            "case_mappings-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200 and "url" in response.content.decode()  # the connector needs a url
    assert not Connection.objects.exists()
    connection = Connection.objects.create(company=company, name="immotion")
    keys_url = reverse("tenantportal_erp_connection:keys", args=[connection.pk])
    page = staff_client.post(keys_url, {"action": "issue_key", "grace": "1"})
    key = page.context["new_key"]
    assert key.startswith("tperp_") and key in page.content.decode()
    connection.refresh_from_db()
    assert Connection.objects.by_key(key) == connection and key not in str(connection.key_hash)


def test_the_check_warns_when_messages_wait_and_no_worker_ran(settings):
    settings.WAGTAIL_TENANTPORTAL = {"OUTBOX_WORKER_STALE_SECONDS": 60}
    assert check_outbox_worker(databases=["default"]) == []
    old = timezone.now() - datetime.timedelta(minutes=5)
    outbox.OutboxMessage.objects.create(
        channel="mail", topic="mail", payload={}, created_at=old, next_attempt_at=old
    )
    (warning,) = check_outbox_worker(databases=["default"])
    assert warning.id == "wagtail_tenantportal.W080"
    assert check_outbox_worker(databases=None) == []  # only with a database
    outbox.record_run("w", outbox.DeliveryReport())  # a worker ran just now
    assert check_outbox_worker(databases=["default"]) == []


def test_the_command_delivers_retries_dead_letters_and_prunes(failing_ticket, dummy_connection):
    dummy_connection.connector = {"CLASS": dummy_connection.connector["CLASS"], "OPTIONS": {}}
    dummy_connection.save()
    out = io.StringIO()
    call_command("tenantportal_outbox", "--retry-dead", stdout=out)
    assert "1 dead letter(s) put back" in out.getvalue()
    assert OutboxMessage.objects.get(channel="erp").state == "delivered"
    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(days=40))
    call_command("tenantportal_outbox", stdout=out)
    assert not OutboxMessage.objects.exists()
