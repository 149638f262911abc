"""Who may open which document: every document URL is a 404 for other tenants, anonymous
visitors and sessions that are not fully verified; the owner gets the file with safe headers."""

import datetime

import pytest
from django.utils import timezone

from tests.accounts.flow_helpers import verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp, password_step, path_of
from tests.documents.conftest import body, download_url, ended, login, make_tenant, new_contract, publish
from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount
from wagtail_tenantportal.documents.models import Document, DocumentReceipt

pytestmark = pytest.mark.django_db

OWN = ("party", "contract", "property", "company")


def visible_titles(user):
    return sorted(Document.objects.visible_to(user).values_list("title", flat=True))


class TestVisibleTo:
    def test_a_tenant_sees_party_contract_property_and_company_documents(self, tenant, documents):
        visible = set(Document.objects.visible_to(tenant.user))
        assert visible == {documents[scope] for scope in OWN}

    def test_the_neighbour_sees_the_building_but_not_erikas_contract_or_letters(
        self, tenant, neighbour, documents
    ):
        visible = set(Document.objects.visible_to(neighbour.user))
        assert visible == {documents["neighbour"], documents["property"], documents["company"]}

    def test_a_tenant_of_another_company_sees_nothing_of_it(self, stranger, documents):
        assert not Document.objects.visible_to(stranger.user).exists()

    def test_anonymous_and_none_see_nothing(self, documents):
        from django.contrib.auth.models import AnonymousUser

        assert not Document.objects.visible_to(AnonymousUser()).exists()
        assert not Document.objects.visible_to(None).exists()

    def test_an_inactive_party_link_sees_nothing(self, tenant, documents):
        AccountParty.objects.filter(account__user=tenant.user).update(active=False)
        assert not Document.objects.visible_to(tenant.user).exists()

    def test_a_co_tenant_sees_the_contract_document_but_not_the_personal_letter(self, tenant, documents):
        co_tenant = make_tenant(tenant.contract)
        visible = set(Document.objects.visible_to(co_tenant.user))
        assert documents["contract"] in visible
        assert documents["party"] not in visible

    def test_scheduled_and_withdrawn_documents_are_hidden(self, tenant):
        later = publish(
            tenant.contract,
            "später",
            title="Später",
            published_from=timezone.now() + datetime.timedelta(days=1),
        )
        withdrawn = publish(tenant.contract, "zurück", title="Zurückgezogen")
        withdrawn.withdrawn_at = timezone.now()
        withdrawn.save()
        assert visible_titles(tenant.user) == []
        tomorrow = timezone.now() + datetime.timedelta(days=2)
        assert Document.objects.visible_to(tenant.user, now=tomorrow).get() == later

    def test_documents_of_an_ended_contract_leave_after_the_retention_time(self, tenant, documents, settings):
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_RETENTION_DAYS": 365}
        ended(tenant.contract, days_ago=300)
        assert documents["contract"] in Document.objects.visible_to(tenant.user)
        ended(tenant.contract, days_ago=400)
        visible = set(Document.objects.visible_to(tenant.user))
        assert visible == {documents["party"]}  # building and company went with the contract
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_RETENTION_DAYS": None}
        assert documents["contract"] in Document.objects.visible_to(tenant.user)


