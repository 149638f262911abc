"""Read marks of requests: what a tenant has not seen yet (new staff replies, status changes) in
"my requests", the RequestListBlock and the dashboard widget; constant query counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import verified_portal_user
from wagtail_tenantportal.core.session import portal_state
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.blocks import RequestListBlock
from wagtail_tenantportal.tickets.models import (
    Ticket,
    TicketMessage,
    TicketRead,
    TicketStatusChange,
    TicketType,
)
from wagtail_tenantportal.tickets.wagtail_hooks import tickets_dashboard_widget

from .conftest import status
from .test_views import make_tickets, render_block

pytestmark = pytest.mark.django_db

NEW_REPLY = "New reply"
STATUS_CHANGED = "Status changed"


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


def reply(ticket, staff, body="Wir melden uns morgen.", **kwargs):
    return services.post_message(ticket, user=staff, body=body, role=TicketMessage.Role.STAFF, **kwargs)


def move_status(ticket, staff, code):
    return services.change_status(ticket, status(code), user=staff)


def news(user, ticket, **kwargs):
    annotated = Ticket.objects.with_news(user, **kwargs).get(pk=ticket.pk)
    return annotated.has_new_reply, annotated.has_new_status


def list_html(client):
    response = client.get(url("ticket_list"))
    assert response.status_code == 200
    return response.content.decode()


# -- marking read and new again --------------------------------------------------------------------


def test_a_request_filed_by_the_tenant_has_no_news(tenant, contract):
    ticket = file_request(tenant, contract)
    assert news(tenant, ticket) == (False, False)


def test_opening_marks_read_and_a_new_reply_makes_it_new_again(tenant_client, tenant, contract, staff):
    ticket = file_request(tenant, contract)
    reply(ticket, staff, "Der Handwerker kommt am Dienstag.")
    assert news(tenant, ticket) == (True, False)
    html = list_html(tenant_client)
    assert NEW_REPLY in html and STATUS_CHANGED not in html

    with CaptureQueriesContext(connection) as queries:
        assert tenant_client.get(url("ticket_detail", ticket.reference)).status_code == 200
    upserts = [q["sql"] for q in queries if "tenantportal_tickets_ticketread" in q["sql"]]
    assert len(upserts) == 1 and upserts[0].startswith("INSERT"), upserts
    mark = TicketRead.objects.get()
    assert mark.ticket == ticket and mark.account == tenant.tenantportal_account
    assert news(tenant, ticket) == (False, False)
    assert NEW_REPLY not in list_html(tenant_client)

    # Opening again updates the one mark (no second row).
    first_seen = mark.last_seen_at
    tenant_client.get(url("ticket_detail", ticket.reference))
    assert TicketRead.objects.count() == 1 and TicketRead.objects.get().last_seen_at >= first_seen

    reply(ticket, staff, "Der Termin verschiebt sich.")
    assert news(tenant, ticket) == (True, False)
    assert NEW_REPLY in list_html(tenant_client)


def test_a_status_change_makes_it_new_again(tenant_client, tenant, contract, staff):
    ticket = file_request(tenant, contract)
    tenant_client.get(url("ticket_detail", ticket.reference))
    move_status(ticket, staff, "in_progress")
    assert news(tenant, ticket) == (False, True)
    html = list_html(tenant_client)
    assert STATUS_CHANGED in html and NEW_REPLY not in html
    tenant_client.get(url("ticket_detail", ticket.reference))
    assert news(tenant, ticket) == (False, False)


def test_internal_notes_and_the_tenants_own_messages_are_no_news(tenant_client, tenant, contract, staff):
    ticket = file_request(tenant, contract)
    tenant_client.get(url("ticket_detail", ticket.reference))
    reply(ticket, staff, "Nur intern: Handwerker beauftragt.", internal=True)
    services.post_message(ticket, user=tenant, body="Ich bin ab 15 Uhr zu Hause.")
    assert news(tenant, ticket) == (False, False)
    assert NEW_REPLY not in list_html(tenant_client)


def test_another_tenants_read_mark_does_not_affect_mine(tenant_client, tenant, contract, staff):
    # A company whose co-tenants see each other's requests (by default they do not).
    contract.company.co_tenants_share_requests = True
    contract.company.save(update_fields=["co_tenants_share_requests"])
    ticket = file_request(tenant, contract)
    reply(ticket, staff)
    co_tenant = verified_portal_user(contract)  # a second party on the same contract
    other = Client()
    other.force_login(co_tenant)
    assert other.get(url("ticket_detail", ticket.reference)).status_code == 200
    assert news(co_tenant, ticket) == (False, False)
    assert news(tenant, ticket) == (True, False)
    assert NEW_REPLY in list_html(tenant_client)


def test_no_mark_for_strangers_visitors_half_logged_in_sessions_and_staff(
    client, tenant, contract, staff, stranger
):
    ticket = file_request(tenant, contract)
    reply(ticket, staff)
    # Another tenant: the same 404 as a reference that does not exist.
    client.force_login(stranger)
    assert client.get(url("ticket_detail", ticket.reference)).status_code == 404
    # Visitors and half-logged-in sessions are led to their step.
    anonymous = Client()
    assert anonymous.get(url("ticket_detail", ticket.reference)).status_code == 302
    from tests.notices.test_notices import half_logged_in

    half = half_logged_in(Client(), contract)
    assert half.get(url("ticket_detail", ticket.reference)).status_code == 302
    # Staff reading the request in the admin do not mark it read for the tenant.
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(reverse("tenantportal_tickets:detail", args=[ticket.pk])).status_code == 200
    assert not TicketRead.objects.exists()
    assert services.mark_seen(ticket, staff) is None and not TicketRead.objects.exists()
    assert news(AnonymousUser(), ticket) == (False, False)


def test_supporters_see_status_changes_of_joined_reports_but_not_replies(
    tenant, contract, neighbour, taxonomy, staff
):
    report = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="damage_report"),
        user=tenant,
        damage_kind=taxonomy.stair_light,
        description="Im Treppenhaus ist es dunkel.",
        contact_phone="0341 1234567",
        access_permission="not_needed",
    )
    services.join_ticket(report, neighbour)
    neighbour_client = Client()
    neighbour_client.force_login(neighbour)
    neighbour_client.get(url("ticket_detail", report.reference))  # read-only view marks it too
    assert TicketRead.objects.filter(account=neighbour.tenantportal_account).count() == 1

    reply(report, staff, "Der Elektriker ist bestellt.")
    html = list_html(neighbour_client)
    assert "Reports you joined" in html and NEW_REPLY not in html and STATUS_CHANGED not in html

    move_status(report, staff, "in_progress")
    html = list_html(neighbour_client)
    assert STATUS_CHANGED in html and NEW_REPLY not in html
    assert news(neighbour, report, messages=False) == (False, True)
    neighbour_client.get(url("ticket_detail", report.reference))
    assert STATUS_CHANGED not in list_html(neighbour_client)


# -- block and dashboard widget --------------------------------------------------------------------


def block_request(user):
    request = RequestFactory().get("/aktuelles/")
    request.user = user
    request.session = Client().session
    return request


def test_block_marks_requests_with_news(tenant_client, tenant, contract, staff):
    answered = file_request(tenant, contract, "Frage zur Miete")
    moved = file_request(tenant, contract, "Heizung kalt")
    quiet = file_request(tenant, contract, "Neuer Schlüssel")
    reply(answered, staff)
    move_status(moved, staff, "in_progress")
    html = render_block(RequestListBlock(), block_request(tenant), {"count": 5})
    for ticket in (answered, moved, quiet):
        assert ticket.subject in html
    assert html.count(NEW_REPLY) == 1 and html.count(STATUS_CHANGED) == 1
    row = html[html.index("Frage zur Miete") :]
    assert row.index(NEW_REPLY) < row.index("</tr>")
    tenant_client.get(url("ticket_detail", answered.reference))
    html = render_block(RequestListBlock(), block_request(tenant), {"count": 5})
    assert NEW_REPLY not in html and html.count(STATUS_CHANGED) == 1


def test_block_preview_marks_sample_requests():
    from wagtail_tenantportal.tickets.blocks import _sample_tickets

    block = RequestListBlock()
    context = block.get_preview_portal_context(block.to_python({}), None)
    assert any(ticket.has_new_reply for ticket in context["tickets"])
    assert _sample_tickets()  # made-up data, no queries


def widget_for(user):
    request = block_request(user)
    assert portal_state(request) == "ok"
    return tickets_dashboard_widget(request)


def test_widget_counts_and_lists_unread_replies_only(tenant_client, tenant, contract, staff, stranger):
    read = file_request(tenant, contract, "Wasserhahn tropft")
    reply(read, staff, "Erledigt am Montag.")
    tenant_client.get(url("ticket_detail", read.reference))
    first = file_request(tenant, contract, "Heizung kalt")
    reply(first, staff, "Wann dürfen wir kommen?")
    reply(first, staff, "Bitte melden Sie sich.")
    second = file_request(tenant, contract, "Klingel defekt")
    reply(second, staff, "Der Elektriker ist bestellt.")
    internal = file_request(tenant, contract, "Nur Notiz")
    reply(internal, staff, "Geheim", internal=True)
    foreign = file_request(stranger, stranger.tenantportal_account.parties.first().contracts.first())
    reply(foreign, staff, "Fremde Antwort")

    widget = widget_for(tenant)
    assert widget.key == "tickets"
    assert widget.context["unread_count"] == 2
    assert widget.attention.startswith("2 requests have unread replies")
    subjects = [item["subject"] for item in widget.context["replies"]]
    assert sorted(subjects) == ["Heizung kalt", "Klingel defekt"]  # one per request
    assert "Wasserhahn tropft" not in subjects

    content = tenant_client.get("/portal/overview/").content.decode()
    assert "Unread replies" in content and "2 requests have unread replies" in content
    assert "Bitte melden Sie sich." in content or "Der Elektriker ist bestellt." in content
    for hidden in ("Erledigt am Montag.", "Geheim", "Fremde Antwort"):
        assert hidden not in content

    tenant_client.get(url("ticket_detail", first.reference))
    tenant_client.get(url("ticket_detail", second.reference))
    widget = widget_for(tenant)
    assert widget.context["unread_count"] == 0 and widget.context["replies"] == []
    assert widget.attention is None


def test_widget_sample_still_previews():
    from wagtail_tenantportal.tickets.wagtail_hooks import _sample_tickets_widget

    widget = _sample_tickets_widget()
    assert widget.key == "tickets" and widget.context["replies"]
    assert "unread repl" in widget.attention


# -- query counts ----------------------------------------------------------------------------------


def add_news(contract, staff):
    """A staff reply and a status change on every ticket of ``contract`` (bulk, for counts)."""
    tickets = list(Ticket.objects.filter(contract=contract))
    TicketMessage.objects.bulk_create(
        TicketMessage(ticket=t, author=staff, author_role=TicketMessage.Role.STAFF, body=f"Antwort {t.pk}")
        for t in tickets
    )
    new, progress = status("new"), status("in_progress")
    TicketStatusChange.objects.bulk_create(
        TicketStatusChange(ticket=t, from_status=new, to_status=progress, changed_by=staff) for t in tickets
    )


def test_query_counts_are_equal_for_1_and_30_tickets(tenant_client, tenant, contract, staff):
    counts = {"list": [], "widget": [], "block": []}
    for count in (1, 29):
        make_tickets(contract, count, user=tenant)
        add_news(contract, staff)
        with CaptureQueriesContext(connection) as queries:
            html = list_html(tenant_client)
        counts["list"].append(len(queries))
        request = block_request(tenant)
        assert portal_state(request) == "ok"
        with CaptureQueriesContext(connection) as queries:
            widget = tickets_dashboard_widget(request)
        counts["widget"].append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            render_block(RequestListBlock(), block_request(tenant), {"count": 20})
        counts["block"].append(len(queries))
    assert html.count(NEW_REPLY) == 25 and html.count(STATUS_CHANGED) == 25  # one page of 25
    assert widget.context["unread_count"] == 30 and len(widget.context["replies"]) == 3
    assert counts["widget"] == [2, 2], counts  # the counts, the unread replies
    for name, (one, thirty) in counts.items():
        assert one == thirty, (name, counts)
    print(f"read-mark query counts (1 vs 30 tickets): {counts}")
