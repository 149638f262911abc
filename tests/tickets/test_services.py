"""The ticket services: submit, route, status, messages, "me too", notifications, signals."""

import datetime
import os
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import ModelLogEntry

from tests.conftest import verified_portal_user
from tests.factories import ContractFactory, UserFactory
from wagtail_tenantportal.tenancy.models import ContactPerson, ContactResponsibility, Topic
from wagtail_tenantportal.tickets import services, signals
from wagtail_tenantportal.tickets.models import (
    Channel,
    NotificationPreference,
    Priority,
    RoutingRule,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
    TicketSupporter,
    TicketType,
    TicketTypeField,
)

from .conftest import contract_in, fake_image, pdf_bytes, photo, staff_member, status, upload


def damage(contract, user, kind, **kwargs):
    data = {
        "contract": contract,
        "ticket_type": TicketType.objects.get(code="damage_report"),
        "user": user,
        "damage_kind": kind,
        "description": "Tropft seit gestern.",
        "contact_phone": "0341 555 12",
        "access_permission": Ticket.AccessPermission.ASK_FIRST,
    }
    data.update(kwargs)
    return services.submit_ticket(**data)


def stored_files():
    root = TicketAttachment._meta.get_field("file").storage.location
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(os.path.join(root, "tickets"))
        for name in names
    )


# -- submit --------------------------------------------------------------------------------------


