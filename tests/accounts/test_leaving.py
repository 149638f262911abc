"""Leaving the portal (accounts/leaving.py): deleting the account and exporting its data.

The tenant is the fully populated one of the personal-data protocol's tests (data in every app,
a second factor, an open request with a photo, a document, a notice read, savings, a meter).
Must show (issue 13, items 8 and 9): the export ZIP holds every app's data and the files; after
the deletion nothing of the account is linked to the login (protocol) and neither its address
nor its phone is in any column of any table (a search of the whole database); other tenants
and staff get 404 for the export; bad input changes nothing; query counts do not grow with data.
"""

import datetime
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.twofactor_helpers import now_code, wrong_code
from tests.factories import ContractFactory, UnitFactory, UserFactory, tenant_for
from tests.test_personal_data import (  # noqa: F401  (fixtures)
    APPS,
    TENANT_EMAIL,
    TENANT_PHONE,
    _private_storage,
    populated,
)
from wagtail_tenantportal.accounts import leaving
from wagtail_tenantportal.accounts.models import DataExport, PortalAccount
from wagtail_tenantportal.core import outbox, personal_data
from wagtail_tenantportal.core.outbox import OutboxMessage
from wagtail_tenantportal.core.phones import clean_phone

PASSWORD = "correct horse battery staple"
DELETE_URL = "/portal/account/delete/"
DELETED_URL = "/portal/account/deleted/"
EXPORT_URL = "/portal/account/data/"


#: The phone as typed and as the portal stores what tenants type (E.164, core.phones).
TENANT_PHONES = (TENANT_PHONE, clean_phone(TENANT_PHONE))


def url(name, **kwargs):
    return reverse(f"wagtail_tenantportal:{name}", kwargs=kwargs or None)


