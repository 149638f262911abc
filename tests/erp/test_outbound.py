"""Outgoing: ticket changes become signed ERP events, recorded with the change, delivered in
order, retried with backoff, dead letters sent again."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from wagtail_tenantportal.core import outbox
from wagtail_tenantportal.core.outbox_models import OutboxMessage
from wagtail_tenantportal.erp.connectors import DummyConnector
from wagtail_tenantportal.erp.models import CaseMapping
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import Channel, Ticket, TicketMessage

from .conftest import status

pytestmark = pytest.mark.django_db


def file_request(tenant, contract, general_type, subject="Heizung"):
    return ticket_services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject=subject, description="Kalt."
    )


def erp_rows():
    return list(OutboxMessage.objects.filter(channel="erp").order_by("pk"))


def test_filing_records_the_event_in_the_same_transaction(tenant, contract, general_type, dummy_connection):
    with pytest.raises(RuntimeError), transaction.atomic():
        file_request(tenant, contract, general_type)
        assert [row.topic for row in erp_rows()] == ["ticket.created"]
        raise RuntimeError  # the filing rolls back: so does its event
    assert erp_rows() == [] and not Ticket.objects.exists()

    ticket = file_request(tenant, contract, general_type)
    (row,) = erp_rows()
    assert row.stream == f"ticket:{ticket.pk}" and row.company_id == contract.company_id
    data = row.payload["data"]
    assert row.payload["type"] == "ticket.created"
    assert data["reference"] == ticket.reference and data["contract"]["number"] == contract.number
    assert data["status"]["code"] == "new" and data["company"]["erp_id"] == "LH"


def test_no_connection_no_event(tenant, contract, general_type):
    file_request(tenant, contract, general_type)
    assert erp_rows() == []


def test_case_type_and_clerk_come_from_the_most_specific_mapping(
    tenant, contract, general_type, dummy_connection
):
    dummy_connection.default_case_type = "ALLG"
    dummy_connection.save()
    CaseMapping.objects.create(
        connection=dummy_connection, ticket_type=general_type, case_type="KONT", clerk="kl"
    )
    file_request(tenant, contract, general_type)
    data = erp_rows()[0].payload["data"]
    assert (data["case_type"], data["clerk"]) == ("KONT", "kl")


def test_events_of_one_request_arrive_in_order_with_the_signature(
    tenant, contract, general_type, webhook_connection, staff_user
):
    erp = webhook_connection.receiver
    ticket = file_request(tenant, contract, general_type)
    ticket_services.post_message(ticket, user=tenant, body="Noch da?")
    ticket_services.change_status(ticket, status("in_progress"), user=staff_user, comment="Kommt.")
    report = outbox.deliver_due()
    assert report.delivered >= 3 and report.failed == 0
    assert erp.events_of(ticket.reference) == [
        "ticket.created",
        "ticket.message_posted",
        "ticket.status_changed",
    ]
    assert erp.rejected == 0  # every signature verified
    ticket.refresh_from_db()
    assert ticket.external_id == f"V-{ticket.reference}"  # the ERP's case id from its answer


def test_changes_the_erp_made_are_not_sent_back(tenant, contract, general_type, dummy_connection):
    ticket = file_request(tenant, contract, general_type)
    ticket_services.change_status(ticket, status("in_progress"), channel=Channel.ERP)
    ticket_services.post_message(
        ticket, user=None, body="Antwort", role=TicketMessage.Role.STAFF, channel=Channel.ERP
    )
    assert [row.topic for row in erp_rows()] == ["ticket.created"]


def test_internal_notes_stay_unless_asked_for(tenant, contract, general_type, dummy_connection, staff_user):
    ticket = file_request(tenant, contract, general_type)
    ticket_services.post_message(
        ticket, user=staff_user, body="intern", role=TicketMessage.Role.STAFF, internal=True
    )
    assert [row.topic for row in erp_rows()] == ["ticket.created"]
    dummy_connection.send_internal_notes = True
    dummy_connection.save()
    ticket_services.post_message(
        ticket, user=staff_user, body="intern 2", role=TicketMessage.Role.STAFF, internal=True
    )
    assert erp_rows()[-1].payload["data"]["message"]["internal"] is True


def test_a_down_erp_means_later_with_backoff_up_to_a_dead_letter(
    settings, tenant, contract, general_type, webhook_connection
):
    settings.WAGTAIL_TENANTPORTAL = {"OUTBOX_MAX_ATTEMPTS": 3, "OUTBOX_RETRY_BASE_SECONDS": 10}
    erp = webhook_connection.receiver
    erp.mode = "down"
    ticket = file_request(tenant, contract, general_type)
    now = timezone.now()
    report = outbox.deliver_due(now=now)
    assert report.failed == 1 and erp.cases == []
    (row,) = erp_rows()
    assert row.state == "pending" and row.attempts == 1 and "HTTP 503" in row.last_error
    assert row.next_attempt_at == now + datetime.timedelta(seconds=10)
    assert outbox.deliver_due(now=now + datetime.timedelta(seconds=5)).failed == 0  # not due yet
    outbox.deliver_due(now=now + datetime.timedelta(seconds=10))
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == now + datetime.timedelta(seconds=30)  # 10 s, doubled
    outbox.deliver_due(now=now + datetime.timedelta(seconds=30))
    row.refresh_from_db()
    assert row.state == "dead" and row.attempts == 3

    # A later event of the same request waits behind the dead letter; staff send it again.
    ticket_services.post_message(ticket, user=tenant, body="Hallo?")
    erp.mode = "up"
    outbox.deliver_due(now=now + datetime.timedelta(hours=1))
    assert erp.deliveries == []
    assert outbox.retry(OutboxMessage.objects.filter(pk=row.pk)) == 1
    outbox.deliver_due(now=now + datetime.timedelta(hours=1))
    assert erp.events_of(ticket.reference) == ["ticket.created", "ticket.message_posted"]


def test_backoff_has_a_ceiling(settings):
    settings.WAGTAIL_TENANTPORTAL = {"OUTBOX_RETRY_BASE_SECONDS": 30, "OUTBOX_RETRY_MAX_SECONDS": 3600}
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3, 7, 8, 50)] == [30, 60, 120, 1920, 3600, 3600]


def test_a_broken_connector_setting_is_a_dead_letter_at_once(
    tenant, contract, general_type, dummy_connection
):
    dummy_connection.connector = {"CLASS": "no.such.Connector", "OPTIONS": {}}
    dummy_connection.save()
    file_request(tenant, contract, general_type)
    report = outbox.deliver_due()
    assert report.dead == 1
    assert "cannot be imported" in erp_rows()[0].last_error


def test_the_dummy_connector_keeps_events(tenant, contract, general_type, dummy_connection):
    ticket = file_request(tenant, contract, general_type)
    outbox.deliver_due()
    ((connection_id, event),) = DummyConnector.outbox
    assert connection_id == dummy_connection.pk and event.type == "ticket.created"
    assert event.id == erp_rows()[0].webhook_id and event.payload["data"]["reference"] == ticket.reference


def test_mails_and_events_share_the_outbox(tenant, contract, general_type, dummy_connection):
    file_request(tenant, contract, general_type)
    channels = sorted(OutboxMessage.objects.values_list("channel", flat=True))
    assert channels == ["erp", "task"]  # the receipt mail is a task until its recipients are known
    outbox.deliver_due()
    assert [m.to for m in mail.outbox] == [[tenant.email]]
    assert OutboxMessage.objects.exclude(state="delivered").count() == 0


def test_a_worker_records_its_runs():
    outbox.deliver_due(worker="test-worker")
    outbox.deliver_due(worker="test-worker")
    worker = outbox.OutboxWorker.objects.get(name="test-worker")
    assert worker.last_run_at is not None and worker.started_at <= worker.last_run_at


@pytest.fixture
def staff_user(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True, username="staff")
