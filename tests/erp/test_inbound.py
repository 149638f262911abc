"""Incoming: the ERP sets statuses, replies, publishes documents and upserts master data; every
call authenticated, signed, idempotent, audited; bad calls are clear 4xx, never a 500."""

import base64
import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.tickets.conftest import pdf_bytes
from wagtail_tenantportal.core import outbox
from wagtail_tenantportal.documents.models import Document
from wagtail_tenantportal.erp.models import InboundCall
from wagtail_tenantportal.tenancy.models import Contract, Party
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import TicketAttachment, TicketMessage, TicketStatusChange

from .conftest import call, contract_of, inbound_url, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(tenant, contract, general_type, dummy_connection):
    ticket = ticket_services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="Heizung", description="Kalt."
    )
    outbox.deliver_due()
    mail.outbox.clear()
    return ticket


def test_a_status_update_reaches_the_tenant_as_history_and_mail(client, ticket, tenant, dummy_connection):
    response = call(
        client,
        dummy_connection,
        "status",
        ticket.reference,
        data={"status": "in_progress", "comment": "Der Monteur kommt am Dienstag.", "case_id": "V-77"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "changed"
    change = TicketStatusChange.objects.filter(ticket=ticket).latest("pk")
    assert (change.to_status.code, change.channel, change.comment) == (
        "in_progress",
        "erp",
        "Der Monteur kommt am Dienstag.",
    )
    ticket.refresh_from_db()
    assert ticket.external_id == "V-77"
    outbox.deliver_due()  # the worker
    (message,) = mail.outbox
    assert message.to == [tenant.email] and "Der Monteur kommt am Dienstag." in message.body

    # The tenant sees it in the request's history.
    client.force_login(tenant)
    page = client.get(reverse("wagtail_tenantportal:ticket_detail", args=[ticket.reference]))
    assert "Der Monteur kommt am Dienstag." in page.content.decode()

    # The ERP's case id names the request too; the call is audited.
    again = call(client, dummy_connection, "status", "V-77", data={"status": "done"})
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert InboundCall.objects.filter(connection=dummy_connection, status_code=200).count() == 2


def test_out_of_order_updates_are_resolved_by_the_erp_time(client, ticket, dummy_connection):
    now = timezone.now()
    later = call(
        client,
        dummy_connection,
        "status",
        ticket.reference,
        data={"status": "done", "occurred_at": now.isoformat()},
    )
    assert later.json()["result"] == "changed"
    earlier = call(
        client,
        dummy_connection,
        "status",
        ticket.reference,
        data={"status": "in_progress", "occurred_at": (now - datetime.timedelta(minutes=5)).isoformat()},
    )
    assert earlier.status_code == 200 and earlier.json()["result"] == "ignored"
    ticket.refresh_from_db()
    assert ticket.status.code == "done"


def test_a_message_is_idempotent_by_the_erp_id(client, ticket, tenant, dummy_connection):
    data = {"id": "N-1", "body": "Wir melden uns."}
    first = call(client, dummy_connection, "messages", ticket.reference, data=data)
    second = call(client, dummy_connection, "messages", ticket.reference, data=data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["result"] == "unchanged"
    (message,) = TicketMessage.objects.filter(ticket=ticket)
    assert (message.author_role, message.channel, message.external_id) == ("staff", "erp", "N-1")
    outbox.deliver_due()
    assert [m.to for m in mail.outbox] == [[tenant.email]]


def test_a_document_appears_in_the_tenants_documents(client, contract, tenant, dummy_connection):
    from tests.documents.conftest import give_e_delivery_consent

    give_e_delivery_consent(tenant)
    data = {
        "id": "DMS-9",
        "target": {"type": "contract", "id": contract.number},
        "title": "Betriebskostenabrechnung 2025",
        "category": "operating_cost_statement",
        "content_base64": base64.b64encode(pdf_bytes()).decode(),
        "filename": "bk2025.pdf",
    }
    response = call(client, dummy_connection, "documents", data=data)
    assert response.status_code == 201, response.content
    document = Document.objects.get(erp_id="DMS-9")
    assert document.source == "erp" and document.contract == contract
    repeat = call(client, dummy_connection, "documents", data=data)
    assert repeat.json()["result"] == "unchanged" and Document.objects.count() == 1

    client.force_login(tenant)
    page = client.get(reverse("wagtail_tenantportal:documents"))
    assert "Betriebskostenabrechnung 2025" in page.content.decode()
    outbox.deliver_due()
    assert [m.to for m in mail.outbox] == [[tenant.email]]  # "a new document is available"


def test_a_document_for_a_request_is_a_reply_with_the_pdf(client, ticket, dummy_connection):
    data = {
        "id": "DMS-10",
        "target": {"type": "request", "id": ticket.reference},
        "title": "Auftragsbestätigung",
        "content_base64": base64.b64encode(pdf_bytes()).decode(),
    }
    response = call(client, dummy_connection, "documents", data=data)
    assert response.status_code == 201, response.content
    attachment = TicketAttachment.objects.get(ticket=ticket)
    assert attachment.kind == "pdf" and attachment.message.body == "Auftragsbestätigung"


def test_master_data_upsert_keeps_what_the_call_does_not_name(client, company, contract, dummy_connection):
    unit = contract.unit
    other = contract_of(company)
    data = {
        "data": {
            "parties": [{"erp_id": "P-1", "kind": "person", "first_name": "Erika", "last_name": "Muster"}],
            "contracts": [
                {"number": "V-NEU", "kind": "rental", "unit": unit.erp_id, "start_date": "2026-01-01"}
            ],
        }
    }
    response = call(client, dummy_connection, "master_data", data=data)
    assert response.status_code == 200, response.content
    assert response.json()["counts"]["parties"]["created"] == 1
    assert Party.objects.get(company=company, erp_id="P-1").last_name == "Muster"
    assert Contract.objects.filter(company=company, number="V-NEU").exists()
    other.refresh_from_db()
    assert other.ended_by_import_at is None  # not a full export: nothing ended


def test_master_data_of_another_company_is_refused(client, dummy_connection):
    data = {"data": {"parties": [{"company": "OTHER", "erp_id": "P-1", "last_name": "X"}]}}
    response = call(client, dummy_connection, "master_data", data=data)
    assert response.status_code == 403 and response.json()["error"] == "foreign_company"


def test_bad_rows_are_reported_and_nothing_is_saved(client, dummy_connection):
    data = {"data": {"parties": [{"erp_id": "P-2", "kind": "robot", "last_name": "X"}]}}
    response = call(client, dummy_connection, "master_data", data=data)
    assert response.status_code == 422 and response.json()["errors"]
    assert not Party.objects.filter(erp_id="P-2").exists()


# -- attackers and mistakes --------------------------------------------------------------------


def test_wrong_key_wrong_or_old_signature_are_refused(client, ticket, dummy_connection):
    data = {"status": "done"}
    assert (
        call(
            client, dummy_connection, "status", ticket.reference, data=data, key="tperp_nonsense"
        ).status_code
        == 401
    )
    wrong_secret = "whsec_" + base64.b64encode(b"x" * 32).decode()
    bad = call(client, dummy_connection, "status", ticket.reference, data=data, secret=wrong_secret)
    assert bad.status_code == 401 and bad.json()["error"] == "bad_signature"
    old = call(
        client,
        dummy_connection,
        "status",
        ticket.reference,
        data=data,
        timestamp=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=10),
    )
    assert old.status_code == 401 and old.json()["error"] == "signature_expired"
    body = json.dumps(data).encode()
    unsigned = client.post(
        inbound_url("status", ticket.reference),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dummy_connection.api_key}",
    )
    assert unsigned.status_code == 401 and unsigned.json()["error"] == "missing_signature"
    # a signature over another body
    tampered = client.generic(
        "POST",
        inbound_url("status", ticket.reference),
        json.dumps({"status": "rejected"}).encode(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dummy_connection.api_key}",
        **sign(dummy_connection, body),
    )
    assert tampered.status_code == 401
    ticket.refresh_from_db()
    assert ticket.status.code == "new"
    assert InboundCall.objects.filter(status_code=401).count() == 4  # refusals with a valid key are audited


def test_a_replay_is_refused_with_the_first_answer(client, ticket, dummy_connection):
    first = call(
        client, dummy_connection, "status", ticket.reference, data={"status": "done"}, msg_id="msg_same"
    )
    replay = call(
        client, dummy_connection, "status", ticket.reference, data={"status": "done"}, msg_id="msg_same"
    )
    assert first.status_code == 200
    assert replay.status_code == 409 and replay.json()["error"] == "replay"
    assert replay.json()["original"] == first.json()
    assert TicketStatusChange.objects.filter(ticket=ticket, channel="erp").count() == 1


def test_unknown_ids_and_bad_input_are_clear_4xx(client, ticket, dummy_connection):
    cases = [
        ("status", ("2026-999999",), {"status": "done"}, 404, "unknown_request"),
        ("status", (ticket.reference,), {"status": "nonsense"}, 422, "unknown_status"),
        ("status", (ticket.reference,), {"comment": "x"}, 400, "invalid"),
        ("messages", (ticket.reference,), {"id": "1"}, 400, "invalid"),
        (
            "documents",
            (),
            {"id": "D", "target": {"type": "party", "id": "nobody"}, "title": "T", "content_base64": "AAAA"},
            404,
            "unknown_party",
        ),
        (
            "documents",
            (),
            {
                "id": "D",
                "target": {"type": "contract", "id": ticket.contract.number},
                "title": "T",
                "content_base64": "%%%",
            },
            400,
            "invalid_file",
        ),
        (
            "documents",
            (),
            {
                "id": "D",
                "target": {"type": "contract", "id": ticket.contract.number},
                "title": "T",
                "content_base64": base64.b64encode(b"not a pdf").decode(),
            },
            422,
            None,
        ),
        ("master_data", (), {"data": {"spaceships": [{"x": 1}]}}, 400, "unknown_kind"),
    ]
    for name, args, data, expected, code in cases:
        response = call(client, dummy_connection, name, *args, data=data)
        assert response.status_code == expected, (name, data, response.content)
        if code:
            assert response.json()["error"] == code, (name, response.content)
    body = b"{not json"
    response = client.generic(
        "POST",
        inbound_url("status", ticket.reference),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dummy_connection.api_key}",
        **sign(dummy_connection, body),
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


def test_another_companys_request_is_unknown(client, company, dummy_connection, general_type):
    from tests.conftest import verified_portal_user
    from tests.factories import ContractFactory

    foreign_contract = ContractFactory()
    foreign = ticket_services.submit_ticket(
        contract=foreign_contract,
        ticket_type=general_type,
        user=verified_portal_user(foreign_contract),
        subject="x",
        description="y",
    )
    response = call(client, dummy_connection, "status", foreign.reference, data={"status": "done"})
    assert response.status_code == 404


def test_the_address_allow_list(client, ticket, dummy_connection):
    dummy_connection.allowed_addresses = "203.0.113.0/24"
    dummy_connection.save()
    response = call(client, dummy_connection, "status", ticket.reference, data={"status": "done"})
    assert response.status_code == 403 and response.json()["error"] == "address_not_allowed"
    dummy_connection.allowed_addresses = "127.0.0.1\n203.0.113.0/24"
    dummy_connection.save()
    assert (
        call(client, dummy_connection, "status", ticket.reference, data={"status": "done"}).status_code == 200
    )


def test_key_and_secret_rotation_with_a_grace_period(client, ticket, dummy_connection):
    old_key, old_secret = dummy_connection.api_key, dummy_connection.signing_secret
    new_key = dummy_connection.issue_key(grace=datetime.timedelta(hours=1))
    dummy_connection.rotate_signing_secret(grace=datetime.timedelta(hours=1))
    ok_old = call(
        client,
        dummy_connection,
        "status",
        ticket.reference,
        data={"status": "in_progress"},
        key=old_key,
        secret=old_secret,
    )
    ok_new = call(client, dummy_connection, "status", ticket.reference, data={"status": "done"}, key=new_key)
    assert (ok_old.status_code, ok_new.status_code) == (200, 200)
    dummy_connection.issue_key()  # without grace: the keys before it stop working at once
    assert (
        call(
            client, dummy_connection, "status", ticket.reference, data={"status": "done"}, key=new_key
        ).status_code
        == 401
    )


def test_attachments_are_downloaded_with_the_key_only_for_the_company(
    client, contract, tenant, general_type, dummy_connection
):
    from tests.tickets.conftest import photo

    ticket = ticket_services.submit_ticket(
        contract=contract,
        ticket_type=general_type,
        user=tenant,
        subject="Foto",
        description="x",
        attachments=[photo()],
    )
    attachment = TicketAttachment.objects.get(ticket=ticket)
    url = inbound_url("attachment", attachment.pk)
    assert client.get(url).status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {dummy_connection.api_key}")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert (
        client.get(
            inbound_url("attachment", attachment.pk + 999),
            HTTP_AUTHORIZATION=f"Bearer {dummy_connection.api_key}",
        ).status_code
        == 404
    )
