"""The tenant's document list, the "My documents" page type and block."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, Site

from tests.documents.conftest import download_url, login, publish
from wagtail_tenantportal.documents.blocks import MyDocumentsBlock
from wagtail_tenantportal.documents.pages import DocumentsPage

pytestmark = pytest.mark.django_db

LIST_URL = "/portal/documents/"


def page_text(response):
    return response.content.decode()


class TestDocumentList:
    def test_grouped_by_contract_building_personal_and_company(self, client, tenant, documents):
        content = page_text(login(client, tenant).get(LIST_URL))
        positions = [
            content.index("Contract 100001"),
            content.index("Your building"),
            content.index("Personal documents"),
            content.index("From Wohnungsgenossenschaft Lindenhof"),
        ]
        assert positions == sorted(positions)
        for scope in ("party", "contract", "property", "company"):
            assert download_url(documents[scope]) in content
        assert download_url(documents["neighbour"]) not in content
        assert "<caption>Operating cost statement</caption>" in content
        assert content.count('class="tp-badge"') == 4

    def test_opening_a_document_removes_its_new_badge(self, client, tenant, documents):
        login(client, tenant).get(download_url(documents["contract"]))
        content = page_text(client.get(LIST_URL))
        assert content.count('class="tp-badge"') == 3
        assert "Opened" in content

    def test_filter_by_year_search_and_category(self, client, tenant):
        login(client, tenant)
        publish(
            tenant.contract,
            "alt",
            title="BK 2023",
            category="operating_cost_statement",
            document_date=datetime.date(2024, 6, 1),
        )
        publish(
            tenant.contract,
            "neu",
            title="BK 2024",
            category="operating_cost_statement",
            document_date=datetime.date(2025, 6, 1),
        )
        publish(
            tenant.party,
            "brief",
            title="Mieterhöhung",
            category="letter",
            document_date=datetime.date(2025, 3, 1),
        )
        content = page_text(client.get(LIST_URL, {"year": "2025"}))
        assert "BK 2024" in content and "Mieterhöhung" in content and "BK 2023" not in content
        assert '<option value="2024">' in content  # every year with documents is offered
        content = page_text(client.get(LIST_URL, {"q": "erhöhung"}))
        assert "Mieterhöhung" in content and "BK 202" not in content
        content = page_text(client.get(LIST_URL, {"q": "operating cost"}))  # a built-in category's name
        assert "BK 2023" in content and "Mieterhöhung" not in content
        content = page_text(client.get(LIST_URL, {"category": "letter"}))
        assert "Mieterhöhung" in content and "BK 2024" not in content
        content = page_text(client.get(LIST_URL, {"q": "nichts davon"}))
        assert "No documents match your filter." in content

    @pytest.mark.parametrize(
        "query", [{"year": "abc"}, {"year": "1800"}, {"category": "<script>"}, {"q": "x" * 500}]
    )
    def test_bad_filter_values_show_the_form_error_not_a_500(self, client, tenant, documents, query):
        response = login(client, tenant).get(LIST_URL, query)
        assert response.status_code == 200
        assert "<script>" not in page_text(response)

    def test_no_documents_yet(self, client, tenant):
        content = page_text(login(client, tenant).get(LIST_URL))
        assert "There are no documents for you yet." in content

    def test_the_list_costs_the_same_queries_for_3_or_30_documents(self, client, tenant):
        login(client, tenant)
        for n in range(3):
            publish(tenant.contract, f"a{n}", title=f"Dokument {n}")
        client.get(LIST_URL)  # warm up (session, content types)
        with CaptureQueriesContext(connection) as few:
            client.get(LIST_URL)
        for n in range(3, 30):
            publish(
                tenant.contract if n % 2 else tenant.party,
                f"a{n}",
                title=f"Dokument {n}",
                category="letter" if n % 3 else "notice",
            )
        with CaptureQueriesContext(connection) as many:
            response = client.get(LIST_URL)
        assert page_text(response).count("/portal/documents/") >= 30
        assert len(many) == len(few)

    def test_not_for_anonymous_or_unverified_sessions(self, client, tenant, documents):
        response = client.get(LIST_URL)
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
        tenant.user.tenantportal_account.__class__.objects.filter(user=tenant.user).update(
            email_verified_at=None
        )
        response = login(client, tenant).get(LIST_URL)
        assert response.status_code == 302 and documents["contract"].title not in page_text(response)

    def test_the_response_is_never_cached(self, client, tenant):
        response = login(client, tenant).get(LIST_URL)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.fixture
def documents_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    return root.add_child(instance=DocumentsPage(title="Meine Dokumente", slug="meine-dokumente"))


class TestDocumentsPage:
    def test_anonymous_visitors_see_a_login_prompt_leading_back(self, client, documents_page, documents):
        response = client.get(documents_page.url)
        content = page_text(response)
        assert response.status_code == 200
        assert "/portal/login/?next=%2Fmeine-dokumente%2F" in content
        assert "BK 2025" not in content

    def test_a_half_verified_session_sees_its_next_step(self, client, tenant, documents_page, documents):
        tenant.user.tenantportal_account.__class__.objects.filter(user=tenant.user).update(
            email_verified_at=None
        )
        content = page_text(login(client, tenant).get(documents_page.url))
        assert "/portal/verify/code/?next=%2Fmeine-dokumente%2F" in content
        assert "BK 2025" not in content

    def test_a_tenant_sees_the_documents(self, client, tenant, documents_page, documents):
        response = login(client, tenant).get(documents_page.url)
        content = page_text(response)
        assert "Meine Dokumente" in content and download_url(documents["contract"]) in content
        assert download_url(documents["neighbour"]) not in content
        assert "no-store" in response["Cache-Control"]

    def test_the_certificate_link_can_be_switched_off(self, client, tenant, documents_page, documents):
        login(client, tenant)
        assert "/portal/documents/certificates/" in page_text(client.get(documents_page.url))
        documents_page.show_certificates = False
        documents_page.save_revision().publish()
        assert "/portal/documents/certificates/" not in page_text(client.get(documents_page.url))

    def test_one_page_per_parent(self, documents_page):
        assert not DocumentsPage.can_create_at(documents_page.get_parent())
        other = documents_page.get_parent().add_child(instance=Page(title="Andere", slug="andere"))
        assert DocumentsPage.can_create_at(other)

    def test_notices_link_to_the_page(self, tenant, documents_page):
        from wagtail_tenantportal.documents.services import documents_url

        assert documents_url().endswith("/meine-dokumente/")


def render_block(request, **value):
    block = MyDocumentsBlock()
    return block.render(
        block.to_python({"heading": "Meine Dokumente", "limit": 2, **value}), context={"request": request}
    )


class TestMyDocumentsBlock:
    def request(self, user=None):
        from django.contrib.auth.models import AnonymousUser
        from django.contrib.sessions.backends.db import SessionStore

        request = RequestFactory().get("/start/")
        request.user = user or AnonymousUser()
        request.session = SessionStore()
        return request

    def test_shows_the_latest_documents_with_badges(self, tenant, documents):
        html = render_block(self.request(tenant.user))
        assert html.count("<li>") == 2
        assert "New" in html and "/portal/documents/" in html

    def test_anonymous_visitors_get_a_prompt(self, documents):
        html = render_block(self.request())
        assert "/portal/login/?next=%2Fstart%2F" in html and "BK 2025" not in html

    def test_without_a_request_it_says_so(self, documents):
        block = MyDocumentsBlock()
        html = block.render(block.to_python({"heading": "x"}))
        assert "include_block" in html


def test_scheduled_documents_are_not_listed(client, tenant):
    publish(tenant.contract, title="Zukunft", published_from=timezone.now() + datetime.timedelta(days=1))
    assert "Zukunft" not in page_text(login(client, tenant).get(LIST_URL))


def test_other_documents_are_requested_with_a_document_request_ticket(client, tenant, settings):
    content = page_text(login(client, tenant).get(LIST_URL))
    assert "/portal/requests/new/document_request/" in content
    settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_REQUEST_URL": "https://example.org/anfrage/"}
    assert "https://example.org/anfrage/" in page_text(client.get("/portal/documents/certificates/"))
