"""The messages API (issue 13, item 5): the conversations with unread counts, the unread total,
writing to the contact person; another tenant and another company's tenant see nothing of
Erika's conversations and cannot write about her contract. Query counts constant."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import API, client_for, file_request, token_for
from tests.factories import UserFactory
from wagtail_tenantportal.tenancy.models import ContactPerson, ContactResponsibility
from wagtail_tenantportal.tickets import services as tickets
from wagtail_tenantportal.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def reply(ticket, body="Wir kümmern uns."):
    return tickets.post_message(ticket, user=None, body=body, role="staff")


def test_conversations_with_unread_counts(world, erika_client):
    reply(world.ticket)
    reply(world.ticket)
    answer = erika_client.get(API + "messages/")
    assert answer.status_code == 200
    (item,) = answer.json()["results"]
    assert item["reference"] == world.ticket.reference and item["unread_count"] == 2
    assert item["message_count"] == 2 and item["url"].endswith(f"requests/{world.ticket.reference}/")
    assert erika_client.get(API + "messages/unread/").json() == {"unread": 2}
    erika_client.post(API + f"requests/{world.ticket.reference}/read/")
    assert erika_client.get(API + "messages/").json()["results"][0]["unread_count"] == 0
    assert erika_client.get(API + "messages/unread/").json() == {"unread": 0}


def test_write_to_the_contact_person(world, erika_client):
    clerk = UserFactory(is_staff=True, is_superuser=True, username="clerk")
    person = ContactPerson.objects.create(company=world.contract.company, name="Frau Weber", user=clerk)
    ContactResponsibility.objects.create(contact_person=person, company=world.contract.company)
    answer = erika_client.post(
        API + "messages/",
        {"contract": world.contract.pk, "subject": "Balkon", "body": "Darf ich Blumenkästen anbringen?"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get(reference=answer.json()["reference"])
    assert ticket.assignee == clerk and ticket.channel == "api"
    refs = [item["reference"] for item in erika_client.get(API + "messages/").json()["results"]]
    assert refs[0] == ticket.reference


def test_bad_input_says_so_and_saves_nothing(world, erika_client):
    before = Ticket.objects.count()
    for body in (
        {"contract": world.contract.pk, "subject": "", "body": "x"},
        {"contract": world.contract.pk},
    ):
        assert erika_client.post(API + "messages/", body, format="json").status_code == 400
    assert Ticket.objects.count() == before


def test_other_tenants_see_nothing_and_cannot_write_about_erikas_contract(world):
    reply(world.ticket)
    before = Ticket.objects.count()
    checked = 0
    for other in (world.ben, world.cem):
        client = client_for(token_for(other))
        listing = client.get(API + "messages/")
        assert listing.status_code == 200 and listing.json()["results"] == []
        assert world.ticket.reference not in listing.content.decode()
        assert client.get(API + "messages/unread/").json() == {"unread": 0}
        answer = client.post(
            API + "messages/", {"contract": world.contract.pk, "subject": "x", "body": "y"}, format="json"
        )
        assert answer.status_code == 400 and "contract" in answer.json()["fields"]
        checked += 1
    assert Ticket.objects.count() == before
    assert client_for(None).get(API + "messages/").status_code == 401
    print(f"messages API: {checked} other tenants refused")


def test_list_queries_constant(world, erika_client):
    reply(world.ticket)
    erika_client.get(API + "messages/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        erika_client.get(API + "messages/")
    for number in range(6):
        ticket = file_request(world.erika, world.contract, f"Anliegen {number}")
        reply(ticket)
        reply(ticket)
    with CaptureQueriesContext(connection) as large:
        assert len(erika_client.get(API + "messages/").json()["results"]) == 7
    print(f"messages API: {len(small)} queries for 1 conversation, {len(large)} for 7")
    assert len(large) == len(small)


def test_list_pages_with_a_cursor(world, erika_client):
    for number in range(3):
        reply(file_request(world.erika, world.contract, f"Anliegen {number}"))
    first = erika_client.get(API + "messages/", {"page_size": 2}).json()
    second = erika_client.get(first["next"]).json()
    references = [item["reference"] for item in first["results"] + second["results"]]
    assert len(references) == len(set(references)) == 4 and second["next"] is None
