"""Co-tenants on one contract (two parties, two logins): by default a party's own requests and
messages are its own; reports of shared areas are offered to the co-tenant to join ("me too");
a company may let co-tenants see each other's requests (``Company.co_tenants_share_requests``).
Contract documents and notices are shared; certificates name the tenant who asked for them."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import verified_portal_user
from tests.factories import NoticeFactory
from wagtail_tenantportal.core.session import portal_state
from wagtail_tenantportal.documents import certificates
from wagtail_tenantportal.documents import services as document_services
from wagtail_tenantportal.documents.models import Document
from wagtail_tenantportal.notices.models import Notice
from wagtail_tenantportal.tenancy.models import Party, RentComponent
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.models import Ticket, TicketMessage, TicketType
from wagtail_tenantportal.tickets.wagtail_hooks import tickets_dashboard_widget

from .conftest import photo, status

pytestmark = pytest.mark.django_db

REPLY = "Sehr geehrte Frau Albrecht, der Installateur kommt am Dienstag."


def url(name, *args):
    return reverse(f"wagtail_tenantportal:{name}", args=args)


@pytest.fixture
def co_tenant(contract, tenant):
    """A second party on the tenant's contract with a login of its own."""
    return verified_portal_user(contract)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def widget_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = Client().session
    assert portal_state(request) == "ok"
    return tickets_dashboard_widget(request)


def private_request(tenant, contract):
    """The tenant's own request with a photo and a staff reply addressed to her."""
    return services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=tenant,
        subject="Frage zu meiner Mietschuld",
        description="Bitte rufen Sie mich an.",
        attachments=[photo()],
    )


def paths_of(ticket):
    attachment = ticket.attachments.get()
    return [
        ("get", url("ticket_detail", ticket.reference)),
        ("post", url("ticket_reply", ticket.reference)),
        ("post", url("ticket_join", ticket.reference)),
        ("get", url("ticket_attachment", ticket.reference, attachment.pk)),
        ("get", url("ticket_attachment_thumbnail", ticket.reference, attachment.pk)),
    ]


def test_a_co_tenant_sees_nothing_of_the_other_partys_request(
    contract, tenant, co_tenant, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = private_request(tenant, contract)
        services.post_message(ticket, user=staff, body=REPLY, role=TicketMessage.Role.STAFF)
        services.change_status(ticket, status("in_progress"), user=staff)
    # Mails: only the reporter hears of the reply and the status change.
    assert {tuple(message.to) for message in mail.outbox} == {(tenant.email,)}
    # The overview's widget: the reporter's unread reply; nothing for the co-tenant.
    assert [reply["reference"] for reply in widget_for(tenant).context["replies"]] == [ticket.reference]
    widget = widget_for(co_tenant)
    assert widget is None or (widget.context["open_count"], widget.context["replies"]) == (0, [])

    # The reporter sees everything.
    own = client_for(tenant)
    assert REPLY in own.get(url("ticket_detail", ticket.reference)).content.decode()
    assert ticket.reference in own.get(url("ticket_list")).content.decode()

    other = client_for(co_tenant)
    listing = other.get(url("ticket_list")).content.decode()
    assert ticket.reference not in listing and ticket.subject not in listing
    for method, path in paths_of(ticket):
        assert getattr(other, method)(path, {"body": "Ich auch"}).status_code == 404, path
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1  # the co-tenant posted nothing
    # Services and the overview's widget say nothing either.
    assert not Ticket.objects.visible_to(co_tenant).exists()
    assert services.tenant_ticket(co_tenant, ticket.reference) is None
    assert services.request_counts(co_tenant) == {"open": 0, "awaiting": 0, "unread": 0}
    assert services.newest_unread_replies(co_tenant, 5) == []


def test_a_shared_area_report_is_offered_to_the_co_tenant_to_join(
    contract, tenant, co_tenant, staff, taxonomy, django_capture_on_commit_callbacks
):
    report = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="damage_report"),
        user=tenant,
        damage_kind=taxonomy.stair_light,
        description="Das Licht im 2. OG geht nicht.",
        contact_phone="0341 555 12",
        access_permission=Ticket.AccessPermission.NOT_NEEDED,
    )
    services.post_message(report, user=staff, body=REPLY, role=TicketMessage.Role.STAFF)
    other = client_for(co_tenant)
    # Offered in "already reported in your building", not among the co-tenant's own requests.
    assert list(Ticket.objects.shared_open_for(co_tenant)) == [report]
    assert not Ticket.objects.visible_to(co_tenant).exists()
    assert other.get(url("ticket_detail", report.reference)).status_code == 404
    listing = other.get(url("ticket_list")).content.decode()
    assert url("ticket_join", report.reference) in listing

    # "Me too": read-only, status and history, never the reporter's messages.
    assert other.post(url("ticket_join", report.reference)).status_code == 302
    detail = other.get(url("ticket_detail", report.reference))
    assert detail.status_code == 200 and REPLY not in detail.content.decode()
    assert other.post(url("ticket_reply", report.reference), {"body": "Ich auch"}).status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(report, status("in_progress"), user=staff)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([tenant.email, co_tenant.email])


