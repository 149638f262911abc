"""Tenant views, pages and blocks of the tickets app: the journey, ownership, bad input, query counts."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page

from tests.conftest import verified_portal_user
from tests.factories import ContractFactory
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.blocks import DamageReportBlock, RequestListBlock
from wagtail_tenantportal.tickets.models import (
    DamageReportPage,
    NotificationPreference,
    RequestListPage,
    RoutingRule,
    Ticket,
    TicketMessage,
    TicketStatus,
    TicketStatusChange,
    TicketSupporter,
    TicketType,
)

from .conftest import contract_in, fake_image, photo, status


def url(name, *args):
    return reverse(f"wagtail_tenantportal:{name}", args=args)


def damage_form(contract, kind, **overrides):
    data = {
        "contract": contract.pk,
        "damage_kind": kind.pk,
        "subject": "",
        "description": "Der Wasserhahn im Bad tropft.",
        "contact_phone": "0341 555 12",
        "contact_email": "mieterin@example.org",
        "reachability": "abends",
        "access_permission": "may_enter",
        "access_times": "werktags ab 15 Uhr",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_tickets(contract, count, *, user=None):
    """``count`` tickets on ``contract`` in one query (for query-count tests)."""
    ticket_type = TicketType.objects.get(code="general_contact")
    new = TicketStatus.objects.get(code="new")
    start = Ticket.objects.count()
    Ticket.objects.bulk_create(
        Ticket(
            reference=f"2026-{start + n + 1:06d}",
            company=contract.company,
            contract=contract,
            property=contract.unit.property,
            ticket_type=ticket_type,
            subject=f"Anliegen {n}",
            status=new,
            created_by=user,
        )
        for n in range(count)
    )


# -- the journey ---------------------------------------------------------------------------------


def test_full_journey_damage_report_with_photo(
    tenant_client, tenant, contract, taxonomy, staff, django_capture_on_commit_callbacks
):
    RoutingRule.objects.create(property=contract.unit.property, assignee=staff)

    # The tenant opens the form and files a damage report with a photo.
    response = tenant_client.get(url("ticket_new", "damage_report"))
    assert response.status_code == 200
    assert "Wasserhahn tropft" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client.post(
            url("ticket_new", "damage_report"),
            {**damage_form(contract, taxonomy.dripping_tap), "attachments": [photo("bad.jpg")]},
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == url("ticket_detail", ticket.reference)
    assert ticket.attachments.count() == 1

    # Routed to the staff member of the building, who got a mail; the tenant got a confirmation.
    assert ticket.assignee == staff
    assert {m.to[0] for m in mail.outbox} == {staff.email, tenant.email}
    mail.outbox.clear()

    # Staff change the status in the admin with a comment for the tenant.
    staff_client = Client()
    staff_client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("tenantportal_tickets:detail", args=[ticket.pk]),
            {
                "action": "status",
                "status-status": TicketStatus.objects.get(code="in_progress").pk,
                "status-comment": "Der Installateur kommt am Dienstag.",
            },
        )
    assert response.status_code == 302

    # The tenant gets the email ...
    (message,) = mail.outbox
    assert message.to == [tenant.email]
    assert ticket.reference in message.subject
    detail_link = re.search(r"https?://\S+", message.body).group(0)
    assert detail_link.endswith(url("ticket_detail", ticket.reference))

    # ... and sees the history with the comment and the photo.
    response = tenant_client.get(url("ticket_detail", ticket.reference))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Der Installateur kommt am Dienstag." in html
    assert "Bad – Sanitär – Wasserhahn tropft" in html
    attachment = ticket.attachments.get()
    thumbnail_url = url("ticket_attachment_thumbnail", ticket.reference, attachment.pk)
    assert thumbnail_url in html
    thumbnail = tenant_client.get(thumbnail_url)
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert "private" in thumbnail["Cache-Control"] and "no-store" in thumbnail["Cache-Control"]
    full = tenant_client.get(url("ticket_attachment", ticket.reference, attachment.pk))
    assert full.status_code == 200 and b"SecretCam" not in b"".join(full.streaming_content)

    # And in the list.
    listing = tenant_client.get(url("ticket_list")).content.decode()
    assert ticket.reference in listing and "In progress" in listing and "Sanitär" in listing


def ticket_urls(ticket):
    attachment = ticket.attachments.first()
    urls = [
        ("get", url("ticket_detail", ticket.reference)),
        ("post", url("ticket_reply", ticket.reference)),
        ("post", url("ticket_join", ticket.reference)),
    ]
    if attachment:
        urls += [
            ("get", url("ticket_attachment", ticket.reference, attachment.pk)),
            ("get", url("ticket_attachment_thumbnail", ticket.reference, attachment.pk)),
        ]
    return urls


def test_another_tenant_gets_404_for_every_ticket_and_file_url(
    contract, tenant, neighbour, stranger, taxonomy, client
):
    # A shared-area report and a report from inside the flat, both with photos.
    shared = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="damage_report"),
        user=tenant,
        damage_kind=taxonomy.stair_light,
        description="dunkel",
        contact_phone="0341 1234567",
        access_permission="not_needed",
        attachments=[photo()],
    )
    private = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="damage_report"),
        user=tenant,
        damage_kind=taxonomy.dripping_tap,
        description="tropft",
        contact_phone="0341 1234567",
        access_permission="ask_first",
        attachments=[photo()],
    )
    staff_message = services.post_message(
        private,
        user=None,
        body="Interne Notiz",
        role=TicketMessage.Role.STAFF,
        internal=True,
        attachments=[photo()],
    )
    internal_file = staff_message.attachments.get()

    client.force_login(stranger)
    for ticket in (shared, private):
        for method, address in ticket_urls(ticket):
            assert getattr(client, method)(address).status_code == 404, address
    # Missing references and ids look the same.
    assert client.get(url("ticket_detail", "2026-999999")).status_code == 404
    assert client.get(url("ticket_attachment", private.reference, 999999)).status_code == 404

    # The neighbour may join the stairwell report but sees nothing of the flat report, and no
    # file of either (a joined report is read-only, without files).
    client.force_login(neighbour)
    for method, address in ticket_urls(private):
        assert getattr(client, method)(address).status_code == 404, address
    services.join_ticket(shared, neighbour)
    for method, address in ticket_urls(shared)[1:]:
        if "join" not in address:
            assert getattr(client, method)(address).status_code == 404, address
    # A file id of another ticket under a visible ticket's reference is a 404 as well.
    client.force_login(tenant)
    assert (
        client.get(url("ticket_attachment", shared.reference, private.attachments.first().pk)).status_code
        == 404
    )
    # Internal files are staff-only, also for the ticket's own tenant.
    assert client.get(url("ticket_attachment", private.reference, internal_file.pk)).status_code == 404
    assert "Interne Notiz" not in client.get(url("ticket_detail", private.reference)).content.decode()


@pytest.mark.parametrize(
    "name,args",
    [
        ("ticket_list", ()),
        ("ticket_new_choose", ()),
        ("ticket_new", ("damage_report",)),
        ("ticket_notifications", ()),
        ("ticket_detail", ("2026-000001",)),
        ("ticket_attachment", ("2026-000001", 1)),
    ],
)
def test_without_a_full_portal_session_every_url_leads_to_the_login(client, contract, name, args):
    address = url(name, *args)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(url("login"))
    # Email not confirmed yet: the verification step, not the page.
    user = verified_portal_user(contract)
    PortalAccount.objects.filter(user=user).update(email_verified_at=None)
    client.force_login(user)
    response = client.get(address)
    assert response.status_code == 302 and url("verify_email_code") in response["Location"]


# -- bad input -------------------------------------------------------------------------------------


def post_damage(client, data, **files):
    return client.post(url("ticket_new", "damage_report"), {**data, **files})


def test_missing_fields_show_translated_errors_and_save_nothing(tenant_client, contract, taxonomy):
    response = post_damage(
        tenant_client,
        damage_form(contract, taxonomy.dripping_tap, damage_kind="", description="", access_permission=""),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "tp-error-summary" in html
    assert "Choose what is damaged." in html and "Tell us whether someone may enter your flat." in html
    assert Ticket.objects.count() == 0


def test_errors_are_translated_to_german(tenant_client, contract, taxonomy):
    # The German catalogue is merged by the lead; the message must at least go through gettext.
    from django.utils import translation

    with translation.override("de"):
        german = translation.gettext("Choose what is damaged.")
    response = tenant_client.post(
        url("ticket_new", "damage_report"),
        damage_form(contract, taxonomy.dripping_tap, damage_kind=""),
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert german in response.content.decode()
    assert Ticket.objects.count() == 0


def test_contract_the_tenant_does_not_hold_is_an_error(tenant_client, contract, taxonomy):
    foreign = ContractFactory()
    response = post_damage(
        tenant_client, {**damage_form(contract, taxonomy.dripping_tap), "contract": foreign.pk}
    )
    assert "Choose one of your contracts." in response.content.decode()
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("kind", ["999999", "abc"])
def test_unknown_category_is_an_error(tenant_client, contract, taxonomy, kind):
    response = post_damage(
        tenant_client, {**damage_form(contract, taxonomy.dripping_tap), "damage_kind": kind}
    )
    assert "Choose a kind of damage from the list." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_fake_image_is_an_error_naming_the_file_and_nothing_is_saved(tenant_client, contract, taxonomy):
    response = post_damage(
        tenant_client,
        damage_form(contract, taxonomy.dripping_tap),
        attachments=[photo(), fake_image("beweis.jpg")],
    )
    html = response.content.decode()
    assert "beweis.jpg" in html and "neither a photo" in html
    assert Ticket.objects.count() == 0


def test_oversized_image_is_an_error(tenant_client, contract, taxonomy, settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_MAX_UPLOAD_MB": 0.001}
    response = post_damage(tenant_client, damage_form(contract, taxonomy.dripping_tap), attachments=[photo()])
    assert "larger than 0.001 MB" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_script_in_the_text_is_escaped_on_every_page(tenant_client, tenant, contract, taxonomy, staff):
    script = '<script>alert("x")</script>'
    response = post_damage(
        tenant_client, damage_form(contract, taxonomy.dripping_tap, subject=script, description=script)
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    services.post_message(ticket, user=tenant, body=script)
    services.change_status(ticket, status("in_progress"), user=staff, comment=script)
    for address in (url("ticket_detail", ticket.reference), url("ticket_list")):
        html = tenant_client.get(address).content.decode()
        assert script not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    admin = Client()
    admin.force_login(staff)
    for address in (
        reverse("tenantportal_tickets:detail", args=[ticket.pk]),
        reverse("tenantportal_tickets:index"),
        reverse("tenantportal_tickets:history", args=[ticket.pk]),
    ):
        html = admin.get(address).content.decode()
        assert script not in html, address


def test_errors_on_a_form_with_errors_keep_the_entries(tenant_client, contract, taxonomy):
    response = post_damage(tenant_client, damage_form(contract, taxonomy.dripping_tap, access_permission=""))
    html = response.content.decode()
    assert "Der Wasserhahn im Bad tropft." in html
    assert f'<option value="{taxonomy.dripping_tap.pk}" selected>' in html


# -- forms and pages -------------------------------------------------------------------------------


def test_single_contract_is_not_a_choice_several_are(tenant_client, tenant, contract, taxonomy):
    html = tenant_client.get(url("ticket_new", "damage_report")).content.decode()
    assert f'<input type="hidden" name="contract" value="{contract.pk}"' in html
    second = contract_in(contract.unit.property)
    verified_portal_user(second, user=tenant)
    html = tenant_client.get(url("ticket_new", "damage_report")).content.decode()
    assert '<select name="contract"' in html and second.number in html and contract.number in html


def test_several_contracts_start_with_an_empty_choice(tenant_client, tenant, contract, taxonomy):
    second = contract_in(contract.unit.property)
    verified_portal_user(second, user=tenant)
    html = tenant_client.get(url("ticket_new", "damage_report")).content.decode()
    select = re.search(r'<select name="contract"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r"<option ([^>]*)>", select)
    assert options[0] == 'value="" selected' and len(options) == 3
    assert not any("selected" in option for option in options[1:])
    # Sent without a choice: a clear message at the field, nothing saved.
    response = post_damage(tenant_client, {**damage_form(contract, taxonomy.dripping_tap), "contract": ""})
    assert response.status_code == 200
    assert "Choose the contract this request is about." in response.content.decode()
    assert not Ticket.objects.exists()
    response = post_damage(tenant_client, damage_form(second, taxonomy.dripping_tap))
    assert response.status_code == 302 and Ticket.objects.get().contract == second


def test_the_emergency_box_follows_the_kind_of_damage_with_each_number_once(
    tenant_client, contract, taxonomy
):
    from wagtail_tenantportal.tickets.models import DamageCategory, DamageKind, DamageLocation

    # The same urgent kind in a second room: listed once.
    kitchen = DamageCategory.objects.create(
        location=DamageLocation.objects.create(name="Küche", sort_order=3), name="Sanitär"
    )
    DamageKind.objects.create(category=kitchen, name="Rohrbruch", urgency=DamageKind.Urgency.ALWAYS)
    html = tenant_client.get(url("ticket_new", "damage_report")).content.decode()
    box = html[html.index('id="tp-emergency"') : html.index("</details>")]
    assert html.index('name="damage_kind"') < html.index('id="tp-emergency"') < html.index('name="subject"')
    assert html.count("0341 999 111") == 1 and box.count('href="tel:0341999111"') == 1
    assert box.count("<strong>Rohrbruch</strong>") == 1
    assert 'id="tp-urgent-alert" role="alert" hidden' in box  # folded: no urgent kind chosen yet
    assert "<details" in box and '<details class="tp-emergency-kinds" id="tp-emergency-kinds">' in box
    # A form with an urgent kind that comes back with errors shows the alert without JavaScript.
    html = post_damage(
        tenant_client, damage_form(contract, taxonomy.burst_pipe, description="")
    ).content.decode()
    box = html[html.index('id="tp-emergency"') : html.index("</details>")]
    assert 'role="alert" hidden' not in box and "tp-emergency--now" in html
    assert 'id="tp-emergency-kinds" open' in box


def test_urgent_kinds_show_the_emergency_number(tenant_client, contract, taxonomy):
    html = tenant_client.get(url("ticket_new", "damage_report")).content.decode()
    assert "Emergency?" in html and "0341 999 111" in html and "Rohrbruch" in html
    assert f'value="{taxonomy.burst_pipe.pk}" data-urgent="true"' in html
    response = post_damage(tenant_client, damage_form(contract, taxonomy.burst_pipe))
    detail = tenant_client.get(response["Location"]).content.decode()
    assert "This is an emergency" in detail and 'href="tel:0341999111"' in detail
    assert "Bitte drehen Sie den Hauptwasserhahn zu." in detail


def test_choose_type_lists_the_types_for_the_contracts(tenant_client):
    pets = TicketType.objects.create(code="haustier", name="Haustiergenehmigung", contract_kinds=["rental"])
    TicketType.objects.create(code="stellplatz", name="Stellplatz kündigen", contract_kinds=["parking"])
    html = tenant_client.get(url("ticket_new_choose")).content.decode()
    assert "Damage report" in html and pets.name in html and "Stellplatz kündigen" not in html
    assert tenant_client.get(url("ticket_new", "stellplatz")).status_code == 404
    assert tenant_client.get(url("ticket_new", "unknown")).status_code == 404


def test_type_with_own_fields(tenant_client, contract):
    from wagtail_tenantportal.tickets.models import TicketTypeField

    pets = TicketType.objects.create(code="haustier", name="Haustiergenehmigung")
    TicketTypeField.objects.create(
        ticket_type=pets, label="Tierart", kind="choice", choices="Hund\nKatze", required=True
    )
    html = tenant_client.get(url("ticket_new", "haustier")).content.decode()
    assert 'name="extra_tierart"' in html
    response = tenant_client.post(
        url("ticket_new", "haustier"), {"contract": contract.pk, "subject": "Hund", "extra_tierart": "Pferd"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = tenant_client.post(
        url("ticket_new", "haustier"), {"contract": contract.pk, "subject": "Hund", "extra_tierart": "Hund"}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    detail = tenant_client.get(response["Location"]).content.decode()
    assert ticket.form_data[0]["value"] == "Hund" and "Tierart" in detail


def test_tenant_reply_and_closed_ticket(tenant_client, tenant, contract, staff, general_type):
    ticket = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    services.post_message(
        ticket, user=staff, body="Geheime Notiz", role=TicketMessage.Role.STAFF, internal=True
    )
    services.post_message(ticket, user=staff, body="Rückfrage", role=TicketMessage.Role.STAFF)
    response = tenant_client.post(
        url("ticket_reply", ticket.reference), {"body": "Meine Antwort", "attachments": [photo()]}
    )
    assert response.status_code == 302
    html = tenant_client.get(url("ticket_detail", ticket.reference)).content.decode()
    assert "Meine Antwort" in html and "Rückfrage" in html and "Geheime Notiz" not in html
    response = tenant_client.post(url("ticket_reply", ticket.reference), {"body": ""})
    assert response.status_code == 200 and "tp-error-summary" in response.content.decode()
    services.change_status(ticket, status("done"), user=staff)
    html = tenant_client.get(url("ticket_detail", ticket.reference)).content.decode()
    assert "This request is closed" in html and 'name="body"' not in html
    response = tenant_client.post(url("ticket_reply", ticket.reference), {"body": "Noch was"})
    assert "closed" in response.content.decode()
    assert TicketMessage.objects.filter(author=tenant).count() == 1


def test_me_too_from_the_list(client, contract, tenant, neighbour, taxonomy):
    report = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="damage_report"),
        user=tenant,
        damage_kind=taxonomy.stair_light,
        description="Im 2. OG ist es dunkel.",
        contact_phone="0341 1234567",
        access_permission="not_needed",
    )
    client.force_login(neighbour)
    html = client.get(url("ticket_list")).content.decode()
    assert "Already reported in your building" in html and url("ticket_join", report.reference) in html
    response = client.post(url("ticket_join", report.reference))
    assert response.status_code == 302
    assert TicketSupporter.objects.filter(ticket=report, user=neighbour).exists()
    html = client.get(url("ticket_list")).content.decode()
    assert "Reports you joined" in html and url("ticket_join", report.reference) not in html
    detail = client.get(url("ticket_detail", report.reference)).content.decode()
    assert "You told us that this damage affects you too" in detail
    assert (
        "Im 2. OG ist es dunkel." not in detail and "1234567" not in detail
    )  # the reporter's data stay private
    # The reporter sees the count.
    client.force_login(tenant)
    assert "1 more tenant" in client.get(url("ticket_detail", report.reference)).content.decode()


def test_notification_preferences(tenant_client, tenant):
    response = tenant_client.get(url("ticket_notifications"))
    assert response.status_code == 200
    response = tenant_client.post(url("ticket_notifications"), {"replies": "on"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(account__user=tenant)
    assert preference.replies and not preference.status_changes


# -- query counts ----------------------------------------------------------------------------------


def count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_my_requests_runs_the_same_queries_for_1_and_500_tickets(
    tenant_client, tenant, contract, neighbour, taxonomy, django_assert_max_num_queries
):
    make_tickets(contract, 1, user=tenant)
    one = count_queries(tenant_client, url("ticket_list"))
    make_tickets(contract, 499, user=tenant)
    # Some reports of the neighbour in the stairwell to join, and one joined.
    for _ in range(3):
        report = services.submit_ticket(
            contract=neighbour.tenantportal_account.parties.first().contracts.first(),
            ticket_type=TicketType.objects.get(code="damage_report"),
            user=neighbour,
            damage_kind=taxonomy.stair_light,
            description="dunkel",
            contact_phone="0341 1234567",
            access_permission="not_needed",
        )
    services.join_ticket(report, tenant)
    many = count_queries(tenant_client, url("ticket_list"))
    assert many == one
    with django_assert_max_num_queries(one):
        tenant_client.get(url("ticket_list") + "?page=20")


# -- pages and blocks ------------------------------------------------------------------------------


@pytest.fixture
def pages(db):
    root = Page.objects.get(depth=1).get_children().first() or Page.objects.get(depth=1)
    damage_page = root.add_child(
        instance=DamageReportPage(title="Schaden melden", slug="schaden-melden", intro="<p>Intro</p>")
    )
    list_page = root.add_child(instance=RequestListPage(title="Meine Anliegen", slug="meine-anliegen"))
    return damage_page, list_page


def test_pages_show_a_login_prompt_back_to_themselves(client, pages):
    for page in pages:
        response = client.get(page.url)
        html = response.content.decode()
        assert response.status_code == 200
        assert f"{url('login')}?next={page.url.replace('/', '%2F')}" in html
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_damage_report_page_files_a_report(tenant_client, contract, taxonomy, pages):
    damage_page, list_page = pages
    html = tenant_client.get(damage_page.url).content.decode()
    assert "Schaden melden" in html and 'name="damage_kind"' in html
    response = tenant_client.post(
        damage_page.url, damage_form(contract, taxonomy.dripping_tap, access_permission="")
    )
    assert (
        response.status_code == 200
        and "Tell us whether someone may enter your flat." in response.content.decode()
    )
    response = tenant_client.post(damage_page.url, damage_form(contract, taxonomy.dripping_tap))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == url("ticket_detail", ticket.reference)
    assert ticket.reference in tenant_client.get(list_page.url).content.decode()


def render_block(block, request, value=None):
    template = Template("{% load wagtailcore_tags %}{% include_block block %}")
    bound = block.bind(block.to_python(value or {}))
    return template.render(Context({"block": bound, "request": request}))


def test_blocks_render_for_anonymous_visitors_and_tenants(tenant, contract, taxonomy):
    factory = RequestFactory()
    request = factory.get("/aktuelles/")
    request.user = AnonymousUser()
    request.session = {}
    html = render_block(DamageReportBlock(), request)
    assert f"{url('login')}?next=%2Faktuelles%2F" in html

    services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=tenant,
        subject="Frage zur Miete",
        description="x",
    )
    request = factory.get("/aktuelles/")
    request.user = tenant
    request.session = Client().session
    html = render_block(DamageReportBlock(), request)
    assert f'action="{url("ticket_new", "damage_report")}"' in html and "csrfmiddlewaretoken" in html
    html = render_block(RequestListBlock(), request, {"count": 3})
    assert "Frage zur Miete" in html and url("ticket_list") in html


def test_history_shows_every_status_change(tenant_client, tenant, contract, staff, general_type):
    ticket = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    for code in ("in_progress", "awaiting_tenant", "in_progress", "done"):
        services.change_status(ticket, status(code), user=staff)
    html = tenant_client.get(url("ticket_detail", ticket.reference)).content.decode()
    assert html.count("Status changed from") == 4
    assert TicketStatusChange.objects.filter(ticket=ticket).count() == 5
