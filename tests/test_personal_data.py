"""The personal-data protocol (core.personal_data): every sub-app that holds data about a person
says how to export it and how to erase it; after erasure nothing is linked to the login.

One tenant with data in every app: a portal account with phones, consents, an email
confirmation and a second factor; a damage report with a photo and a reply; a document
opened once; a notice read; a savings account with a booking; a meter with a month.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import (
    ContractFactory,
    NoticeFactory,
    SavingsAccountFactory,
    SavingsTransactionFactory,
    UnitFactory,
    UserFactory,
    tenant_for,
)
from tests.tickets.conftest import photo
from wagtail_tenantportal.accounts.models import Consent, EmailVerification, PortalAccount
from wagtail_tenantportal.core import personal_data
from wagtail_tenantportal.core.personal_data import ErasureReport, PersonalDataProvider

TENANT_EMAIL = "erika.muster@example.org"
TENANT_PHONE = "0341 5550123"

APPS = {"accounts", "tenancy", "tickets", "documents", "notices", "consumption", "savings", "api"}


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def populated(db, django_capture_on_commit_callbacks):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wagtail_tenantportal.consumption.models import Meter, MonthlyConsumption
    from wagtail_tenantportal.documents import services as document_services
    from wagtail_tenantportal.notices import services as notice_services
    from wagtail_tenantportal.tickets import services as ticket_services
    from wagtail_tenantportal.tickets.models import TicketMessage, TicketType

    from .documents.conftest import pdf_file

    contract = ContractFactory(unit=UnitFactory())
    user = UserFactory(email=TENANT_EMAIL, username=TENANT_EMAIL, first_name="Erika", last_name="Muster")
    user, party = tenant_for(contract, user=user)
    account = PortalAccount.objects.get(user=user)
    account.phone = TENANT_PHONE
    account.save()
    Consent.objects.create(account=account, kind=Consent.Kind.PRIVACY, version="1")
    EmailVerification.objects.create(
        account=account,
        uuid="00000000-0000-0000-0000-000000000001",
        email=TENANT_EMAIL,
        purpose=EmailVerification.Purpose.REGISTRATION,
        code_hash="x" * 64,
        code_expires_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    TOTPDevice.objects.create(user=user, name="Handy", confirmed=True)
    from wagtail_tenantportal.api import services as app_tokens

    app_tokens.issue(user, name="Erikas Telefon")  # an app logged in (the API's data)

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.submit_ticket(
            contract=contract,
            ticket_type=TicketType.objects.get(code="general_contact"),
            user=user,
            subject="Frage zur Nebenkostenabrechnung",
            description="Bitte rufen Sie mich an.",
            contact_phone=TENANT_PHONE,
            contact_email=TENANT_EMAIL,
            attachments=[photo("zaehler.jpg")],
        )
        staff = UserFactory(is_staff=True)
        ticket_services.post_message(
            ticket, user=staff, body="Wir melden uns.", role=TicketMessage.Role.STAFF
        )
        ticket_services.post_message(ticket, user=user, body="Danke!")
        document = document_services.publish(
            pdf_file(),
            target=party,
            category="operating_cost_statement",
            title="Betriebskostenabrechnung 2025",
        )
        document_services.record_opening(document, user)
    from wagtail_tenantportal.tenancy import services as tenancy_services

    tenancy_services.submit_bank_details_change(
        user, contract, account_holder="Erika Muster", iban="DE89370400440532013000", mandate_confirmed=True
    )
    notice = NoticeFactory(company=contract.company)
    notice_services.mark_read(notice, user)
    savings = SavingsAccountFactory(company=contract.company)
    savings.holders.add(party)
    SavingsTransactionFactory(account=savings)
    meter = Meter.objects.create(
        company=contract.company, unit=contract.unit, erp_id="Z1", kind="heating", measuring_unit="kwh"
    )
    month = max(contract.start_date, datetime.date(2025, 1, 1)).replace(day=1)
    MonthlyConsumption.objects.create(meter=meter, month=month, month_end=month, value=Decimal("120.5"))
    return user


def test_every_app_that_holds_personal_data_has_a_provider():
    assert {provider.app for provider in personal_data.providers()} == APPS
    orders = [provider.order for provider in personal_data.providers()]
    assert orders == sorted(orders)
    assert personal_data.providers()[-1].app == "accounts"  # the login goes last


def test_the_export_holds_every_apps_data_and_is_json(populated):
    export = personal_data.export_user(populated)
    assert set(export["apps"]) == APPS
    json.dumps(export)  # serialisable as it is
    apps = export["apps"]
    assert apps["accounts"]["user"]["email"] == TENANT_EMAIL
    assert apps["accounts"]["account"]["phone"] == TENANT_PHONE
    assert [consent["kind"] for consent in apps["accounts"]["account"]["consents"]] == ["privacy"]
    assert apps["accounts"]["second_factors"] == [{"kind": "TOTPDevice", "name": "Handy", "confirmed": True}]
    assert "code_hash" not in json.dumps(apps["accounts"])  # secrets are not personal data to hand out
    [request] = apps["tickets"]["requests"]
    assert request["subject"] == "Frage zur Nebenkostenabrechnung"
    assert [message["body"] for message in request["messages"]] == ["Wir melden uns.", "Danke!"]
    assert len(request["files"]) == 1
    assert [d["title"] for d in apps["documents"]["documents"]] == ["Betriebskostenabrechnung 2025"]
    assert len(apps["documents"]["read_receipts"]) == 1
    assert len(apps["notices"]["read"]) == 1
    assert apps["tenancy"]["parties"][0]["name"]
    assert len(apps["tenancy"]["contracts"]) == 1
    assert apps["tenancy"]["bank_details_changes"][0]["iban"].endswith("30 00")
    assert apps["savings"]["accounts"][0]["bookings"][0]["amount"] == "100.00"
    assert apps["consumption"]["meters"][0]["months"][0]["value"] == "120.500"


def test_the_files_of_the_export_can_be_read(populated):
    files = personal_data.export_files(populated)
    names = [entry.name for entry in files]
    assert len(names) == len(set(names)) == 2
    assert any(name.startswith("tickets/") and name.endswith("zaehler.jpg") for name in names)
    assert any(name.startswith("documents/") for name in names)
    for entry in files:
        with entry.open() as handle:
            assert handle.read(4)


def test_another_tenants_export_holds_nothing_of_this_tenant(populated):
    other, _party = tenant_for(ContractFactory())
    text = json.dumps(personal_data.export_user(other))
    assert TENANT_EMAIL not in text
    assert TENANT_PHONE not in text
    assert "Nebenkostenabrechnung" not in text
    assert personal_data.export_files(other) == []


def test_erasure_leaves_nothing_linked_to_the_login(populated):
    user = populated
    before = personal_data.remaining(user)
    assert set(before) >= {"accounts", "tickets", "notices", "documents"}

    reports = personal_data.erase_user(user)

    assert [report.app for report in reports][-1] == "accounts"
    assert personal_data.remaining(user) == {}
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    by_app = {report.app: report for report in reports}
    assert by_app["tickets"].anonymised["requests"] == 1
    assert by_app["tenancy"].kept["contracts"] == 1
    assert by_app["tenancy"].anonymised["bank_details_changes"] == 1
    assert by_app["accounts"].deleted["second_factors"] == 1


def test_erasure_keeps_the_companys_records_without_the_tenants_contact_data(populated):
    from wagtail_tenantportal.documents.models import Document, DocumentReceipt
    from wagtail_tenantportal.tickets.models import Ticket, TicketMessage

    personal_data.erase_user(populated)

    ticket = Ticket.objects.get()
    assert ticket.created_by is None
    assert (ticket.contact_phone, ticket.contact_email) == ("", "")
    assert TicketMessage.objects.filter(author__isnull=True, body="Danke!").exists()
    assert Document.objects.count() == 1
    assert DocumentReceipt.objects.get().first_opened_by is None
    # The tenant's typed-in contact data is gone from every table the portal wrote.
    assert not Ticket.objects.filter(contact_email=TENANT_EMAIL).exists()
    assert not PortalAccount.objects.filter(phone=TENANT_PHONE).exists()


def test_a_staff_login_with_a_portal_account_keeps_the_login(populated):
    populated.is_staff = True
    populated.save()
    personal_data.erase_user(populated)
    assert get_user_model().objects.filter(pk=populated.pk).exists()
    assert personal_data.remaining(populated) == {}


def test_erasure_is_one_transaction(populated, monkeypatch):
    def broken(self, user):
        raise RuntimeError("disk full")

    notices = next(p for p in personal_data.providers() if p.app == "notices")
    monkeypatch.setattr(type(notices), "erase", broken)
    with pytest.raises(RuntimeError):
        personal_data.erase_user(populated)
    assert personal_data.remaining(populated)["tickets"]["requests"] == 1  # the tickets' part rolled back


def test_a_provider_without_an_app_name_is_refused():
    class Nameless(PersonalDataProvider):
        pass

    with pytest.raises(ValueError):
        personal_data.register(Nameless)


def test_the_report_is_plain_data():
    report = ErasureReport("x", deleted={"a": 1})
    assert report.as_dict() == {"app": "x", "deleted": {"a": 1}, "anonymised": {}, "kept": {}}
