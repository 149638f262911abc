"""The admin upload of savings CSV files ("Import savings data"), through the generic upload page."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory
from tests.savings.test_import import ACCOUNTS, EXEMPTIONS, HOLDERS, TRANSACTIONS, master_data  # noqa: F401
from wagtail_tenantportal.savings.models import SavingsAccount, SavingsTransaction

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/tenantportal/savings-import/"


def csv_file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def export(transactions=TRANSACTIONS):
    return [
        csv_file("savings_accounts.csv", ACCOUNTS),
        csv_file("savings_holders.csv", HOLDERS),
        csv_file("savings_transactions.csv", transactions),
        csv_file("exemption_orders.csv", EXEMPTIONS),
    ]


def upload(client, files, **options):
    data = {"files": files}
    data.update({name: "on" for name, value in options.items() if value})
    return client.post(UPLOAD_URL, data)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def row(response, entity):
    return next(r for r in response.context["summary_rows"] if r["entity"] == entity)


def test_url_and_menu_entry(staff_client):
    assert reverse("tenantportal_savings_import:index") == UPLOAD_URL
    page = staff_client.get(UPLOAD_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "savings_transactions.csv" in html and "tenantportal_import_savings" in html
    assert UPLOAD_URL in staff_client.get("/admin/").content.decode()


def test_valid_files_are_saved_and_summarised(staff_client, master_data):  # noqa: F811
    response = upload(staff_client, export())
    assert response.status_code == 200
    result = response.context["result"]
    assert result.committed and not result.errors
    assert SavingsAccount.objects.count() == 2 and SavingsTransaction.objects.count() == 4
    assert row(response, "Savings accounts")["created"] == 2
    html = response.content.decode()
    assert "data-import-summary" in html and "The import was saved." in html


def test_dry_run_saves_nothing(staff_client, master_data):  # noqa: F811
    response = upload(staff_client, export(), dry_run=True)
    assert response.context["result"].dry_run
    assert row(response, "Savings accounts")["created"] == 2
    assert not SavingsAccount.objects.exists()
    assert "Dry run: nothing was saved." in response.content.decode()


def test_errors_are_listed_with_file_line_and_reason(staff_client, master_data):  # noqa: F811
    bad = TRANSACTIONS + "LH;S-9;U9;01.01.2025;;1,00;1,00;;;\n"
    response = upload(staff_client, export(bad))
    assert not SavingsAccount.objects.exists()
    [error] = response.context["error_rows"]
    assert error["file"] == "savings_transactions.csv" and error["line"] == 6 and "S-9" in error["message"]
    html = response.content.decode()
    assert "data-import-errors" in html and "Nothing was saved" in html

    partial = upload(staff_client, export(bad), partial=True)
    assert partial.context["result"].committed and SavingsTransaction.objects.count() == 4


def test_unknown_file_name_is_refused_by_the_form(staff_client, master_data):  # noqa: F811
    response = upload(staff_client, [csv_file("umsaetze.csv", TRANSACTIONS)])
    assert "result" not in response.context
    assert "savings_transactions.csv" in str(response.context["form"].errors["files"])


def test_staff_without_permission_is_refused(client, master_data):  # noqa: F811
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(UPLOAD_URL).status_code in (302, 403)
    assert upload(client, export()).status_code in (302, 403)
    assert not SavingsAccount.objects.exists()
    assert UPLOAD_URL not in client.get("/admin/").content.decode()

    group = Group.objects.create(name="Sparverwaltung")
    group.permissions.add(Permission.objects.get(codename="add_savingsaccount"))
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get(UPLOAD_URL).status_code == 200
