"""Messages (issue 13, item 5): the inbox of every conversation with unread counts, the unread
total in the portal navigation, "write to my contact person", the contact person on the
account page, and whose name a reply carries (``Company.reply_names``). As an attacker:
another tenant and another company's staff see nothing of it."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from wagtail_tenantportal.core import session
from wagtail_tenantportal.tenancy.models import Company, ContactPerson, ContactResponsibility
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.models import Ticket, TicketMessage, TicketType

from .conftest import contract_in, staff_member

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"wagtail_tenantportal:{name}", args=args)


def file_request(user, contract, subject="Frage zur Miete"):
    return services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=user,
        subject=subject,
        description="Bitte um Rückruf.",
    )


def reply(ticket, author, body="Wir melden uns morgen."):
    return services.post_message(ticket, user=author, body=body, role=TicketMessage.Role.STAFF)


@pytest.fixture
def clerk(company):
    return staff_member(company, first_name="Petra", last_name="Weber", username="pweber")


@pytest.fixture
def contact_person(company, clerk):
    person = ContactPerson.objects.create(
        company=company,
        user=clerk,
        name="Petra Weber",
        position="Kundenbetreuerin",
        phone="0341 123 45-67",
        email="p.weber@lindenhof.example",
        office_hours="Di 9-12, Do 14-18 Uhr",
    )
    ContactResponsibility.objects.create(contact_person=person, company=company)
    return person


def counts(user):
    return {ticket.reference: ticket.unread_count for ticket in services.conversations(user)}


# -- the inbox ---------------------------------------------------------------------------------------


def test_conversations_newest_activity_first_with_unread_counts(tenant, contract, clerk):
    older = file_request(tenant, contract, "Heizung")
    newer = file_request(tenant, contract, "Mietbescheinigung")
    reply(older, clerk, "Erste Antwort")
    reply(older, clerk, "Zweite Antwort")
    listed = list(services.conversations(tenant))
    assert [t.reference for t in listed] == [older.reference, newer.reference]  # the reply is newer
    assert counts(tenant) == {older.reference: 2, newer.reference: 0}
    assert listed[0].message_count == 2
    assert services.unread_message_total(tenant) == 2


def test_opening_a_conversation_reads_it(tenant_client, tenant, contract, clerk):
    ticket = file_request(tenant, contract)
    reply(ticket, clerk)
    html = tenant_client.get(url("message_inbox")).content.decode()
    assert ticket.subject in html and "1 unread" in html and "You have 1 unread message." in html
    assert tenant_client.get(ticket.get_absolute_url()).status_code == 200
    assert counts(tenant) == {ticket.reference: 0}
    assert "You have no unread messages." in tenant_client.get(url("message_inbox")).content.decode()


def test_internal_notes_and_own_messages_are_not_unread(tenant, contract, clerk):
    ticket = file_request(tenant, contract)
    services.post_message(ticket, user=clerk, body="intern", role=TicketMessage.Role.STAFF, internal=True)
    services.post_message(ticket, user=tenant, body="Noch eine Frage")
    assert counts(tenant) == {ticket.reference: 0}
    assert services.unread_message_total(tenant) == 0


def _inbox_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("message_inbox")).status_code == 200
    return len(queries)


def test_inbox_queries_constant_in_data_size(tenant_client, tenant, contract, building, clerk):
    reply(file_request(tenant, contract), clerk)
    small = _inbox_queries(tenant_client)
    second = contract_in(building)
    from tests.factories import tenant_for

    tenant_for(second, user=tenant)
    for number in range(6):
        ticket = file_request(tenant, second if number % 2 else contract, f"Anliegen {number}")
        for _ in range(3):
            reply(ticket, clerk)
    large = _inbox_queries(tenant_client)
    print(f"inbox: {small} queries with 1 conversation, {large} with 7 conversations and 19 replies")
    assert large == small


# -- the navigation ------------------------------------------------------------------------------------


def _nav_request(user):
    request = RequestFactory().get("/")
    request.user = user
    setattr(request, session._STATE_CACHE_ATTR, session.OK)  # a full portal session
    return request


NAV = Template(
    "{% load tenantportal_messages %}{% portal_unread_messages as a %}{% portal_unread_messages as b %}{{ a }}/{{ b }}"
)


def _nav(request):
    return NAV.render(Context({"request": request}))


def test_navigation_count_is_one_query_per_request_whatever_the_data(tenant, contract, clerk):
    from wagtail_tenantportal.accounts.auth import get_account

    get_account(tenant)  # loaded by the session check on a real request
    reply(file_request(tenant, contract), clerk)
    with CaptureQueriesContext(connection) as small:
        assert _nav(_nav_request(tenant)) == "1/1"
    for number in range(5):
        ticket = file_request(tenant, contract, f"Anliegen {number}")
        reply(ticket, clerk)
        reply(ticket, clerk)
    with CaptureQueriesContext(connection) as large:
        assert _nav(_nav_request(tenant)) == "11/11"
    print(f"navigation: {len(small)} query with 1 reply, {len(large)} with 11")
    assert len(small) == len(large) == 1


def test_navigation_shows_nothing_without_a_full_portal_session(tenant, contract, clerk):
    reply(file_request(tenant, contract), clerk)
    request = RequestFactory().get("/")
    request.user = tenant
    setattr(request, session._STATE_CACHE_ATTR, session.TWO_FACTOR_SETUP_REQUIRED)
    assert _nav(request) == "0/0"


# -- write to my contact person -------------------------------------------------------------------------


def test_write_to_contact_person_goes_to_them(tenant_client, tenant, contract, contact_person, clerk):
    page = tenant_client.get(url("message_new")).content.decode()
    for shown in (
        "Petra Weber",
        "Kundenbetreuerin",
        "0341 123 45-67",
        "p.weber@lindenhof.example",
        "Di 9-12",
    ):
        assert shown in page
    response = tenant_client.post(
        url("message_new"),
        {"contract": contract.pk, "subject": "Balkon", "body": "Darf ich Blumenkästen anbringen?"},
    )
    ticket = Ticket.objects.get(subject="Balkon")
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.assignee == clerk and ticket.ticket_type.code == "general_contact"
    assert ticket.description == "Darf ich Blumenkästen anbringen?" and ticket.created_by == tenant
    assert ticket.reference in counts(tenant)


def test_write_without_subject_says_so_and_saves_nothing(tenant_client, contract):
    response = tenant_client.post(
        url("message_new"), {"contract": contract.pk, "subject": "", "body": "Hallo"}
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Ticket.objects.exists()


def test_assignee_who_does_not_serve_the_company_is_passed_over(tenant, contract, contact_person):
    other_clerk = staff_member(Company.objects.create(name="Andere eG", slug="andere"))
    contact_person.user = other_clerk
    contact_person.save()
    ticket = services.write_to_contact_person(tenant, contract=contract, subject="Frage", body="Text")
    assert ticket.assignee != other_clerk


def test_another_tenants_contract_is_refused(tenant_client, tenant, stranger, neighbour):
    from wagtail_tenantportal.tenancy.models import Contract

    foreign = [Contract.objects.visible_to(stranger).get(), Contract.objects.visible_to(neighbour).get()]
    for contract in foreign:
        response = tenant_client.post(
            url("message_new"), {"contract": contract.pk, "subject": "x", "body": "y"}
        )
        assert response.status_code == 200
        with pytest.raises(Exception) as error:
            services.write_to_contact_person(tenant, contract=contract, subject="x", body="y")
        assert "Choose one of your contracts." in str(error.value)
    assert not Ticket.objects.exists()


def test_other_tenants_and_staff_see_nothing_of_the_conversation(
    client, tenant, contract, clerk, neighbour, stranger
):
    ticket = file_request(tenant, contract, "Geheimes Anliegen")
    reply(ticket, clerk)
    checked = 0
    for other in (neighbour, stranger):
        assert counts(other) == {} and services.unread_message_total(other) == 0
        client.force_login(other)
        html = client.get(url("message_inbox")).content.decode()
        assert "Geheimes Anliegen" not in html and ticket.reference not in html
        assert client.get(ticket.get_absolute_url()).status_code == 404
        checked += 1
    other_staff = staff_member(Company.objects.create(name="Fremde eG", slug="fremde"))
    client.force_login(other_staff)
    assert client.get(url("message_inbox")).status_code != 200  # no portal account: no inbox
    assert services.unread_message_total(other_staff) == 0 and counts(other_staff) == {}
    # The company's reply policy is edited in its admin, scoped per company: a foreign id is a 404.
    admin_edit = reverse("tenantportal_company:edit", args=[contract.company_id])
    assert client.get(admin_edit).status_code == 404
    print(f"attackers checked: {checked} tenants, 1 staff of another company")


# -- whose name a reply carries -------------------------------------------------------------------------


def test_reply_names_default_to_the_team(tenant_client, tenant, contract, clerk):
    ticket = file_request(tenant, contract)
    reply(ticket, clerk, "Der Handwerker kommt.")
    html = tenant_client.get(ticket.get_absolute_url()).content.decode()
    assert f"Your team at {contract.company.display_name}" in html and "Petra Weber" not in html


def test_reply_names_show_the_clerk_where_the_company_allows(tenant_client, tenant, contract, clerk):
    Company.objects.filter(pk=contract.company_id).update(reply_names=Company.ReplyNames.CLERK)
    ticket = file_request(tenant, contract)
    reply(ticket, clerk, "Der Handwerker kommt.")
    nameless = UserFactory(first_name="", last_name="", username="ohnename")
    services.post_message(ticket, user=nameless, body="Nachtrag", role=TicketMessage.Role.STAFF)
    html = tenant_client.get(ticket.get_absolute_url()).content.decode()
    assert "Petra Weber" in html  # the clerk by name
    assert f"Your team at {contract.company.display_name}" in html  # a staff user without a name


# -- the account page ------------------------------------------------------------------------------------


def test_account_page_shows_the_contact_person(tenant_client, contact_person):
    html = tenant_client.get(url("account")).content.decode()
    for shown in ("My contact person", "Petra Weber", "Kundenbetreuerin", "0341 123 45-67", "Di 9-12"):
        assert shown in html
    assert url("message_new") in html


def test_account_page_without_contact_person_shows_the_company(tenant_client, contract):
    html = tenant_client.get(url("account")).content.decode()
    assert contract.company.display_name in html and "0341 123456" in html


def test_account_page_queries_constant_in_contacts(tenant_client, tenant, building, contact_person, company):
    from tests.factories import tenant_for

    with CaptureQueriesContext(connection) as small:
        tenant_client.get(url("account"))
    for number in range(4):
        extra = contract_in(building)
        tenant_for(extra, user=tenant)
        person = ContactPerson.objects.create(company=company, name=f"Person {number}")
        ContactResponsibility.objects.create(contact_person=person, company=company, contract=extra)
    with CaptureQueriesContext(connection) as large:
        html = tenant_client.get(url("account")).content.decode()
    assert "Person 3" in html
    print(f"account page: {len(small)} queries with 1 contract, {len(large)} with 5 contracts and contacts")
    assert len(large) == len(small)
