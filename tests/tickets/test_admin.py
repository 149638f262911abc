"""The staff admin of tickets: inbox, filters, bulk actions, a request's page, files, panel, snippets."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PropertyFactory, UserFactory
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.models import (
    Channel,
    Ticket,
    TicketMessage,
    TicketStatus,
    TicketSupporter,
    TicketType,
)

from .conftest import contract_in, photo, staff_member, status
from .test_views import make_tickets


def admin_url(view, *args):
    return reverse(f"tenantportal_tickets:{view}", args=args)


@pytest.fixture
def ticket(contract, tenant, taxonomy):
    return services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="damage_report"),
        user=tenant,
        damage_kind=taxonomy.dripping_tap,
        description="Tropft <stark>.",
        contact_phone="0341 555 12",
        access_permission="may_enter",
        access_times="ab 15 Uhr",
        attachments=[photo()],
    )


def count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, response.status_code
    return len(queries)


def test_inbox_runs_the_same_queries_for_1_and_500_tickets(staff_client, contract, tenant, neighbour, staff):
    make_tickets(contract, 1, user=tenant)
    one = count_queries(staff_client, admin_url("index"))
    make_tickets(contract, 499, user=tenant)
    first = Ticket.objects.order_by("pk").first()
    TicketSupporter.objects.create(ticket=first, user=neighbour)
    Ticket.objects.filter(pk__in=Ticket.objects.order_by("pk").values("pk")[:100]).update(assignee=staff)
    assert count_queries(staff_client, admin_url("index")) == one
    assert count_queries(staff_client, admin_url("index") + "?p=5") == one
    assert count_queries(staff_client, admin_url("index_results") + "?overdue=true&open=true") <= one


def test_inbox_filters_and_search(staff_client, contract, tenant, staff, general_type, taxonomy):
    other_building = PropertyFactory(company=contract.company)
    other_contract = contract_in(other_building)
    a = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="Erstes", description="x"
    )
    b = services.submit_ticket(
        contract=other_contract, ticket_type=general_type, channel=Channel.ERP, subject="Zweites"
    )
    services.change_status(b, status("done"))
    services.assign(a, staff)
    Ticket.objects.filter(pk=a.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))

    def listed(query):
        html = staff_client.get(admin_url("index") + query).content.decode()
        return {ticket.reference for ticket in (a, b) if ticket.reference in html}

    assert listed("") == {a.reference, b.reference}
    assert listed(f"?status={status('done').pk}") == {b.reference}
    assert listed("?open=true") == {a.reference}
    assert listed("?overdue=true") == {a.reference}
    assert listed(f"?assignee={staff.pk}") == {a.reference}
    assert listed("?unassigned=true") == {b.reference}
    assert listed(f"?property={other_building.pk}") == {b.reference}
    assert listed(f"?q={b.reference}") == {b.reference}
    assert listed(f"?q={contract.number}") == {a.reference}
    export = staff_client.get(admin_url("index") + "?export=csv")
    assert export.status_code == 200 and a.reference in b"".join(export.streaming_content).decode()


def test_bulk_status_change_and_assignment(
    staff_client, contract, tenant, staff, general_type, django_capture_on_commit_callbacks
):
    tickets = [
        services.submit_ticket(
            contract=contract, ticket_type=general_type, user=tenant, subject=f"T{n}", description="x"
        )
        for n in range(3)
    ]
    services.change_status(tickets[2], status("done"))
    status("done").next_statuses.set([status("new")])  # closed tickets may only be reopened
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            admin_url("bulk"),
            {
                "ticket": [t.pk for t in tickets],
                "action": "status",
                "status": status("in_progress").pk,
                "comment": "Wird erledigt.",
                "next": "?open=true",
            },
        )
    assert response.status_code == 302 and response["Location"] == admin_url("index") + "?open=true"
    codes = [Ticket.objects.get(pk=t.pk).status.code for t in tickets]
    assert codes == ["in_progress", "in_progress", "done"]
    assert len(mail.outbox) == 2  # the tenant heard of each change
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("2 requests" in m for m in messages) and any(tickets[2].reference in m for m in messages)

    colleague = staff_member(contract.company)
    response = staff_client.post(
        admin_url("bulk"),
        {"ticket": [tickets[0].pk, tickets[1].pk], "action": "assign", "assignee": colleague.pk},
    )
    assert set(Ticket.objects.filter(assignee=colleague)) == {tickets[0], tickets[1]}
    # Nothing selected, or a tenant as assignee: an error, nothing changes.
    response = staff_client.post(
        admin_url("bulk"), {"action": "assign", "assignee": colleague.pk}, follow=True
    )
    assert "Select at least one request." in response.content.decode()
    response = staff_client.post(
        admin_url("bulk"), {"ticket": [tickets[0].pk], "action": "assign", "assignee": tenant.pk}
    )
    assert Ticket.objects.get(pk=tickets[0].pk).assignee == colleague


def test_request_page_shows_everything_and_acts(
    staff_client, ticket, tenant, staff, django_capture_on_commit_callbacks
):
    response = staff_client.get(admin_url("detail", ticket.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        ticket.reference,
        "Bad – Sanitär – Wasserhahn tropft",
        "0341 55512",  # stored in E.164, shown in the national format
        "ab 15 Uhr",
        "Tropft &lt;stark&gt;.",
    ):
        assert text in html
    attachment = ticket.attachments.get()
    assert admin_url("thumbnail", attachment.pk) in html
    assert staff_client.get(admin_url("thumbnail", attachment.pk))["Content-Type"] == "image/jpeg"
    assert staff_client.get(admin_url("attachment", attachment.pk)).status_code == 200

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            admin_url("detail", ticket.pk),
            {
                "action": "message",
                "message-body": "Nur intern",
                "message-internal": "on",
                "message-attachments": [photo()],
            },
        )
    assert mail.outbox == []
    note = TicketMessage.objects.get(internal=True)
    assert note.attachments.get().internal
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            admin_url("detail", ticket.pk), {"action": "message", "message-body": "Hallo Frau Müller"}
        )
    assert [m.to for m in mail.outbox] == [[tenant.email]]

    response = staff_client.post(
        admin_url("detail", ticket.pk), {"action": "assign", "assign-assignee": staff.pk}
    )
    assert response.status_code == 302 and Ticket.objects.get(pk=ticket.pk).assignee == staff
    response = staff_client.post(
        admin_url("detail", ticket.pk),
        {
            "action": "details",
            "details-priority": "high",
            "details-due_date": "2030-01-31",
            "details-external_id": "WO-7",
        },
    )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.due_date, ticket.external_id) == (
        "high",
        datetime.date(2030, 1, 31),
        "WO-7",
    )

    # An invalid status shows the form again with the error.
    response = staff_client.post(admin_url("detail", ticket.pk), {"action": "status", "status-status": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()

    html = staff_client.get(admin_url("detail", ticket.pk)).content.decode()
    assert "Internal note" in html and "Nur intern" in html and "Hallo Frau Müller" in html
    history = staff_client.get(admin_url("history", ticket.pk))
    assert history.status_code == 200
    assert "Request submitted" in history.content.decode()


def test_staff_without_ticket_permissions_get_nothing(client, ticket):
    editor = UserFactory(is_staff=True)
    group = Group.objects.create(name="Redaktion")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    ticket.company.staff_groups.add(group)  # works for the company, lacks the permissions
    client.force_login(editor)
    attachment = ticket.attachments.get()
    for address in (
        admin_url("index"),
        admin_url("detail", ticket.pk),
        admin_url("attachment", attachment.pk),
        admin_url("thumbnail", attachment.pk),
        admin_url("add"),
    ):
        response = client.get(address)
        # Wagtail turns a refusal into a redirect to the dashboard with a message.
        assert response.status_code in (302, 403), address
        assert response.status_code == 403 or response["Location"] == "/admin/"
    assert client.post(admin_url("bulk"), {"ticket": [ticket.pk], "action": "assign"}).status_code in (
        302,
        403,
    )
    # Viewing is not changing.
    group.permissions.add(Permission.objects.get(codename="view_ticket"))
    assert client.get(admin_url("detail", ticket.pk)).status_code == 200
    response = client.post(admin_url("detail", ticket.pk), {"action": "message", "message-body": "Hallo"})
    assert response.status_code in (302, 403) and not TicketMessage.objects.exists()


def test_tenant_cannot_open_the_admin(tenant_client, ticket):
    response = tenant_client.get(admin_url("attachment", ticket.attachments.get().pk))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_files_a_request_for_a_tenant(staff_client, contract, taxonomy):
    response = staff_client.get(admin_url("add"))
    assert response.status_code == 200
    data = {
        "company": contract.company.pk,
        "contract_number": contract.number,
        "ticket_type": TicketType.objects.get(code="damage_report").pk,
        "damage_kind": taxonomy.burst_pipe.pk,
        "description": "Anruf: Wasser in der Küche",
        "contact_phone": "0341 1234567",
    }
    response = staff_client.post(admin_url("add"), {**data, "contract_number": "nope"})
    assert "No contract with this number" in response.content.decode()
    response = staff_client.post(admin_url("add"), data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == admin_url("detail", ticket.pk)
    assert ticket.channel == Channel.STAFF and ticket.is_urgent and ticket.subject == "Rohrbruch"


def test_dashboard_panel_counts_open_and_overdue(staff_client, staff, contract, tenant, general_type):
    a = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="x"
    )
    services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="b", description="x"
    )
    services.assign(a, staff)
    Ticket.objects.filter(pk=a.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Tenant requests" in html
    assert f'href="{admin_url("index")}?open=true">2<' in html
    assert f'href="{admin_url("index")}?overdue=true&amp;assignee={staff.pk}">1<' in html


def test_configuration_snippets_and_routing_rules_are_in_the_admin(staff_client, staff):
    from wagtail_tenantportal.tickets.models import DamageCategory, DamageKind, DamageLocation, TicketStatus

    for model in (TicketType, TicketStatus, DamageLocation, DamageCategory, DamageKind):
        assert staff_client.get(reverse(model.snippet_viewset.get_url_name("list"))).status_code == 200
        assert staff_client.get(reverse(model.snippet_viewset.get_url_name("add"))).status_code == 200
    assert staff_client.get(reverse("tenantportal_routing_rules:index")).status_code == 200
    assert staff_client.get(reverse("tenantportal_routing_rules:add")).status_code == 200
    home = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    for label in ("Requests", "Routing rules", "Request types", "Damage kinds"):
        assert label in home


def test_editor_creates_a_request_type_with_own_fields(staff_client):
    viewset = TicketType.snippet_viewset
    response = staff_client.post(
        reverse(viewset.get_url_name("add")),
        {
            "name": "Untervermietung",
            "code": "untervermietung",
            "kind": "other",
            "description": "",
            "company": "",
            "contract_kinds": ["rental"],
            "show_in_portal": "on",
            "topic": "letting",
            "default_assignee": "",
            "default_priority": "normal",
            "due_days": "",
            "allow_attachments": "on",
            "active": "on",
            "form_fields-TOTAL_FORMS": "1",
            "form_fields-INITIAL_FORMS": "0",
            "form_fields-MIN_NUM_FORMS": "0",
            "form_fields-MAX_NUM_FORMS": "1000",
            "form_fields-0-label": "Name der Untermieterin",
            "form_fields-0-name": "",
            "form_fields-0-kind": "text",
            "form_fields-0-required": "on",
            "form_fields-0-choices": "",
            "form_fields-0-help_text": "",
            "form_fields-0-ORDER": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = TicketType.objects.get(code="untervermietung")
    assert created.contract_kinds == ["rental"]
    assert [field.key for field in created.form_fields.all()] == ["name_der_untermieterin"]


def test_seeded_types_and_statuses_are_translated(db):
    from django.utils import translation

    damage = TicketType.objects.get(code="damage_report")
    new = TicketStatus.objects.get(code="new")
    with translation.override("de"):
        german = (translation.gettext("Damage report"), translation.gettext("New"))
        assert (damage.label, new.label) == german
