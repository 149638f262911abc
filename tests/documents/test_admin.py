"""Staff admin: upload, inspect (who opened what), logged file views, withdrawal, bulk
distribution with its report, paper post and print batches, categories."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from tests.documents.conftest import body, download_url, login, pdf_bytes, publish, zip_bytes
from tests.factories import UserFactory
from wagtail_tenantportal.documents import services
from wagtail_tenantportal.documents.models import BulkDistribution, Document, DocumentCategory, PrintBatch

pytestmark = pytest.mark.django_db

DOCUMENTS = "/admin/tenantportal/documents/"
DISTRIBUTE = "/admin/tenantportal/document-distributions/new/"
PAPER_POST = "/admin/tenantportal/paper-post/"
PRINT_BATCHES = "/admin/tenantportal/print-batches/"
CATEGORIES = "/admin/tenantportal/document-categories/"


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def pdf_upload(text="staff", name="Schreiben.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else pdf_bytes(text), "application/pdf")


def category(key):
    return services.get_category(key).pk


class TestUpload:
    def test_staff_upload_a_document_for_a_contract(self, staff, tenant):
        response = staff.post(
            DOCUMENTS + "new/",
            {
                "contract": tenant.contract.pk,
                "category": category("letter"),
                "title": "Mieterhöhung",
                "document_date": "2026-11-01",
                "published_from": "",
                "upload": pdf_upload(),
                "notify": "on",
            },
        )
        document = Document.objects.get()
        assert response.status_code == 302 and response["Location"] == f"{DOCUMENTS}inspect/{document.pk}/"
        assert document.contract == tenant.contract and document.created_by == staff.user
        assert document.title == "Mieterhöhung" and document.source == "staff"

    def test_a_company_wide_document(self, staff, company):
        response = staff.post(
            DOCUMENTS + "new/",
            {
                "company": company.pk,
                "category": category("notice"),
                "title": "Einladung",
                "upload": pdf_upload(),
            },
        )
        assert response.status_code == 302
        assert Document.objects.get().scope == "company"

    def test_a_disguised_file_is_refused_with_a_message(self, staff, tenant):
        response = staff.post(
            DOCUMENTS + "new/",
            {
                "contract": tenant.contract.pk,
                "category": category("letter"),
                "title": "X",
                "upload": pdf_upload(content=b"MZ\x90\x00 program", name="rechnung.pdf"),
            },
        )
        assert response.status_code == 200
        assert "not a PDF" in response.content.decode()
        assert not Document.objects.exists()

    @pytest.mark.parametrize("targets", [{}, {"party": "p", "contract": "c"}])
    def test_exactly_one_target_is_needed(self, staff, tenant, targets):
        data = {"category": category("letter"), "title": "X", "upload": pdf_upload()}
        data.update({"party": tenant.party.pk} if "party" in targets else {})
        data.update({"contract": tenant.contract.pk} if "contract" in targets else {})
        response = staff.post(DOCUMENTS + "new/", data)
        assert response.status_code == 200 and not Document.objects.exists()

    def test_the_upload_form_is_prefilled_from_a_link(self, staff, tenant):
        response = staff.get(DOCUMENTS + f"new/?contract={tenant.contract.pk}")
        assert response.status_code == 200
        assert response.context["form"].initial["contract"] == str(tenant.contract.pk)


class TestInspectAndFile:
    def test_staff_see_who_opened_what(self, staff, client, tenant, documents):
        document = documents["contract"]
        tenant_client = login(type(client)(), tenant)
        tenant_client.get(download_url(document))
        staff.force_login(staff.user)
        content = staff.get(f"{DOCUMENTS}inspect/{document.pk}/").content.decode()
        assert tenant.party.full_name in content
        assert "Opened by (read receipts)" in content
        assert f"{DOCUMENTS}file/{document.pk}/" in content

    def test_every_staff_view_of_the_file_is_logged(self, staff, documents):
        document = documents["contract"]
        for _ in range(2):
            response = staff.get(f"{DOCUMENTS}file/{document.pk}/")
            assert response.status_code == 200 and body(response) == document.file.open("rb").read()
        entries = ModelLogEntry.objects.filter(action=services.ACTION_VIEWED, object_id=str(document.pk))
        assert entries.count() == 2 and {e.user for e in entries} == {staff.user}

    def test_users_without_permission_get_no_file(self, client, documents):
        client.force_login(UserFactory(is_staff=True))
        response = client.get(f"{DOCUMENTS}file/{documents['contract'].pk}/")
        assert response.status_code in (302, 403)
        assert b"%PDF" not in body(response)
        assert not ModelLogEntry.objects.filter(action=services.ACTION_VIEWED).exists()

    def test_a_tenant_cannot_use_the_staff_file_view(self, client, tenant, documents):
        response = login(client, tenant).get(f"{DOCUMENTS}file/{documents['contract'].pk}/")
        assert response.status_code in (302, 403) and b"%PDF" not in body(response)

    def test_the_listing_costs_the_same_queries_for_few_and_many(self, staff, tenant, property_):
        for n in range(3):
            publish(tenant.contract, f"a{n}")
        staff.get(DOCUMENTS)
        with CaptureQueriesContext(connection) as few:
            staff.get(DOCUMENTS)
        for n in range(3, 25):
            publish(tenant.party if n % 2 else property_, f"a{n}", category="notice")
        with CaptureQueriesContext(connection) as many:
            response = staff.get(DOCUMENTS)
        assert response.status_code == 200
        assert len(many) == len(few)

    def test_documents_cannot_be_deleted_only_withdrawn(self, staff, documents):
        document = documents["contract"]
        assert staff.get(f"{DOCUMENTS}delete/{document.pk}/").status_code == 404
        response = staff.post(f"{DOCUMENTS}withdraw/{document.pk}/", {"reason": "Falscher Vertrag"})
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.withdrawn_at and document.withdrawal_reason == "Falscher Vertrag"
        assert (
            staff.post(f"{DOCUMENTS}withdraw/{document.pk}/", {"reason": ""}).status_code == 200
        )  # reason required


class TestBulkScreen:
    def post(self, staff, data, **extra):
        return staff.post(
            DISTRIBUTE,
            {
                "zip_file": SimpleUploadedFile("bk.zip", data, "application/zip"),
                "category": category("operating_cost_statement"),
                "title": "BK 2025",
                "pattern": r"^(?P<contract>[^_\s]+)(?:[_\s].*)?\.pdf$",
                "notify": "on",
                **extra,
            },
        )

    def test_the_report_shows_what_happened(self, staff, tenant, neighbour):
        data = zip_bytes(
            {
                "100001_BK.pdf": pdf_bytes("a"),
                "100002_BK.pdf": pdf_bytes("b"),
                "555_BK.pdf": pdf_bytes("c"),
                "../x.pdf": b"x",
            }
        )
        response = self.post(staff, data)
        content = response.content.decode()
        assert response.status_code == 200
        assert '<tr data-count="published"><th scope="row">Published</th><td>2</td>' in content
        assert 'data-kind="no_contract"' in content and "555_BK.pdf" in content
        assert 'data-kind="unsafe_name"' in content
        run = BulkDistribution.objects.get()
        inspect = staff.get(f"/admin/tenantportal/document-distributions/inspect/{run.pk}/").content.decode()
        assert "555_BK.pdf" in inspect and run.user == staff.user

    @pytest.mark.parametrize("data", [b"kaputt", zip_bytes({"a.pdf": b"x"})[:20]])
    def test_a_broken_upload_is_reported_never_a_500(self, staff, tenant, data):
        response = self.post(staff, data)
        assert response.status_code == 200
        assert "not a ZIP file" in response.content.decode()
        assert not Document.objects.exists()

    def test_an_empty_upload_is_a_form_error(self, staff, tenant):
        response = self.post(staff, b"")
        assert response.status_code == 200 and "empty" in response.content.decode()
        assert not BulkDistribution.objects.exists()

    def test_an_invalid_pattern_is_a_form_error(self, staff, tenant):
        response = self.post(staff, zip_bytes({"100001.pdf": pdf_bytes("a")}), pattern="(?P<x>")
        assert response.status_code == 200 and not BulkDistribution.objects.exists()

    def test_an_upload_over_the_limit_is_a_form_error(self, staff, tenant, settings):
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_BULK_MAX_UPLOAD_MB": 0.0001}
        response = self.post(staff, zip_bytes({"100001.pdf": pdf_bytes("a")}))
        assert response.status_code == 200 and "larger than" in response.content.decode()
        assert not BulkDistribution.objects.exists()

    def test_only_staff_who_may_add_distributions(self, client, tenant):
        editor = UserFactory(is_staff=True)
        group = Group.objects.create(name="Redaktion")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        editor.groups.add(group)
        client.force_login(editor)
        response = client.post(DISTRIBUTE, {"zip_file": SimpleUploadedFile("bk.zip", b"x")})
        assert response.status_code in (302, 403)
        assert not BulkDistribution.objects.exists()


class TestPaperPost:
    def test_the_print_list_batch_and_its_file(self, staff, tenant, neighbour):
        publish(neighbour.contract, "post", title="BK Nachbar")
        publish(tenant.contract, "portal", title="BK Erika")  # consent: no paper
        content = staff.get(PAPER_POST).content.decode()
        assert "BK Nachbar" in content and "BK Erika" not in content
        export = staff.get(PAPER_POST + "?export=csv")
        assert export.status_code == 200
        csv_text = (
            b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
        )
        assert neighbour.party.last_name in csv_text and "Lindenstraße" in csv_text
        response = staff.post(PRINT_BATCHES + "new/", {"company": ""})
        assert response.status_code == 302
        batch = PrintBatch.objects.get()
        assert batch.document_count == 1 and batch.created_by == staff.user
        pdf = staff.get(f"{PRINT_BATCHES}file/{batch.pk}/")
        assert body(pdf).startswith(b"%PDF")
        assert "BK Nachbar" not in staff.get(PAPER_POST).content.decode()

    def test_nothing_to_print(self, staff, tenant):
        response = staff.post(PRINT_BATCHES + "new/", {"company": ""}, follow=True)
        assert response.status_code == 200 and "No documents are waiting" in response.content.decode()


class TestCategories:
    def test_editors_add_a_category(self, staff):
        response = staff.post(
            CATEGORIES + "new/", {"key": "modernisation", "name": "Modernisierung", "sort_order": 5}
        )
        assert response.status_code == 302
        assert DocumentCategory.objects.get(key="modernisation").display_name == "Modernisierung"
        assert "Modernisierung" in staff.get(CATEGORIES).content.decode()

    def test_a_new_category_needs_a_name(self, staff):
        response = staff.post(CATEGORIES + "new/", {"key": "ohne", "name": "", "sort_order": 5})
        assert response.status_code == 200 and not DocumentCategory.objects.filter(key="ohne").exists()

    def test_a_category_in_use_cannot_be_deleted(self, staff, documents):
        used = documents["contract"].category
        response = staff.post(f"{CATEGORIES}delete/{used.pk}/")
        assert DocumentCategory.objects.filter(pk=used.pk).exists()
        assert response.status_code in (200, 302)


def test_the_menu_group_lists_the_document_screens(staff):
    content = staff.get("/admin/").content.decode()
    for label in ("Documents", "Bulk distribution", "Paper post", "Document categories"):
        assert label in content
