"""Document requests: the catalogue per company, the tenant's request, the staff upload that
lands in the tenant's documents with a mail, the rejection, the REST API; every action as
another tenant and another company's staff; constant query counts; the starter permit types."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import API, client_for, token_for
from tests.documents.conftest import login, pdf_bytes, pdf_file
from tests.factories import staff_for
from wagtail_tenantportal.documents import doc_requests
from wagtail_tenantportal.documents.files import DocumentRejected
from wagtail_tenantportal.documents.models import Document, DocumentRequest, DocumentRequestType
from wagtail_tenantportal.documents.publishing import get_category
from wagtail_tenantportal.tickets.inputs import clean_form_data
from wagtail_tenantportal.tickets.models import TicketType

pytestmark = pytest.mark.django_db

PAGE = "/portal/documents/requests/"
ADMIN = "/admin/tenantportal/document-requests/"
PERMS = (
    "access_admin",
    "tenantportal_documents.view_documentrequest",
    "tenantportal_documents.change_documentrequest",
    "tenantportal_documents.add_documentrequesttype",
    "tenantportal_documents.view_documentrequesttype",
)


@pytest.fixture
def catalogue(company):
    doc_requests.standard_catalogue(company)
    return {t.name: t for t in DocumentRequestType.objects.filter(company=company)}


@pytest.fixture
def foreign_catalogue(stranger):
    doc_requests.standard_catalogue(stranger.contract.company)
    return DocumentRequestType.objects.filter(company=stranger.contract.company)


@pytest.fixture
def staff(company):
    return staff_for(company, perms=PERMS, username="lindenhof-staff")


@pytest.fixture
def foreign_staff(stranger):
    return staff_for(stranger.contract.company, perms=PERMS, username="andere-staff")


def request_copy(tenant, catalogue, note=""):
    return doc_requests.submit_request(
        tenant.user, tenant.contract.pk, catalogue["Kopie des Mietvertrags"].pk, note
    )


class TestCatalogue:
    def test_the_standard_entries_are_added_once(self, company):
        assert doc_requests.standard_catalogue(company) == len(doc_requests.STANDARD_CATALOGUE)
        assert doc_requests.standard_catalogue(company) == 0
        names = set(DocumentRequestType.objects.values_list("name", flat=True))
        assert {"Kopie des Mietvertrags", "Hausordnung"} <= names

    def test_tenants_see_their_companys_active_entries_only(self, tenant, catalogue, foreign_catalogue):
        catalogue["Hausordnung"].active = False
        catalogue["Hausordnung"].save()
        [(contract, types)] = doc_requests.request_choices(tenant.user)
        assert contract == tenant.contract
        assert "Hausordnung" not in {t.name for t in types}
        assert not {t.pk for t in types} & {t.pk for t in foreign_catalogue}


class TestSubmit:
    def test_a_request_is_recorded(self, tenant, catalogue):
        req = request_copy(tenant, catalogue, note="Bitte mit Nachtrag von 2019")
        assert req.status == "open" and req.company == tenant.contract.company
        assert req.requested_by == tenant.user

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"contract": "x"}, "contract"),
            ({"request_type": 0}, "request_type"),
            ({"note": "x" * 1001}, "note"),
            ({"note": "a\x00b"}, "note"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_saved(self, tenant, catalogue, change, field):
        values = {
            "contract": tenant.contract.pk,
            "request_type": catalogue["Hausordnung"].pk,
            "note": "",
            **change,
        }
        with pytest.raises(Exception) as info:
            doc_requests.submit_request(
                tenant.user, values["contract"], values["request_type"], values["note"]
            )
        assert field in info.value.message_dict
        assert not DocumentRequest.objects.exists()

    def test_the_same_open_request_twice_is_refused(self, tenant, catalogue):
        request_copy(tenant, catalogue)
        with pytest.raises(Exception) as info:
            request_copy(tenant, catalogue)
        assert "already requested" in info.value.message_dict["request_type"][0]
        assert DocumentRequest.objects.count() == 1

    def test_another_tenant_cannot_request_for_the_contract_nor_use_another_catalogue(
        self, tenant, stranger, catalogue, foreign_catalogue
    ):
        with pytest.raises(Exception) as info:
            doc_requests.submit_request(stranger.user, tenant.contract.pk, foreign_catalogue[0].pk)
        assert "contract" in info.value.message_dict
        with pytest.raises(Exception) as info:
            doc_requests.submit_request(tenant.user, tenant.contract.pk, foreign_catalogue[0].pk)
        assert "request_type" in info.value.message_dict
        assert not DocumentRequest.objects.exists()


class TestTenantPage:
    def test_request_and_see_the_state(self, client, tenant, catalogue):
        login(client, tenant)
        page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "Kopie des Mietvertrags" in page
        response = client.post(
            PAGE, {"contract": tenant.contract.pk, "request_type": catalogue["Hausordnung"].pk, "note": ""}
        )
        assert response.status_code == 302
        page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "Angefordert" in page

    def test_a_bad_choice_shows_the_error_summary(self, client, tenant, catalogue, foreign_catalogue):
        login(client, tenant)
        response = client.post(
            PAGE, {"contract": tenant.contract.pk, "request_type": foreign_catalogue[0].pk}
        )
        assert response.status_code == 200 and "tp-error-summary" in response.content.decode()
        assert not DocumentRequest.objects.exists()

    def test_another_tenant_does_not_see_the_request(self, client, tenant, stranger, neighbour, catalogue):
        request_copy(tenant, catalogue, note="Geheimnis-Erika")
        for other in (stranger, neighbour):
            assert "Geheimnis-Erika" not in login(client, other).get(PAGE).content.decode()

    def test_the_documents_page_links_to_the_catalogue(self, client, tenant):
        assert PAGE in login(client, tenant).get("/portal/documents/").content.decode()

    def test_queries_constant_in_the_number_of_requests(self, client, tenant, catalogue, staff):
        login(client, tenant)
        client.get(PAGE)

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(PAGE).status_code == 200
            return len(queries)

        few = count()
        for index, entry in enumerate(catalogue.values()):
            req = doc_requests.submit_request(tenant.user, tenant.contract.pk, entry.pk, f"Nr. {index}")
            if index % 2:
                doc_requests.fulfil_request(req, pdf_file(f"Dokument {index}"), user=staff)
        many = count()
        assert many == few, (few, many)
        print(f"\ndocument request page: {few} queries without requests, {many} with {len(catalogue)}")


class TestStaff:
    def url(self, req, action):
        return f"{ADMIN}{action}/{req.pk}/"

    def test_an_upload_lands_in_the_tenants_documents_with_a_mail(
        self, client, tenant, catalogue, staff, django_capture_on_commit_callbacks
    ):
        req = request_copy(tenant, catalogue)
        client.force_login(staff)
        assert client.get(self.url(req, "fulfil")).status_code == 200
        upload = SimpleUploadedFile(
            "mietvertrag.pdf", pdf_bytes("Mietvertrag"), content_type="application/pdf"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self.url(req, "fulfil"), {"upload": upload, "title": ""})
        assert response.status_code == 302
        req.refresh_from_db()
        assert req.status == "fulfilled"
        document = Document.objects.visible_to(tenant.user).get()
        assert document == req.document and document.title == "Kopie des Mietvertrags"
        assert document.category == get_category("tenancy_agreement")
        assert [m.to for m in mail.outbox] == [["erika@example.org"]]
        page = login(client, tenant).get(PAGE).content.decode()
        assert str(document.uuid) in page

    def test_a_file_that_is_no_pdf_is_refused_and_nothing_saved(self, client, tenant, catalogue, staff):
        req = request_copy(tenant, catalogue)
        client.force_login(staff)
        upload = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
        response = client.post(self.url(req, "fulfil"), {"upload": upload})
        assert response.status_code == 200
        req.refresh_from_db()
        assert req.status == "open" and not Document.objects.exists()
        with pytest.raises(DocumentRejected):
            doc_requests.fulfil_request(req, SimpleUploadedFile("y.pdf", b"%PDF-"), user=staff)
        req.refresh_from_db()
        assert req.status == "open"

    def test_reject_with_a_reason(self, client, tenant, catalogue, staff):
        req = request_copy(tenant, catalogue)
        client.force_login(staff)
        client.post(self.url(req, "reject"), {"reason": "Liegt Ihnen bereits vor"})
        req.refresh_from_db()
        assert req.status == "rejected" and req.reason == "Liegt Ihnen bereits vor"
        assert "Liegt Ihnen bereits vor" in login(client, tenant).get(PAGE).content.decode()

    def test_another_companys_staff_get_404(self, client, tenant, catalogue, foreign_staff):
        req = request_copy(tenant, catalogue, note="Geheimnis-Erika")
        client.force_login(foreign_staff)
        upload = SimpleUploadedFile("m.pdf", pdf_bytes("M"), content_type="application/pdf")
        statuses = [
            client.get(f"{ADMIN}inspect/{req.pk}/").status_code,
            client.get(self.url(req, "fulfil")).status_code,
            client.post(self.url(req, "fulfil"), {"upload": upload}).status_code,
            client.post(self.url(req, "reject"), {"reason": "x"}).status_code,
            client.get(
                f"/admin/tenantportal/document-request-types/edit/{catalogue['Hausordnung'].pk}/"
            ).status_code,
        ]
        assert statuses == [404, 404, 404, 404, 404]
        assert "Geheimnis-Erika" not in client.get(ADMIN).content.decode()
        req.refresh_from_db()
        assert req.status == "open" and not Document.objects.exists()

    def test_the_standard_entries_are_added_for_the_staffs_companies(self, client, company, staff, stranger):
        client.force_login(staff)
        assert client.post("/admin/tenantportal/document-request-types/standard/").status_code == 302
        assert set(DocumentRequestType.objects.values_list("company", flat=True)) == {company.pk}


class TestApi:
    URL = API + "document-requests/"

    def test_get_and_post(self, tenant, catalogue):
        api = client_for(token_for(tenant.user))
        data = api.get(self.URL).json()
        assert data["catalogue"][0]["contract_number"] == "100001"
        entry = catalogue["Hausordnung"].pk
        response = api.post(self.URL, {"contract": tenant.contract.pk, "request_type": entry}, format="json")
        assert response.status_code == 201 and response.json()["status"] == "open"
        again = api.post(self.URL, {"contract": tenant.contract.pk, "request_type": entry}, format="json")
        assert again.status_code == 400 and "request_type" in again.json()["fields"]

    def test_another_tenant_gets_nothing(self, tenant, stranger, catalogue):
        request_copy(tenant, catalogue, note="Geheimnis-Erika")
        api = client_for(token_for(stranger.user))
        assert "Geheimnis-Erika" not in api.get(self.URL).content.decode()
        response = api.post(
            self.URL,
            {"contract": tenant.contract.pk, "request_type": catalogue["Hausordnung"].pk},
            format="json",
        )
        assert response.status_code == 400 and "contract" in response.json()["fields"]
        assert DocumentRequest.objects.count() == 1


class TestStarterPermitTypes:
    def test_the_permit_types_with_their_own_fields_are_seeded(self):
        names = dict(
            TicketType.objects.filter(code__in=["pet_permit", "sublet_permit", "satellite_dish"]).values_list(
                "code", "name"
            )
        )
        assert names == {
            "pet_permit": "Antrag auf Tierhaltung",
            "sublet_permit": "Antrag auf Untervermietung",
            "satellite_dish": "Antrag auf Anbringung einer Parabolantenne",
        }
        pets = TicketType.objects.get(code="pet_permit")
        answers, errors = clean_form_data(pets, {"animal": "Hund", "details": "Labrador"})
        assert not errors and answers[0]["value"] == "Hund"
        answers, errors = clean_form_data(pets, {"animal": "Krokodil"})
        assert set(errors) == {"animal", "details"}


def test_a_request_is_an_erp_event_for_a_company_with_a_connection(tenant, catalogue):
    from wagtail_tenantportal.core.outbox_models import OutboxMessage
    from wagtail_tenantportal.erp.events import DOCUMENT_REQUESTED
    from wagtail_tenantportal.erp.models import DUMMY_CONNECTOR, Connection

    request_copy(tenant, catalogue)  # no connection: nothing for the ERP
    assert not OutboxMessage.objects.filter(channel="erp").exists()
    Connection.objects.create(
        company=tenant.contract.company, name="ERP", connector={"CLASS": DUMMY_CONNECTOR, "OPTIONS": {}}
    )
    req = doc_requests.submit_request(
        tenant.user, tenant.contract.pk, catalogue["Hausordnung"].pk, "Bitte per Post."
    )
    (event,) = OutboxMessage.objects.filter(channel="erp")
    assert event.topic == DOCUMENT_REQUESTED and event.stream == f"contract:{tenant.contract.pk}"
    data = event.payload["data"]
    assert data["id"] == req.pk and data["contract"]["number"] == tenant.contract.number
    assert data["document"]["name"] == "Hausordnung" and data["note"] == "Bitte per Post."