class TestDownload:
    def test_the_owner_gets_the_file_with_safe_headers(self, client, tenant, documents):
        document = documents["contract"]
        response = login(client, tenant).get(download_url(document))
        assert response.status_code == 200
        assert body(response) == document.file.open("rb").read()
        assert response["Content-Type"] == "application/pdf"
        assert (
            response["Content-Disposition"]
            == f'attachment; filename="BK 2025 {document.document_date.isoformat()}.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"

    def test_a_file_name_with_umlauts_and_quotes_is_rfc_6266_encoded(self, client, tenant):
        document = publish(tenant.contract, title='Übergabe "Protokoll"/../etc')
        response = login(client, tenant).get(download_url(document))
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename*=utf-8''")
        assert "%C3%9Cbergabe" in disposition and '"' not in disposition.split("''", 1)[1]
        assert "/" not in disposition.split("''", 1)[1]

    @pytest.mark.parametrize("scope", OWN)
    def test_every_document_url_is_404_for_other_tenants(self, client, stranger, neighbour, documents, scope):
        url = download_url(documents[scope])
        assert login(client, stranger).get(url).status_code == 404
        if scope in ("party", "contract"):
            assert login(client, neighbour).get(url).status_code == 404

    @pytest.mark.parametrize("scope", [*OWN, "neighbour"])
    def test_every_document_url_is_404_for_anonymous_visitors(self, client, documents, scope):
        response = client.get(download_url(documents[scope]))
        assert response.status_code == 404
        assert b"%PDF" not in body(response)

    def test_every_document_url_is_404_for_a_half_logged_in_session(self, client, property_, documents):
        user = verified_tenant(new_contract(property_), email="halb@example.org")
        party = user.tenantportal_account.party_links.get().party
        shared = [documents["property"], documents["company"]]
        mine = publish(party, "meins", title="Meins")
        confirmed_totp(user)
        response = password_step(client, user)
        assert path_of(response) == "/portal/2fa/verify/"
        for document in [*shared, mine]:
            response = client.get(download_url(document))
            assert response.status_code == 404
            assert b"%PDF" not in body(response)
        assert not DocumentReceipt.objects.exists()

    def test_a_session_with_an_unconfirmed_email_gets_404(self, client, tenant, documents):
        PortalAccount.objects.filter(user=tenant.user).update(email_verified_at=None)
        assert login(client, tenant).get(download_url(documents["contract"])).status_code == 404

    @pytest.mark.parametrize("value", ["x", "1", "00000000-0000-0000-0000-000000000001", "../../etc/passwd"])
    def test_unknown_ids_are_404(self, client, tenant, value):
        assert login(client, tenant).get(f"/portal/documents/{value}/").status_code == 404

    def test_a_withdrawn_document_is_404(self, client, tenant, documents):
        document = documents["contract"]
        document.withdrawn_at = timezone.now()
        document.save()
        assert login(client, tenant).get(download_url(document)).status_code == 404

    def test_other_http_methods_are_refused(self, client, tenant, documents):
        assert login(client, tenant).post(download_url(documents["contract"])).status_code == 405


class TestServeModes:
    def test_x_accel_redirect_sends_only_headers(self, client, tenant, documents, settings):
        settings.WAGTAIL_TENANTPORTAL = {
            "PRIVATE_SERVE_MODE": "x-accel-redirect",
            "PRIVATE_SERVE_PREFIX": "/intern/",
        }
        document = documents["contract"]
        response = login(client, tenant).get(download_url(document))
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == "/intern/" + document.file.name
        assert response.content == b""
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")

    def test_x_sendfile_names_the_path_on_disk(self, client, tenant, documents, settings):
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "x-sendfile"}
        document = documents["contract"]
        response = login(client, tenant).get(download_url(document))
        assert response["X-Sendfile"] == document.file.path
        assert response.content == b""

    def test_x_accel_redirect_is_404_for_others_too(self, client, stranger, documents, settings):
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "x-accel-redirect"}
        response = login(client, stranger).get(download_url(documents["contract"]))
        assert response.status_code == 404
        assert not response.has_header("X-Accel-Redirect")


class TestReadReceipts:
    def test_first_and_last_opening_per_party(self, client, tenant, documents):
        document = documents["contract"]
        login(client, tenant)
        client.get(download_url(document))
        receipt = DocumentReceipt.objects.get(document=document)
        assert receipt.party == tenant.party and receipt.open_count == 1
        assert receipt.first_opened_at == receipt.last_opened_at
        assert receipt.first_opened_by == tenant.user
        client.get(download_url(document))
        receipt.refresh_from_db()
        assert receipt.open_count == 2 and receipt.last_opened_at > receipt.first_opened_at

    def test_a_co_tenant_gets_an_own_receipt(self, client, tenant, documents):
        co_tenant = make_tenant(tenant.contract)
        document = documents["contract"]
        login(client, tenant).get(download_url(document))
        login(client, co_tenant).get(download_url(document))
        assert set(DocumentReceipt.objects.filter(document=document).values_list("party", flat=True)) == {
            tenant.party.pk,
            co_tenant.party.pk,
        }

    def test_a_building_document_is_receipted_for_the_tenant_who_opened_it(
        self, client, tenant, neighbour, documents
    ):
        login(client, neighbour).get(download_url(documents["property"]))
        assert list(DocumentReceipt.objects.values_list("party", flat=True)) == [neighbour.party.pk]

    def test_deleting_the_user_keeps_documents_and_receipts(self, client, tenant, documents):
        document = documents["contract"]
        login(client, tenant).get(download_url(document))
        tenant.user.delete()
        receipt = DocumentReceipt.objects.get(document=document)
        assert receipt.first_opened_by is None and receipt.party == tenant.party
        assert Document.objects.filter(pk=document.pk).exists()
        assert document.file.storage.exists(document.file.name)
