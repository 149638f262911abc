"""The admin upload of ERP master-data files ("Import master data"), run against the real importer."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import CompanyFactory, UserFactory, staff_for
from wagtail_tenantportal.tenancy import models as m

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/tenantportal/import/"

COMPANIES = "erp_id,name,legal_form,street,postal_code,city\nM01,Wohnungsgenossenschaft Lindenau,eG,Hauptstraße 1,04109,Leipzig\n"
PROPERTIES = (
    "company,erp_id,name,street,postal_code,city\nM01,WE01,Wohnanlage Am Park,Parkstraße 1-5,04109,Leipzig\n"
)
UNITS = "company,erp_id,property,kind,number,floor\nM01,E001,WE01,flat,001,EG links\nM01,E002,WE01,flat,002,1. OG\n"
CONTRACTS_GOOD = "company,number,kind,unit,start_date\nM01,1000001,rental,E001,2020-01-01\nM01,1000002,rental,E002,2021-04-01\n"
CONTRACTS_ONE_BAD = CONTRACTS_GOOD + "M01,1000003,rental,E999,2022-01-01\n"


def csv_file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def export(contracts=CONTRACTS_GOOD):
    return [
        csv_file("companies.csv", COMPANIES),
        csv_file("properties.csv", PROPERTIES),
        csv_file("units.csv", UNITS),
        csv_file("contracts.csv", contracts),
    ]


def upload(client, files, **options):
    data = {"files": files}
    data.update({name: "on" for name, value in options.items() if value})
    return client.post(UPLOAD_URL, data)


@pytest.fixture
def superuser():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


def summary_row(response, entity):
    return next(row for row in response.context["summary_rows"] if row["entity"] == entity)


def test_upload_url_is_the_viewset_url():
    assert reverse("tenantportal_import:index") == UPLOAD_URL


def test_form_renders(staff_client):
    response = staff_client.get(UPLOAD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and "multiple" in html
    assert 'name="dry_run"' in html and 'name="partial"' in html


def test_good_files_are_imported_and_summarised(staff_client, superuser):
    response = upload(staff_client, export())
    assert response.status_code == 200
    assert response.context["result"].committed
    assert summary_row(response, "Contracts")["created"] == 2
    assert summary_row(response, "Units")["created"] == 2
    assert m.Contract.objects.count() == 2
    run = m.ImportRun.objects.get()
    assert (run.source, run.user, run.committed) == (m.ImportRun.Source.ADMIN, superuser, True)
    html = response.content.decode()
    assert reverse("tenantportal_importrun:inspect", args=[run.pk]) in html
    assert "data-import-summary" in html


def test_bad_row_is_shown_and_nothing_is_imported(staff_client):
    response = upload(staff_client, export(CONTRACTS_ONE_BAD))
    assert response.status_code == 200
    assert not response.context["result"].committed
    errors = response.context["error_rows"]
    assert [(e["file"], e["line"]) for e in errors] == [("contracts.csv", 4)]
    assert "E999" in errors[0]["message"]
    html = response.content.decode()
    assert "contracts.csv" in html and "E999" in html
    assert m.Company.objects.count() == 0
    assert m.Contract.objects.count() == 0


def test_partial_import_saves_the_good_rows(staff_client):
    response = upload(staff_client, export(CONTRACTS_ONE_BAD), partial=True)
    assert response.context["result"].committed
    assert summary_row(response, "Contracts")["rejected"] == 1
    assert sorted(m.Contract.objects.values_list("number", flat=True)) == ["1000001", "1000002"]


def test_dry_run_writes_nothing(staff_client):
    response = upload(staff_client, export(), dry_run=True)
    result = response.context["result"]
    assert result.dry_run and not result.committed
    assert summary_row(response, "Contracts")["created"] == 2
    assert m.Company.objects.count() == 0
    assert m.Contract.objects.count() == 0
    # The form keeps the dry-run option ticked for the next upload.
    assert response.context["form"].initial["dry_run"] is True


def test_second_upload_reports_unchanged_rows(staff_client):
    upload(staff_client, export())
    response = upload(staff_client, export())
    assert summary_row(response, "Contracts")["unchanged"] == 2
    assert m.Contract.objects.count() == 2


def test_unknown_file_name_is_a_form_error(staff_client):
    response = upload(staff_client, [csv_file("vertraege_2024.csv", CONTRACTS_GOOD)])
    assert response.status_code == 200
    assert "result" not in response.context
    assert "vertraege_2024.csv" in " ".join(response.context["form"].errors["files"])
    assert not m.ImportRun.objects.exists()


def test_two_files_of_one_kind_are_a_form_error(staff_client):
    response = upload(
        staff_client, [csv_file("contracts.csv", CONTRACTS_GOOD), csv_file("Contracts.CSV", CONTRACTS_GOOD)]
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not m.ImportRun.objects.exists()


def test_too_big_upload_is_a_form_error(staff_client, settings):
    settings.WAGTAIL_TENANTPORTAL = {"IMPORT_MAX_UPLOAD_MB": 1}
    big = CONTRACTS_GOOD + "".join(f"M01,{2000000 + i},rental,E001,2020-01-01\n" for i in range(40000))
    assert len(big.encode()) > 1024 * 1024
    response = upload(staff_client, [csv_file("contracts.csv", big)])
    assert response.status_code == 200
    assert "1 MB" in " ".join(response.context["form"].errors["files"])
    assert not m.ImportRun.objects.exists()


def test_no_file_is_a_form_error(staff_client):
    response = staff_client.post(UPLOAD_URL, {"dry_run": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["files"]


class TestAccess:
    def test_non_staff_user_is_sent_to_login(self, client):
        client.force_login(UserFactory())
        for response in (client.get(UPLOAD_URL), upload(client, export())):
            assert response.status_code == 302
            assert response.url.startswith(reverse("wagtailadmin_login"))
        assert not m.Company.objects.exists()

    def test_admin_user_without_import_permission_is_refused(self, client):
        user = UserFactory()
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        assert UPLOAD_URL not in client.get(reverse("wagtailadmin_home")).content.decode()
        response = upload(client, export())
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
        assert not m.Company.objects.exists()

    def test_admin_user_with_import_permission_may_upload(self, client):
        # Staff import for a company they work for (core.scope); superusers for any.
        company = CompanyFactory(erp_id="M01")
        user = staff_for(company, perms=("access_admin", "add_importrun"))
        client.force_login(user)
        assert UPLOAD_URL in client.get(reverse("wagtailadmin_home")).content.decode()
        response = client.post(UPLOAD_URL, {"files": export(), "company": company.pk})
        assert response.status_code == 200
        assert m.Contract.objects.count() == 2
        assert m.ImportRun.objects.get().company == company
