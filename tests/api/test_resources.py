"""The resources: requests, documents, notices, contracts, savings, the change feed; bad input
and query counts."""

import json

from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import API, client_for, file_request, photo, publish_document, token_for
from tests.factories import ContractFactory, UnitFactory
from wagtail_tenantportal.tickets import services as tickets
from wagtail_tenantportal.tickets.models import Ticket, TicketStatus


def test_request_list_with_filters_and_etag(world, erika_client):
    response = erika_client.get(API + "requests/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["reference"] for r in results] == [world.ticket.reference]
    assert results[0]["status"]["code"] == "new" and results[0]["has_new_reply"] is False
    assert erika_client.get(API + "requests/?state=closed").json()["results"] == []
    assert erika_client.get(API + f"requests/?contract={world.contract.pk}").json()["results"]
    bad = erika_client.get(API + "requests/?state=everything&contract=abc")
    assert bad.status_code == 400 and {"state", "contract"} <= set(bad.json()["fields"])
    etag = response["ETag"]
    assert erika_client.get(API + "requests/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_file_a_request_with_photos_by_multipart(world, erika_client):
    response = erika_client.post(
        API + "requests/",
        {
            "contract": world.contract.pk,
            "type": "general_contact",
            "subject": "Fenster klemmt",
            "description": "Das Küchenfenster lässt sich nicht mehr schließen.",
            "form_data": json.dumps({}),
            "attachments": [photo("eins.jpg"), photo("zwei.jpg")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(reference=body["reference"])
    assert ticket.channel == "api" and ticket.created_by == world.erika
    assert len(body["attachments"]) == 2 and body["history"][0]["to_status_code"] == "new"
    picture = erika_client.get(body["attachments"][0]["url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert client_for(token_for(world.ben)).get(body["attachments"][0]["url"]).status_code == 404


def test_fields_a_tenant_may_not_set_are_refused(world, erika_client):
    foreign = ContractFactory(unit=UnitFactory())
    response = erika_client.post(
        API + "requests/",
        {"contract": foreign.pk, "type": "general_contact", "subject": "x", "description": "y"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["fields"]["contract"]
    missing = erika_client.post(
        API + "requests/", {"contract": 999999, "type": "general_contact", "subject": "x"}, format="json"
    )
    assert missing.json()["fields"] == response.json()["fields"]
    sneaky = erika_client.post(
        API + "requests/",
        {
            "contract": world.contract.pk,
            "type": "general_contact",
            "subject": "x",
            "description": "y",
            "status": "done",
            "assignee": 1,
        },
        format="json",
    )
    assert sneaky.status_code == 400 and {"status", "assignee"} <= set(sneaky.json()["fields"])


def test_bad_input_never_a_server_error(world, erika_client):
    url = API + "requests/"
    malformed = erika_client.generic("POST", url, "{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["message"]
    wrong_types = erika_client.post(url, {"contract": "eins", "type": ["x"], "form_data": 3}, format="json")
    assert wrong_types.status_code == 400 and {"contract", "type", "form_data"} <= set(
        wrong_types.json()["fields"]
    )
    huge = erika_client.generic(
        "POST", url, json.dumps({"description": "x" * 400_000}), content_type="application/json"
    )
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
    array = erika_client.generic("POST", url, "[1, 2]", content_type="application/json")
    assert array.status_code == 400
    xml = erika_client.generic("POST", url, "<a/>", content_type="application/xml")
    assert xml.status_code == 415
    fake = SimpleUploadedFile("foto.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    faked = erika_client.post(
        url,
        {
            "contract": world.contract.pk,
            "type": "general_contact",
            "subject": "x",
            "description": "y",
            "attachments": [fake],
        },
        format="multipart",
    )
    assert faked.status_code == 400 and "attachments" in faked.json()["fields"]
    assert Ticket.objects.count() == 1  # nothing half-saved
    huge_id = erika_client.get(API + "contracts/99999999999999999999999999/")
    assert huge_id.status_code == 404 and huge_id.json()["code"] == "not_found"
    nowhere = erika_client.get(API + "no/such/endpoint/")
    assert nowhere.status_code == 404 and nowhere.json()["status"] == 404


def test_detail_reply_read_marks_and_feed(world, erika_client):
    ticket = world.ticket
    feed = erika_client.get(API + "feed/").json()
    assert feed["items"] == [] and feed["counts"]["requests_open"] == 1
    cursor = feed["cursor"]
    in_progress = TicketStatus.objects.get(code="in_progress")
    tickets.change_status(ticket, in_progress, comment="Der Handwerker kommt am Dienstag.")
    tickets.post_message(ticket, user=None, body="Bitte lassen Sie uns rein.", role="staff")
    from django.utils import timezone

    later = timezone.now() - timezone.timedelta(seconds=10)
    from wagtail_tenantportal.tickets.models import TicketMessage, TicketStatusChange

    # Both happened after the cursor was handed out (the cursor overlaps by a few seconds).
    TicketStatusChange.objects.filter(ticket=ticket, from_status__isnull=False).update(
        changed_at=timezone.now()
    )
    TicketMessage.objects.filter(ticket=ticket).update(created_at=timezone.now())
    assert later
    news = erika_client.get(API + "feed/", {"cursor": cursor}).json()
    kinds = {item["kind"] for item in news["items"]}
    assert {"request_status", "request_reply"} <= kinds
    assert news["counts"]["requests_unread"] == 1
    detail = erika_client.get(API + f"requests/{ticket.reference}/").json()
    assert [h["to_status_code"] for h in detail["history"]] == ["new", "in_progress"]
    assert detail["messages"][0]["author"] == "Your team at WG Lindenhof eG"
    reply = erika_client.post(
        API + f"requests/{ticket.reference}/messages/", {"body": "Dienstag passt."}, format="json"
    )
    assert reply.status_code == 201 and reply.json()["author_role"] == "tenant"
    read = erika_client.post(API + f"requests/{ticket.reference}/read/")
    assert read.status_code == 200
    assert erika_client.get(API + "feed/").json()["counts"]["requests_unread"] == 0
    bad_cursor = erika_client.get(API + "feed/", {"cursor": "forged"})
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["fields"]


def test_documents_new_flag_download_link_and_receipt(world, erika_client):
    listing = erika_client.get(API + "documents/").json()["results"]
    assert listing[0]["id"] == str(world.document.uuid) and listing[0]["is_new"] is True
    assert erika_client.get(API + "documents/?new=true").json()["results"]
    file = erika_client.get(listing[0]["file_url"])
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    assert erika_client.get(API + "documents/").json()["results"][0]["is_new"] is False
    link = erika_client.post(API + f"documents/{world.document.uuid}/link/").json()
    anonymous = client_for().get(link["url"])
    assert anonymous.status_code == 200 and link["expires_in"] == 60
    tampered = client_for().get(link["url"].rstrip("/") + "x/")
    assert tampered.status_code == 404
    assert erika_client.post(API + f"documents/{world.document.uuid}/read/").status_code == 200
    other = publish_document(ContractFactory(unit=UnitFactory()), "Fremde Abrechnung")
    assert erika_client.get(API + f"documents/{other.uuid}/").status_code == 404
    assert erika_client.get(API + "documents/not-a-uuid/").status_code == 404


def test_signed_link_expires(world, erika_client, settings):
    from django.utils import timezone
    from freezegun import freeze_time

    link = erika_client.post(API + f"documents/{world.document.uuid}/link/").json()
    with freeze_time(timezone.now() + timezone.timedelta(seconds=61)):
        assert client_for().get(link["url"]).status_code == 404


def test_notices_contracts_savings(world, erika_client):
    notices = erika_client.get(API + "notices/").json()["results"]
    assert notices[0]["title"] == world.notice.title and notices[0]["is_new"] is True
    assert erika_client.post(API + f"notices/{world.notice.pk}/read/").status_code == 200
    assert erika_client.get(API + f"notices/{world.notice.pk}/").json()["is_new"] is False
    contract = erika_client.get(API + f"contracts/{world.contract.pk}/").json()
    assert contract["number"] == world.contract.number and "rent" in contract
    accounts = erika_client.get(API + "savings/accounts/").json()
    assert accounts[0]["number"] == world.savings.number
    transactions = erika_client.get(API + f"savings/accounts/{world.savings.pk}/transactions/").json()
    assert len(transactions["results"]) == 1
    assert erika_client.get(API + "consumption/").json()["has_meters"] is False
    assert erika_client.get(API + "consumption/?month=2026-13").status_code == 400


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    # The token's last use is written at most once a minute, whenever that falls.
    return len(
        [q for q in context.captured_queries if not q["sql"].startswith('UPDATE "tenantportal_api_apptoken"')]
    )


def test_lists_run_a_constant_number_of_queries(world, erika_client, django_assert_max_num_queries):
    urls = ["requests/", "documents/", "notices/", "contracts/", "feed/", "request-types/"]
    before = {url: _queries(erika_client, API + url) for url in urls}
    for index in range(12):
        caches["default"].clear()  # the tenant's own filing limit is not under test here
        file_request(world.erika, world.contract, f"Anliegen {index}")
        publish_document(world.contract, f"Schreiben {index}")
    after = {url: _queries(erika_client, API + url) for url in urls}
    assert after == before
    with django_assert_max_num_queries(8):
        erika_client.get(API + "requests/")
    with django_assert_max_num_queries(8):
        erika_client.get(API + "documents/")


def test_an_upload_over_the_limits_is_refused_before_it_is_read(world, erika_client, settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_MAX_ATTACHMENTS": 1, "TICKET_MAX_UPLOAD_MB": 1}
    big = SimpleUploadedFile("gross.jpg", b"\xff" * (2 * 1024 * 1024 + 10), content_type="image/jpeg")
    response = erika_client.post(
        API + "requests/",
        {"contract": world.contract.pk, "type": "general_contact", "subject": "x", "attachments": [big]},
        format="multipart",
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert Ticket.objects.count() == 1


def test_auth_endpoints_are_throttled_per_address(db, settings):
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"api_auth_ip": {"limit": 3}}}
    answers = [
        client_for()
        .post(API + "auth/password/reset/", {"email": f"x{n}@example.org"}, format="json")
        .status_code
        for n in range(5)
    ]
    assert answers[:3] == [202, 202, 202] and answers[3:] == [429, 429]
    throttled = client_for().post(
        API + "auth/login/", {"email": "a@example.org", "password": "x"}, format="json"
    )
    assert throttled.status_code == 429 and throttled.json()["retry_after"] > 0
