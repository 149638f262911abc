"""Publishing, withdrawal, e-delivery consent, notices and the paper-post print batches."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from tests.documents.conftest import (
    give_e_delivery_consent,
    make_tenant,
    new_contract,
    pdf_bytes,
    pdf_file,
    publish,
    stored_files,
)
from tests.factories import UserFactory
from wagtail_tenantportal.accounts.models import Consent
from wagtail_tenantportal.documents import publishing, services
from wagtail_tenantportal.documents.models import Document, DocumentDelivery, PrintBatch

pytestmark = pytest.mark.django_db


def files_in_storage():
    return bool(stored_files())


class TestPublish:
    def test_a_pdf_is_stored_privately_with_its_hash(self, tenant):
        staff = UserFactory(is_staff=True)
        document = services.publish(
            pdf_file("bk", name="Abrechnung Müller.pdf"),
            target=tenant.contract,
            category="operating_cost_statement",
            title="BK 2025",
            user=staff,
        )
        assert document.company_id == tenant.contract.company_id and document.contract == tenant.contract
        assert document.original_filename == "Abrechnung Müller.pdf"
        assert document.size == len(pdf_bytes("bk"))
        import hashlib

        assert document.content_hash == hashlib.sha256(pdf_bytes("bk")).hexdigest()
        assert document.file.name.startswith(f"documents/{document.company_id}/")
        assert "Müller" not in document.file.name  # the storage name tells nothing
        with pytest.raises(ValueError):
            document.file.url  # noqa: B018  (no public URL)
        entry = ModelLogEntry.objects.get(action=services.ACTION_PUBLISHED)
        assert entry.object_id == str(document.pk) and entry.user == staff

    @pytest.mark.parametrize(
        "content, message",
        [
            (b"", "empty"),
            (b"GIF89a...", "not a PDF"),
            (b"PK\x03\x04 a word file", "not a PDF"),
            (pdf_bytes("x")[:-100], "incomplete"),
        ],
        ids=["empty", "image", "office", "cut-off"],
    )
    def test_bad_files_are_refused_and_nothing_is_stored(self, tenant, content, message):
        with pytest.raises(services.DocumentRejected, match=message):
            services.publish(
                ContentFile(content, name="x.pdf"), target=tenant.contract, category="letter", title="X"
            )
        assert not Document.objects.exists() and not files_in_storage()

    def test_a_file_over_the_limit_is_refused(self, tenant, settings):
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_MAX_FILE_MB": 0.001}
        with pytest.raises(services.DocumentRejected, match="larger than"):
            publish(tenant.contract, "x" * 2000)
        assert not Document.objects.exists()

    def test_the_same_file_twice_is_a_duplicate(self, tenant):
        first = publish(tenant.contract, "gleich")
        with pytest.raises(services.DocumentRejected, match="already been published") as raised:
            publish(tenant.contract, "gleich")
        assert raised.value.code == "duplicate"
        assert Document.objects.get() == first
        # Another contract, or the same file after a withdrawal, is fine.
        publish(new_contract(tenant.contract.unit.property), "gleich")
        services.withdraw(first, reason="falsch")
        publish(tenant.contract, "gleich")
        assert Document.objects.count() == 3

    def test_a_database_error_removes_the_stored_file(self, tenant, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(publishing, "create_deliveries", broken)
        with pytest.raises(RuntimeError):
            publish(tenant.contract)
        assert not Document.objects.exists() and not files_in_storage()

    def test_a_target_of_the_wrong_kind_is_a_programming_error(self, tenant):
        with pytest.raises(TypeError):
            publish(tenant.user)


class TestDeliveriesAndNotices:
    def test_consenting_tenants_get_a_mail_without_attachment_the_others_paper(
        self, tenant, neighbour, committed
    ):
        co_tenant = make_tenant(tenant.contract, email="mitmieter@example.org")
        with committed():
            document = publish(tenant.contract, title="BK 2025", category="operating_cost_statement")
        channels = {d.party_id: d.channel for d in document.deliveries.all()}
        assert channels == {tenant.party.pk: "portal", co_tenant.party.pk: "post"}
        assert [m.to for m in mail.outbox] == [["erika@example.org"]]
        message = mail.outbox[0]
        assert not message.attachments
        assert "BK 2025" in message.body and "/portal/documents/" in message.body
        assert "not attached" in message.body
        html = message.alternatives[0][0]
        assert "BK 2025" in html
        delivery = document.deliveries.get(party=tenant.party)
        assert delivery.notified_at is not None

    def test_each_notice_is_sent_once(self, tenant, committed):
        with committed():
            publish(tenant.contract)
        assert len(mail.outbox) == 1
        assert services.send_due_notices() == 0
        call_command("tenantportal_document_notices", stdout=io.StringIO())
        assert len(mail.outbox) == 1

    def test_several_new_documents_make_one_mail(self, tenant, committed):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(publishing, "enqueue_notices", lambda: None)
            publish(tenant.contract, "a", title="Erstes")
            publish(tenant.party, "b", title="Zweites")
        with committed():  # as the command runs: the mail goes out after the commit
            assert services.send_due_notices() == 1
        assert "Erstes" in mail.outbox[0].body and "Zweites" in mail.outbox[0].body
        assert "2 new documents" in mail.outbox[0].subject

    def test_html_in_titles_is_escaped_in_the_html_mail(self, tenant, committed):
        with committed():
            publish(tenant.contract, title="<script>alert(1)</script>")
        html = mail.outbox[0].alternatives[0][0]
        assert "<script>" not in html and "&lt;script&gt;" in html

    def test_a_scheduled_document_is_announced_when_it_is_published(self, tenant):
        later = timezone.now() + datetime.timedelta(days=3)
        publish(tenant.contract, published_from=later)
        assert mail.outbox == []
        assert services.send_due_notices() == 0
        assert services.send_due_notices(now=later + datetime.timedelta(minutes=1)) == 1

    def test_a_withdrawn_consent_means_paper(self, tenant):
        Consent.objects.filter(account__user=tenant.user).update(withdrawn_at=timezone.now())
        document = publish(tenant.contract)
        assert document.deliveries.get().channel == "post" and mail.outbox == []

    def test_withdrawing_before_the_notice_cancels_it(self, tenant):
        later = timezone.now() + datetime.timedelta(hours=1)
        document = publish(tenant.contract, published_from=later)
        services.withdraw(document, reason="Fehler")
        assert services.send_due_notices(now=later + datetime.timedelta(hours=1)) == 0

    def test_without_notify_no_mail_is_sent(self, tenant):
        document = publish(tenant.contract, notify=False)
        assert mail.outbox == [] and document.deliveries.get().notice_skipped

    def test_a_building_notice_goes_only_to_consenting_tenants(self, tenant, neighbour, property_, committed):
        with committed():
            document = publish(property_, category="notice", title="Wasserabstellung")
        assert list(document.deliveries.values_list("party", "channel")) == [(tenant.party.pk, "portal")]
        assert [m.to for m in mail.outbox] == [["erika@example.org"]]

    def test_a_failing_mail_is_tried_again(self, tenant, monkeypatch, committed):
        from wagtail_tenantportal.adapter import DefaultPortalAdapter

        def broken(*args, **kwargs):
            raise OSError("smtp down")

        monkeypatch.setattr(DefaultPortalAdapter, "send_mail", broken)
        with committed():
            document = publish(tenant.contract)
        assert document.deliveries.get().notified_at is None
        monkeypatch.undo()
        with committed():  # as the command runs: the mail goes out after the commit
            assert services.send_due_notices() == 1
        assert len(mail.outbox) == 1


class TestWithdraw:
    def test_withdrawal_keeps_the_record_and_file(self, tenant):
        staff = UserFactory(is_staff=True)
        document = publish(tenant.contract)
        services.withdraw(document, user=staff, reason="Falscher Empfänger")
        document.refresh_from_db()
        assert document.withdrawn_at and document.withdrawn_by == staff
        assert document.withdrawal_reason == "Falscher Empfänger"
        assert document.file.storage.exists(document.file.name)
        assert ModelLogEntry.objects.filter(
            action=services.ACTION_WITHDRAWN, object_id=str(document.pk)
        ).exists()
        with pytest.raises(services.DocumentRejected, match="already been withdrawn"):
            services.withdraw(document, reason="nochmal")


class TestPrintBatch:
    def test_documents_for_paper_post_are_merged_after_a_print_list(self, tenant, neighbour):
        first = services.publish(
            ContentFile(pdf_bytes("eins", pages=3), name="a.pdf"),
            target=neighbour.contract,
            category="letter",
            title="Drei Seiten",
        )
        second = publish(neighbour.party, "zwei", title="Eine Seite")
        publish(tenant.contract, "portal")  # Erika consented: not on the print list
        staff = UserFactory(is_staff=True)
        batch = services.create_print_batch(user=staff)
        assert batch.document_count == 2
        reader = PdfReader(batch.file.open("rb"))
        text = reader.pages[0].extract_text()
        assert "Drei Seiten" in text and "Eine Seite" in text and neighbour.party.last_name in text
        # print list + 3 pages + blank (duplex) + 1 page + blank
        assert len(reader.pages) == batch.page_count == 1 + 4 + 2
        assert set(DocumentDelivery.objects.filter(print_batch=batch).values_list("document", flat=True)) == {
            first.pk,
            second.pk,
        }
        assert services.create_print_batch() is None  # nothing left

    def test_withdrawn_and_scheduled_documents_are_not_printed(self, neighbour):
        withdrawn = publish(neighbour.contract, "weg")
        services.withdraw(withdrawn, reason="x")
        publish(neighbour.contract, "später", published_from=timezone.now() + datetime.timedelta(days=1))
        assert services.create_print_batch() is None
        assert not PrintBatch.objects.exists()

    def test_the_batch_size_is_limited(self, neighbour, settings):
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_PRINT_BATCH_SIZE": 1}
        publish(neighbour.contract, "a")
        publish(neighbour.contract, "b")
        assert services.create_print_batch().document_count == 1
        assert services.create_print_batch().document_count == 1
        assert services.create_print_batch() is None


def test_consent_lookup_counts_only_active_links_and_users(tenant, neighbour):
    give_e_delivery_consent(neighbour.user)
    assert services.parties_with_e_delivery([tenant.party.pk, neighbour.party.pk]) == {
        tenant.party.pk,
        neighbour.party.pk,
    }
    neighbour.user.is_active = False
    neighbour.user.save()
    tenant.user.tenantportal_account.party_links.update(active=False)
    assert services.parties_with_e_delivery([tenant.party.pk, neighbour.party.pk]) == set()