def portal_login(client, user):
    """A full portal session of ``user`` (verified with the second factor if it has one)."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def totp_code(user):
    return now_code(TOTPDevice.objects.get(user=user, confirmed=True))


def database_hits(*needles):
    """``(table, column, excerpt)`` of every value in any column of any table that contains one
    of ``needles`` (case-insensitive)."""
    needles = [needle.lower() for needle in needles]
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from introspection)
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if isinstance(value, str) and any(needle in value.lower() for needle in needles):
                        hits.append((table, column, value[:120]))
    return hits


@pytest.fixture
def company_mail(populated):  # noqa: F811
    company = PortalAccount.objects.get(user=populated).parties.get().company
    company.email = "mieterservice@lindenhof.example"
    company.save()
    return company


# -- deletion --------------------------------------------------------------------------------------


def test_the_account_page_offers_export_and_deletion(client, populated):  # noqa: F811
    response = portal_login(client, populated).get(url("account"))
    assert url("data_export").encode() in response.content
    assert url("delete_account").encode() in response.content


def test_the_deletion_page_says_plainly_what_goes_and_what_stays(client, populated):  # noqa: F811
    response = portal_login(client, populated).get(DELETE_URL)
    assert response.status_code == 200
    page = response.content.decode()
    preview = leaving.deletion_preview(populated)
    assert [item["label"] for item in preview.open_items] == ["Frage zur Nebenkostenabrechnung"]
    assert preview.open_items[0]["reference"] in page  # the open request, named
    assert preview.kept_requests == 1 and preview.kept_documents == 1 and preview.kept_contracts == 1
    assert 'name="code"' in page  # a second factor: a code is asked for


@pytest.mark.parametrize(
    ("password", "code", "expected"),
    [
        ("wrong password", "totp", "The password is not correct."),
        (PASSWORD, "wrong", "The code is not valid."),
        (PASSWORD, "", "Please enter a current code of your second factor."),
    ],
)
def test_bad_input_deletes_nothing_and_says_why(client, populated, password, code, expected):  # noqa: F811
    portal_login(client, populated)
    device = TOTPDevice.objects.get(user=populated)
    value = {"totp": totp_code(populated), "wrong": wrong_code(device), "": ""}[code]
    before = personal_data.remaining(populated)
    outbox_rows = OutboxMessage.objects.count()
    response = client.post(DELETE_URL, {"confirm": "on", "password": password, "code": value})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert personal_data.remaining(populated) == before
    assert OutboxMessage.objects.count() == outbox_rows  # no mail, no staff notice
    assert get_user_model().objects.filter(pk=populated.pk).exists()


def test_bad_input_is_said_in_german(client, populated):  # noqa: F811
    portal_login(client, populated)
    response = client.post(
        DELETE_URL, {"password": "falsch", "code": "123"}, headers={"Accept-Language": "de"}
    )
    page = response.content.decode()
    assert "Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten." in page


def test_wrong_passwords_are_limited_like_the_login_with_one_key(client, populated):  # noqa: F811
    portal_login(client, populated)
    for _attempt in range(5):
        client.post(DELETE_URL, {"confirm": "on", "password": "wrong", "code": totp_code(populated)})
    response = client.post(DELETE_URL, {"confirm": "on", "password": PASSWORD, "code": totp_code(populated)})
    assert "Too many attempts" in response.content.decode()
    assert get_user_model().objects.filter(pk=populated.pk).exists()
    # The same canonical key as the portal's login: the login is locked for this address too,
    # in whatever spelling it is typed.
    client.logout()
    response = client.post(url("login"), {"email": TENANT_EMAIL.upper(), "password": PASSWORD})
    assert "Too many attempts" in response.content.decode()


def test_deletion_removes_the_account_keeps_the_records_and_tells_everybody(
    client,
    populated,  # noqa: F811
    company_mail,
):
    from wagtail.models import ModelLogEntry

    from wagtail_tenantportal.tickets.models import Ticket

    portal_login(client, populated)
    ticket = Ticket.objects.get()
    mail.outbox.clear()
    response = client.post(DELETE_URL, {"confirm": "on", "password": PASSWORD, "code": totp_code(populated)})
    assert response.status_code == 302 and response["Location"] == DELETED_URL

    # The login is gone, the session ended; nothing is linked to the login any more.
    assert not get_user_model().objects.filter(pk=populated.pk).exists()
    assert "_auth_user_id" not in client.session
    assert personal_data.remaining(populated) == {}
    # The page after the deletion says it plainly, and names the open request.
    page = client.get(DELETED_URL).content.decode()
    assert "Your account has been deleted" in page and ticket.reference in page
    # The company keeps its case, still open, without the login and the typed contact data.
    ticket.refresh_from_db()
    assert not ticket.status.is_closed and ticket.created_by is None and ticket.contact_phone == ""
    # A confirmation to the address, a notice to the company's address; an audit entry per party.
    [goodbye] = [m for m in mail.outbox if TENANT_EMAIL in m.to]
    assert "deleted" in goodbye.subject and ticket.reference in goodbye.body
    [staff] = [m for m in mail.outbox if company_mail.email in m.to]
    assert ticket.reference in staff.body and ticket.contract.number in staff.body
    assert TENANT_EMAIL not in staff.body and not any(phone in staff.body for phone in TENANT_PHONES)
    assert ModelLogEntry.objects.filter(action=leaving.ACTION_ACCOUNT_DELETED).count() == 1
    # The confirmation's outbox row forgot the address once sent.
    assert not OutboxMessage.objects.filter(payload__icontains=TENANT_EMAIL).exists()


def test_after_deletion_no_trace_of_address_or_phone_in_any_table(client, populated, company_mail):  # noqa: F811
    from wagtail.log_actions import log

    from wagtail_tenantportal.accounts.flows import ACTION_EMAIL_CONFIRMED, request_password_reset

    # Mails and deferred work naming the tenant (sent ones, and one waiting for a worker), and
    # an audit entry labelled with the account (its label is the login's name: the address).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "after_commit_hook", lambda function: None)
        request_password_reset(None, TENANT_EMAIL)
    log(instance=PortalAccount.objects.get(user=populated), action=ACTION_EMAIL_CONFIRMED, user=populated)
    before = {(table, column) for table, column, _value in database_hits(TENANT_EMAIL, *TENANT_PHONES)}
    assert before >= {
        ("auth_user", "email"),
        ("tenantportal_accounts_portalaccount", "phone"),
        ("tenantportal_tickets_ticket", "contact_phone"),
        ("wagtail_tenantportal_outboxmessage", "payload"),
        ("wagtailcore_modellogentry", "label"),
    }

    portal_login(client, populated)
    client.post(DELETE_URL, {"confirm": "on", "password": PASSWORD, "code": totp_code(populated)})
    outbox.deliver_due()

    assert database_hits(TENANT_EMAIL, *TENANT_PHONES) == []
    assert personal_data.remaining(populated) == {}


def test_deletion_with_email_codes(client, db):
    from tests.accounts.twofactor_helpers import confirmed_email_device

    user, _party = tenant_for(ContractFactory(), user=UserFactory(email="ben@example.org"))
    device = confirmed_email_device(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    mail.outbox.clear()
    client.post(DELETE_URL, {"action": "send_code"})
    [message] = mail.outbox
    code = next(word for word in message.body.split() if word.isdigit() and len(word) == 6)
    response = client.post(DELETE_URL, {"confirm": "on", "password": PASSWORD, "code": code})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_deletion_without_second_factor_needs_only_the_password(client, db):
    user, _party = tenant_for(ContractFactory(), user=UserFactory(email="cem@example.org"))
    client.force_login(user)
    assert 'name="code"' not in client.get(DELETE_URL).content.decode()
    response = client.post(DELETE_URL, {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_the_page_after_deletion_is_only_for_the_session_that_deleted(client, db):
    assert client.get(DELETED_URL)["Location"] == url("login")


# -- export ----------------------------------------------------------------------------------------


def _zip_of(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_zip_of_a_populated_tenant_holds_every_apps_data(client, populated):  # noqa: F811
    portal_login(client, populated)
    mail.outbox.clear()
    response = client.post(EXPORT_URL)
    assert response.status_code == 302
    export = DataExport.objects.get(user=populated)
    assert export.state == DataExport.State.READY  # the outbox ran the deferred task
    assert export.file.name.startswith("exports/") and TENANT_EMAIL not in export.file.name
    expected_days = (export.expires_at - export.ready_at).days
    assert expected_days == 7
    [ready] = mail.outbox
    assert ready.to == [TENANT_EMAIL] and url("data_export") in ready.body

    download = client.get(url("data_export_download", export_id=export.uuid))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Cache-Control"].startswith("private, no-store")
    archive = _zip_of(download)
    data = json.loads(archive.read("data.json"))
    assert set(data["apps"]) == APPS
    apps = data["apps"]
    assert apps["accounts"]["user"]["email"] == TENANT_EMAIL
    assert apps["accounts"]["account"]["phone"] == TENANT_PHONE
    assert apps["tickets"]["requests"][0]["subject"] == "Frage zur Nebenkostenabrechnung"
    assert apps["documents"]["documents"][0]["title"] == "Betriebskostenabrechnung 2025"
    assert apps["notices"]["read"] and apps["tenancy"]["contracts"] and apps["api"]["devices"]
    assert apps["savings"]["accounts"][0]["bookings"] and apps["consumption"]["meters"][0]["months"]
    files = [name for name in archive.namelist() if name.startswith("files/")]
    assert any(name.startswith("files/tickets/") and name.endswith("zaehler.jpg") for name in files)
    assert any(name.startswith("files/documents/") for name in files)
    assert export.file_count == len(files) == 2
    for name in files:
        assert archive.read(name)


def test_asking_twice_while_one_is_prepared_starts_no_second_job(client, populated, monkeypatch):  # noqa: F811
    monkeypatch.setattr(outbox, "after_commit_hook", lambda function: None)  # no worker runs
    portal_login(client, populated)
    client.post(EXPORT_URL)
    tasks = OutboxMessage.objects.filter(channel="task", topic__endswith="build_export_task").count()
    response = client.post(EXPORT_URL, follow=True)
    assert "already being prepared" in response.content.decode()
    assert DataExport.objects.filter(user=populated).count() == 1
    assert (
        OutboxMessage.objects.filter(channel="task", topic__endswith="build_export_task").count()
        == tasks
        == 1
    )
    with pytest.raises(leaving.ExportInProgress):
        leaving.request_export(populated)


def test_only_the_owner_can_download_the_export(client, populated):  # noqa: F811
    export = leaving.request_export(populated)
    export.refresh_from_db()
    download_url = url("data_export_download", export_id=export.uuid)
    # Another tenant of the same landlord, and a tenant of another landlord.
    contract = PortalAccount.objects.get(user=populated).parties.get().contracts.get()
    neighbour, _party = tenant_for(ContractFactory(unit=UnitFactory(property=contract.unit.property)))
    stranger, _party = tenant_for(ContractFactory())
    for other in (neighbour, stranger):
        client.force_login(other)
        assert client.get(download_url).status_code == 404
        assert client.post(download_url).status_code in (404, 405)
    # Staff of the landlord and of another company: no portal session, no file; staff who are
    # tenants elsewhere: 404 as well.
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(download_url)
    assert response.status_code in (302, 403, 404) and not response.has_header("Content-Disposition")
    tenant_for(ContractFactory(), user=staff)
    client.force_login(staff)
    assert client.get(download_url).status_code == 404
    client.logout()
    assert client.get(download_url).status_code == 302  # to the login
    assert DataExport.objects.get(pk=export.pk).state == DataExport.State.READY  # unchanged


def test_expired_exports_are_deleted_with_their_files(client, populated):  # noqa: F811
    from wagtail_tenantportal.core.storage import get_private_storage

    export = leaving.request_export(populated)
    export.refresh_from_db()
    storage = get_private_storage()
    assert storage.exists(export.file.name)
    portal_login(client, populated)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(url("data_export_download", export_id=export.uuid)).status_code == 404
    call_command("tenantportal_data_exports", stdout=io.StringIO())
    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not storage.exists(export.file.name)


def test_deleting_the_account_deletes_its_exports(client, populated):  # noqa: F811
    from wagtail_tenantportal.core.storage import get_private_storage

    export = leaving.request_export(populated)
    export.refresh_from_db()
    name = export.file.name
    portal_login(client, populated)
    client.post(DELETE_URL, {"confirm": "on", "password": PASSWORD, "code": totp_code(populated)})
    assert not DataExport.objects.exists()
    # The file goes after the commit (the test's transaction: run the callback by hand).
    leaving.delete_files([name])
    assert not get_private_storage().exists(name)


def test_export_requests_are_limited_per_user(populated, settings):  # noqa: F811
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"data_export": {"limit": 2}}}
    leaving.request_export(populated)
    leaving.request_export(populated)
    with pytest.raises(leaving.TooManyAttempts):
        leaving.request_export(populated)


# -- query counts ----------------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_counts_of_the_new_pages_do_not_grow_with_data(client, populated):  # noqa: F811
    from wagtail_tenantportal.tickets import services as ticket_services
    from wagtail_tenantportal.tickets.models import TicketType

    portal_login(client, populated)
    leaving.request_export(populated)
    small = {path: _queries(client, path) for path in (DELETE_URL, EXPORT_URL)}

    contract = PortalAccount.objects.get(user=populated).parties.get().contracts.get()
    for number in range(5):
        ticket_services.submit_ticket(
            contract=contract,
            ticket_type=TicketType.objects.get(code="general_contact"),
            user=populated,
            subject=f"Frage {number}",
            description="Bitte melden.",
        )
    for _number in range(5):
        DataExport.objects.create(user=populated, state=DataExport.State.READY)
    large = {path: _queries(client, path) for path in (DELETE_URL, EXPORT_URL)}
    assert large == small, (small, large)
    assert max(small.values()) <= 30, small


def test_a_backup_code_is_recognised_whatever_method_is_chosen(client, db):
    from tests.accounts.twofactor_helpers import backup_codes, confirmed_totp

    user, _party = tenant_for(ContractFactory(), user=UserFactory(email="dora@example.org"))
    device = confirmed_totp(user)
    codes = backup_codes(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert 'name="method"' in client.get(DELETE_URL).content.decode()  # app or backup code
    response = client.post(
        DELETE_URL, {"confirm": "on", "password": PASSWORD, "method": "totp", "code": codes[0]}
    )
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_each_landlord_hears_only_of_its_own_requests(db):
    from tests.factories import CompanyFactory, PropertyFactory
    from wagtail_tenantportal.tickets import services as ticket_services
    from wagtail_tenantportal.tickets.models import TicketType

    general = TicketType.objects.get(code="general_contact")
    contracts, references = [], []
    user = UserFactory(email="emil@example.org")
    for name in ("WG Lindenhof", "Bauverein Elsteraue"):
        company = CompanyFactory(name=name, email=f"service@{name.split()[-1].lower()}.example")
        contract = ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company)))
        tenant_for(contract, user=user)
        contracts.append(contract)
    for contract in contracts:
        ticket = ticket_services.submit_ticket(
            contract=contract, ticket_type=general, user=user, subject="Frage", description="Bitte melden."
        )
        references.append(ticket.reference)
    mail.outbox.clear()
    leaving.delete_account(None, user, password=PASSWORD)
    for contract, mine, theirs in zip(contracts, references, reversed(references), strict=True):
        [staff] = [m for m in mail.outbox if contract.company.email in m.to]
        assert mine in staff.body and theirs not in staff.body
        assert contract.number in staff.body and "emil@example.org" not in staff.body