def test_a_company_may_let_co_tenants_see_each_others_requests(
    contract, tenant, co_tenant, staff, django_capture_on_commit_callbacks
):
    contract.company.co_tenants_share_requests = True
    contract.company.save(update_fields=["co_tenants_share_requests"])
    ticket = private_request(tenant, contract)
    services.post_message(ticket, user=staff, body=REPLY, role=TicketMessage.Role.STAFF)
    assert services.request_counts(co_tenant) == {"open": 1, "awaiting": 0, "unread": 1}
    other = client_for(co_tenant)
    for method, path in paths_of(ticket):
        if method == "get":
            assert other.get(path).status_code == 200, path
    assert REPLY in other.get(url("ticket_detail", ticket.reference)).content.decode()
    assert other.post(url("ticket_reply", ticket.reference), {"body": "Ich rufe zurück."}).status_code == 302
    # The co-tenant's message is named as such to the reporter, not "You".
    html = client_for(tenant).get(url("ticket_detail", ticket.reference)).content.decode()
    assert co_tenant.get_full_name() in html


def test_contract_documents_and_notices_are_shared(contract, tenant, co_tenant, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    from tests.documents.conftest import pdf_file

    document = document_services.publish(
        pdf_file("Betriebskostenabrechnung 2025"),
        target=contract,
        category="operating_cost_statement",
        title="BK",
    )
    notice = NoticeFactory(company=contract.company)
    for user in (tenant, co_tenant):
        assert list(Document.objects.visible_to(user)) == [document]
        assert notice in Notice.objects.visible_to(user)


def test_a_certificate_names_the_tenant_who_asked_for_it(contract, tenant, co_tenant, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    from tests.documents.test_certificates import pdf_text

    today = datetime.date(2026, 11, 21)
    contract.start_date = datetime.date(2020, 1, 1)
    contract.save()
    RentComponent.objects.create(
        contract=contract, kind="base_rent", label="Grundmiete", amount=Decimal("500.00"),
        valid_from=datetime.date(2025, 1, 1),
    )  # fmt: skip
    first = Party.objects.visible_to(tenant).get()
    second = Party.objects.visible_to(co_tenant).get()
    first.salutation, second.salutation = Party.Salutation.MS, Party.Salutation.MR
    first.save()
    second.save()

    def addressee(user):
        document = document_services.generate_certificate(
            contract, "rent_certificate", user=user, today=today
        )
        with document.file.open("rb") as fh:
            text = pdf_text(fh.read())
        return text.split("Mietbescheinigung")[0]  # the address field comes before the subject

    assert second.full_name in addressee(co_tenant) and first.full_name not in addressee(co_tenant)
    assert first.full_name in addressee(tenant) and second.full_name not in addressee(tenant)
    # Both are named as tenants in the certificate itself.
    spec = certificates.build(contract, "rent_certificate", today=today, party=second)
    assert spec.recipient_lines[1] == second.full_name
    assert f"{first.full_name}, {second.full_name}" in dict(spec.rows)["Mieter"]