def test_damage_report_is_saved_whole(contract, tenant, taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = damage(
            contract, tenant, taxonomy.dripping_tap, attachments=[photo(), upload("a.pdf", pdf_bytes())]
        )

    ticket.refresh_from_db()
    assert re.fullmatch(rf"{timezone.localdate().year}-\d{{6}}", ticket.reference)
    assert ticket.subject == "Wasserhahn tropft"  # the kind fills an empty subject
    assert (ticket.damage_location, ticket.damage_category, ticket.damage_kind) == (
        taxonomy.flat,
        taxonomy.plumbing,
        taxonomy.dripping_tap,
    )
    assert ticket.company == contract.company and ticket.property == contract.unit.property
    assert ticket.status.code == "new" and ticket.channel == Channel.WEB
    assert ticket.created_by == tenant and ticket.party.contracts.filter(pk=contract.pk).exists()
    assert ticket.due_date == timezone.localdate() + datetime.timedelta(days=14)
    assert not ticket.is_urgent and ticket.priority == Priority.NORMAL
    history = list(ticket.status_changes.all())
    assert [(h.from_status, h.to_status.code) for h in history] == [(None, "new")]
    kinds = sorted(ticket.attachments.values_list("kind", flat=True))
    assert kinds == ["image", "pdf"]
    assert len(stored_files()) == 3  # photo, its thumbnail, the PDF
    assert ModelLogEntry.objects.filter(action=services.ACTION_SUBMITTED, object_id=str(ticket.pk)).exists()
    # The tenant got a confirmation with the reference.
    (confirmation,) = mail.outbox
    assert confirmation.to == [tenant.email] and ticket.reference in confirmation.subject


def test_reference_numbers_count_up_per_year(contract, tenant, general_type):
    def file(at):
        with freeze_time(at):
            return services.submit_ticket(
                contract=contract, ticket_type=general_type, user=tenant, subject="Frage", description="Text"
            ).reference

    assert file("2026-03-01 10:00") == "2026-000001"
    assert file("2026-03-02 10:00") == "2026-000002"
    assert file("2027-01-01 10:00") == "2027-000001"


def test_reference_numbers_taken_otherwise_are_skipped(contract, tenant, general_type):
    from wagtail_tenantportal.tickets.models import TicketSequence

    with freeze_time("2026-03-01 10:00"):
        first = services.submit_ticket(
            contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
        )
        TicketSequence.objects.filter(year=2026).update(last_number=0)  # e.g. restored from a backup
        second = services.submit_ticket(
            contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
        )
    assert (first.reference, second.reference) == ("2026-000001", "2026-000002")


def test_urgent_kind_makes_an_urgent_ticket_due_today(contract, tenant, taxonomy):
    ticket = damage(contract, tenant, taxonomy.burst_pipe)
    assert ticket.is_urgent and ticket.priority == Priority.URGENT
    assert ticket.due_date == timezone.localdate()


@pytest.mark.parametrize("day,urgent", [("2026-01-15", True), ("2026-07-15", False)])
def test_heating_failure_is_urgent_only_in_the_heating_season(contract, tenant, taxonomy, day, urgent):
    with freeze_time(f"{day} 12:00"):
        assert damage(contract, tenant, taxonomy.no_heating).is_urgent is urgent


def submit_errors(**kwargs):
    with pytest.raises(ValidationError) as error:
        services.submit_ticket(**kwargs)
    return error.value.message_dict


def test_missing_fields_are_all_reported(contract, tenant, damage_type, taxonomy):
    errors = submit_errors(contract=contract, ticket_type=damage_type, user=tenant)
    assert set(errors) >= {"damage_kind", "access_permission", "contact_phone", "description"}
    assert Ticket.objects.count() == 0


def test_contract_the_tenant_does_not_hold_is_refused(tenant, stranger, general_type):
    foreign = ContractFactory()
    errors = submit_errors(
        contract=foreign, ticket_type=general_type, user=tenant, subject="x", description="y"
    )
    assert errors == {"contract": ["Choose one of your contracts."]}
    assert Ticket.objects.count() == 0


def test_ended_contract_is_refused(contract, tenant, general_type):
    contract.status = contract.Status.ENDED
    contract.save()
    errors = submit_errors(
        contract=contract, ticket_type=general_type, user=tenant, subject="x", description="y"
    )
    assert "contract" in errors


@pytest.mark.parametrize("kind", [999999, "abc", "1; DROP TABLE"])
def test_unknown_damage_kind_is_refused(contract, tenant, damage_type, taxonomy, kind):
    errors = submit_errors(
        contract=contract,
        ticket_type=damage_type,
        user=tenant,
        damage_kind=kind,
        description="x",
        contact_phone="0341 1234567",
        access_permission="ask_first",
    )
    assert errors["damage_kind"] == ["Choose a kind of damage from the list."]


def test_damage_kind_of_another_company_or_inactive_is_refused(contract, tenant, damage_type, taxonomy):
    other = ContractFactory().company
    taxonomy.stairwell.company = other
    taxonomy.stairwell.save()
    taxonomy.dripping_tap.active = False
    taxonomy.dripping_tap.save()
    for kind in (taxonomy.stair_light, taxonomy.dripping_tap):
        with pytest.raises(ValidationError) as error:
            damage(contract, tenant, kind)
        assert "damage_kind" in error.value.message_dict


def test_type_not_for_this_contract_kind_is_refused(contract, tenant):
    parking_only = TicketType.objects.create(code="stellplatz", name="Stellplatz", contract_kinds=["parking"])
    errors = submit_errors(
        contract=contract, ticket_type=parking_only, user=tenant, subject="x", description="y"
    )
    assert errors == {"contract": ["This kind of request is not available for this contract."]}


def test_text_with_null_characters_or_too_long_is_refused(contract, tenant, general_type, settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_TEXT_MAX_LENGTH": 20}
    errors = submit_errors(
        contract=contract, ticket_type=general_type, user=tenant, subject="a\x00b", description="x" * 21
    )
    assert set(errors) == {"subject", "description"}


def test_script_in_the_text_is_stored_as_typed(contract, tenant, general_type):
    text = '<script>alert("x")</script> & "Grüße"'
    ticket = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject=text, description=text
    )
    ticket.refresh_from_db()
    assert ticket.subject == text and ticket.description == text  # escaping is the templates' job


def test_fake_image_saves_nothing(contract, tenant, taxonomy):
    with pytest.raises(ValidationError) as error:
        damage(contract, tenant, taxonomy.dripping_tap, attachments=[photo(), fake_image("beweis.jpg")])
    assert "beweis.jpg" in error.value.message_dict["attachments"][0]
    assert Ticket.objects.count() == 0 and TicketAttachment.objects.count() == 0
    assert stored_files() == []


def test_too_many_attachments_are_refused(contract, tenant, taxonomy, settings):
    settings.WAGTAIL_TENANTPORTAL = {"TICKET_MAX_ATTACHMENTS": 2}
    with pytest.raises(ValidationError) as error:
        damage(contract, tenant, taxonomy.dripping_tap, attachments=[photo(), photo(), photo()])
    assert "at most 2 files" in error.value.message_dict["attachments"][0]
    assert Ticket.objects.count() == 0


def test_failure_after_files_were_written_removes_them_again(contract, tenant, taxonomy, monkeypatch):
    def fail(ticket):
        raise IntegrityError("simulated")

    monkeypatch.setattr(services, "route_ticket", fail)
    with pytest.raises(ValidationError):
        damage(contract, tenant, taxonomy.dripping_tap, attachments=[photo()])
    assert Ticket.objects.count() == 0 and TicketAttachment.objects.count() == 0
    assert stored_files() == []


def test_type_fields_are_validated_and_stored(contract, tenant):
    pets = TicketType.objects.create(code="haustier", name="Haustiergenehmigung")
    TicketTypeField.objects.create(
        ticket_type=pets, label="Tierart", kind="choice", choices="Hund\nKatze", required=True
    )
    TicketTypeField.objects.create(ticket_type=pets, label="Einzug des Tieres", kind="date", required=True)
    TicketTypeField.objects.create(ticket_type=pets, label="Zustimmung Nachbarn", kind="checkbox")

    errors = submit_errors(
        contract=contract, ticket_type=pets, user=tenant, subject="Hund", form_data={"tierart": "Pferd"}
    )
    assert set(errors) == {"form_data.tierart", "form_data.einzug_des_tieres"}

    ticket = services.submit_ticket(
        contract=contract,
        ticket_type=pets,
        user=tenant,
        subject="Hund",
        form_data={"tierart": "Hund", "einzug_des_tieres": "2026-05-01", "zustimmung_nachbarn": "on"},
    )
    assert ticket.form_data == [
        {"key": "tierart", "label": "Tierart", "kind": "choice", "value": "Hund"},
        {"key": "einzug_des_tieres", "label": "Einzug des Tieres", "kind": "date", "value": "2026-05-01"},
        {"key": "zustimmung_nachbarn", "label": "Zustimmung Nachbarn", "kind": "checkbox", "value": True},
    ]


def test_tenant_submissions_are_rate_limited(contract, tenant, general_type, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "RATE_LIMITS": {"ticket_submit": {"limit": 2, "window": 3600, "lockout": 3600}}
    }
    for _ in range(2):
        services.submit_ticket(
            contract=contract, ticket_type=general_type, user=tenant, subject="x", description="y"
        )
    errors = submit_errors(
        contract=contract, ticket_type=general_type, user=tenant, subject="x", description="y"
    )
    assert "try again in" in errors["__all__"][0]
    assert Ticket.objects.count() == 2


def test_erp_may_file_with_external_id_once(contract, general_type):
    ticket = services.submit_ticket(
        contract=contract,
        ticket_type=general_type,
        channel=Channel.ERP,
        subject="Aus dem ERP",
        external_id="V-1",
    )
    assert ticket.created_by is None and ticket.channel == Channel.ERP
    errors = submit_errors(
        contract=contract,
        ticket_type=general_type,
        channel=Channel.ERP,
        subject="Noch mal",
        external_id="V-1",
    )
    assert "external_id" in errors


# -- routing -------------------------------------------------------------------------------------


def test_routing_prefers_the_most_specific_rule(contract, tenant, taxonomy, damage_type, general_type):
    anyone, by_company, by_property, by_type = (staff_member(contract.company) for _ in range(4))
    RoutingRule.objects.create(assignee=anyone)
    RoutingRule.objects.create(company=contract.company, assignee=by_company)
    RoutingRule.objects.create(property=contract.unit.property, assignee=by_property)
    RoutingRule.objects.create(ticket_type=damage_type, assignee=by_type)
    RoutingRule.objects.create(ticket_type=damage_type, company=ContractFactory().company, assignee=anyone)

    assert damage(contract, tenant, taxonomy.dripping_tap).assignee == by_type
    general = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    assert general.assignee == by_property


def test_routing_falls_back_to_type_then_contact_person(
    contract, tenant, general_type, damage_type, taxonomy
):
    caretaker, clerk = staff_member(contract.company), staff_member(contract.company)
    person = ContactPerson.objects.create(company=contract.company, name="Frau Kunde", user=clerk)
    ContactResponsibility.objects.create(
        contact_person=person, company=contract.company, property=contract.unit.property, topic=Topic.GENERAL
    )
    damage_type.default_assignee = caretaker
    damage_type.save()

    assert damage(contract, tenant, taxonomy.dripping_tap).assignee == caretaker
    general = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    assert general.assignee == clerk


def test_inactive_or_non_staff_users_never_get_tickets(contract, tenant, general_type):
    RoutingRule.objects.create(assignee=staff_member(is_active=False))
    RoutingRule.objects.create(assignee=UserFactory(is_staff=False))
    ticket = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    assert ticket.assignee is None


def test_assigned_staff_member_is_mailed(
    contract, tenant, general_type, staff, django_capture_on_commit_callbacks
):
    RoutingRule.objects.create(assignee=staff)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.submit_ticket(
            contract=contract, ticket_type=general_type, user=tenant, subject="<b>Frage</b>", description="b"
        )
    staff_mail = [m for m in mail.outbox if m.to == [staff.email]]
    assert len(staff_mail) == 1
    assert ticket.reference in staff_mail[0].subject
    assert f"/admin/tenantportal/requests/{ticket.pk}/" in staff_mail[0].body
    assert "<b>Frage</b>" in staff_mail[0].body  # text mail: as typed, nothing to escape


# -- status ----------------------------------------------------------------------------------------


@pytest.fixture
def ticket(contract, tenant, general_type):
    return services.submit_ticket(
        contract=contract,
        ticket_type=general_type,
        user=tenant,
        subject="Frage <zur> Miete",
        description="Text",
    )


def test_status_change_is_logged_and_mailed(ticket, tenant, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_status(
            ticket, status("in_progress"), user=staff, comment="Wir <kümmern> uns."
        )
    assert (change.from_status.code, change.to_status.code, change.changed_by) == (
        "new",
        "in_progress",
        staff,
    )
    ticket.refresh_from_db()
    assert ticket.status.code == "in_progress" and ticket.closed_at is None
    assert ModelLogEntry.objects.filter(
        action=services.ACTION_STATUS_CHANGED, object_id=str(ticket.pk)
    ).exists()
    (message,) = mail.outbox
    assert message.to == [tenant.email]
    assert "In progress" in message.subject
    assert "Wir <kümmern> uns." in message.body
    html = message.alternatives[0][0]
    assert "Wir &lt;kümmern&gt; uns." in html and "Frage &lt;zur&gt; Miete" in html

    services.change_status(ticket, status("done"), user=staff)
    ticket.refresh_from_db()
    assert ticket.closed_at is not None


def test_status_mail_respects_the_preference(ticket, tenant, staff, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(account=tenant.tenantportal_account, status_changes=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket, status("in_progress"), user=staff)
    assert mail.outbox == []


def test_workflow_restricts_the_next_status(ticket, staff):
    new = status("new")
    new.next_statuses.set([status("in_progress")])
    with pytest.raises(ValidationError):
        services.change_status(ticket, status("done"), user=staff)
    with pytest.raises(ValidationError):
        services.change_status(ticket, new, user=staff)  # the same status is no change
    assert [s.code for s in services.allowed_statuses(ticket)] == ["in_progress"]
    services.change_status(ticket, status("in_progress"), user=staff)


def test_signals_are_sent_after_commit(
    contract, tenant, general_type, staff, django_capture_on_commit_callbacks
):
    received = []

    def receiver(signal, sender, **kwargs):
        received.append((signal, kwargs))

    for signal in (signals.ticket_submitted, signals.ticket_status_changed, signals.ticket_message_posted):
        signal.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ticket = services.submit_ticket(
                contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
            )
            assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            change = services.change_status(ticket, status("in_progress"), user=staff)
            message = services.post_message(ticket, user=staff, body="Hallo", role=TicketMessage.Role.STAFF)
    finally:
        for signal in (
            signals.ticket_submitted,
            signals.ticket_status_changed,
            signals.ticket_message_posted,
        ):
            signal.disconnect(receiver)
    assert [signal for signal, _ in received] == [
        signals.ticket_submitted,
        signals.ticket_status_changed,
        signals.ticket_message_posted,
    ]
    assert received[0][1] == {"ticket": ticket, "channel": Channel.WEB}
    assert received[1][1] == {"ticket": ticket, "change": change}
    assert received[2][1] == {"ticket": ticket, "message": message, "channel": Channel.STAFF}


def test_failing_signal_receiver_does_not_break_the_request(
    ticket, staff, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("ERP down")

    signals.ticket_status_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(ticket, status("in_progress"), user=staff)
    finally:
        signals.ticket_status_changed.disconnect(broken)
    ticket.refresh_from_db()
    assert ticket.status.code == "in_progress"


# -- messages --------------------------------------------------------------------------------------


def test_staff_reply_is_mailed_internal_note_is_not(
    ticket, tenant, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket, user=staff, body="Geheim", role=TicketMessage.Role.STAFF, internal=True)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket, user=staff, body="Antwort", role=TicketMessage.Role.STAFF)
    (message,) = mail.outbox
    assert message.to == [tenant.email] and ticket.reference in message.subject
    assert "Antwort" not in message.body  # the text stays in the portal


def test_reply_mail_respects_the_preference(ticket, tenant, staff, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(account=tenant.tenantportal_account, replies=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket, user=staff, body="Antwort", role=TicketMessage.Role.STAFF)
    assert mail.outbox == []


def test_tenant_message_goes_to_the_assignee(ticket, tenant, staff, django_capture_on_commit_callbacks):
    services.assign(ticket, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket, user=tenant, body="Noch eine Frage", attachments=[photo()])
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert ticket.attachments.get().message.body == "Noch eine Frage"


def test_tenant_cannot_write_on_foreign_closed_or_internal(ticket, tenant, stranger, staff):
    with pytest.raises(ValidationError):
        services.post_message(ticket, user=stranger, body="Hallo")
    with pytest.raises(ValidationError):
        services.post_message(ticket, user=tenant, body="Hallo", internal=True)
    services.change_status(ticket, status("done"), user=staff)
    with pytest.raises(ValidationError) as error:
        services.post_message(ticket, user=tenant, body="Hallo")
    assert "closed" in error.value.messages[0]
    assert TicketMessage.objects.count() == 0


def test_empty_message_and_fake_attachment_save_nothing(ticket, tenant):
    with pytest.raises(ValidationError) as error:
        services.post_message(ticket, user=tenant, body="  ")
    assert "body" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.post_message(ticket, user=tenant, body="Foto anbei", attachments=[fake_image()])
    assert TicketMessage.objects.count() == 0 and TicketAttachment.objects.count() == 0


def test_assign_refuses_non_staff_and_logs(ticket, staff, tenant):
    with pytest.raises(ValidationError):
        services.assign(ticket, tenant)
    services.assign(ticket, staff, user=staff)
    assert Ticket.objects.get(pk=ticket.pk).assignee == staff
    assert ModelLogEntry.objects.filter(action=services.ACTION_ASSIGNED, object_id=str(ticket.pk)).exists()


def test_update_details(ticket, staff):
    services.update_details(ticket, user=staff, priority=Priority.HIGH, due_date=datetime.date(2030, 1, 1))
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH and ticket.due_date == datetime.date(2030, 1, 1)
    with pytest.raises(ValidationError):
        services.update_details(ticket, priority="whenever")


# -- "me too" ------------------------------------------------------------------------------------


def test_neighbour_joins_a_shared_area_report(
    contract, tenant, neighbour, stranger, taxonomy, staff, django_capture_on_commit_callbacks
):
    report = damage(contract, tenant, taxonomy.stair_light)
    private = damage(contract, tenant, taxonomy.dripping_tap)

    assert list(Ticket.objects.shared_open_for(neighbour)) == [report]
    assert list(Ticket.objects.shared_open_for(tenant)) == []  # not the own report
    assert list(Ticket.objects.shared_open_for(stranger)) == []

    supporter = services.join_ticket(report, neighbour)
    assert services.join_ticket(report, neighbour) == supporter  # idempotent
    assert TicketSupporter.objects.filter(ticket=report).count() == 1
    for who, which in ((neighbour, private), (stranger, report), (tenant, report)):
        with pytest.raises(ValidationError):
            services.join_ticket(which, who)

    # The neighbour hears about status changes of the report they joined.
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(report, status("in_progress"), user=staff)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([tenant.email, neighbour.email])

    # Closed reports cannot be joined any more.
    services.change_status(report, status("done"), user=staff)
    other = verified_portal_user(contract_in(contract.unit.property))
    with pytest.raises(ValidationError):
        services.join_ticket(report, other)


def test_ticket_on_a_contract_with_several_tenants_mails_the_reporter_only(
    contract, tenant, staff, general_type, django_capture_on_commit_callbacks
):
    co_tenant = verified_portal_user(contract)
    ticket = services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket, status("in_progress"), user=staff)
    assert [m.to for m in mail.outbox] == [[tenant.email]]
    # A ticket from the ERP has no reporter: everybody on the contract hears of it.
    mail.outbox.clear()
    erp = services.submit_ticket(
        contract=contract, ticket_type=general_type, channel=Channel.ERP, subject="ERP"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(erp, status("in_progress"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([tenant.email, co_tenant.email])


def test_initial_status_missing_gives_a_clear_error(contract, tenant, general_type):
    TicketStatus.objects.update(active=False)
    errors = submit_errors(
        contract=contract, ticket_type=general_type, user=tenant, subject="a", description="b"
    )
    assert "__all__" in errors
