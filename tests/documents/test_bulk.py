"""Bulk distribution of a ZIP of PDFs: matching, idempotence, and every kind of bad input
reported clearly with nothing half published."""

import io
import struct
import zipfile

import pytest
from django.db import DatabaseError
from django.utils import timezone

from tests.documents.conftest import make_tenant, new_contract, pdf_bytes, stored_files, zip_bytes
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory
from wagtail_tenantportal.documents import bulk, services
from wagtail_tenantportal.documents.models import BulkDistribution, Document, DocumentDelivery

pytestmark = pytest.mark.django_db


def distribute(data, **kwargs):
    kwargs.setdefault("category", "operating_cost_statement")
    kwargs.setdefault("title", "Betriebskostenabrechnung 2025")
    return services.distribute_zip(io.BytesIO(data), **kwargs)


def kinds(run):
    return sorted(line["kind"] for line in run.problems)


def _patch_headers(data, patch_local, patch_central):
    data = bytearray(data)
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) != -1:
        patch_local(data, pos)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        patch_central(data, pos)
        pos += 4
    return bytes(data)


def mark_encrypted(data):
    """The ZIP with every member flagged as encrypted (zipfile cannot write real encryption)."""

    def flag(offset):
        def patch(data, pos):
            (flags,) = struct.unpack_from("<H", data, pos + offset)
            struct.pack_into("<H", data, pos + offset, flags | 0x1)

        return patch

    return _patch_headers(data, flag(6), flag(8))


def declare_size(data, size):
    """The ZIP claiming every member is ``size`` bytes when unpacked (a zip bomb's lie)."""

    def local(data, pos):
        struct.pack_into("<I", data, pos + 22, size)

    def central(data, pos):
        struct.pack_into("<I", data, pos + 24, size)

    return _patch_headers(data, local, central)


@pytest.fixture
def contracts(property_):
    return {number: new_contract(property_, number=number) for number in ("100001", "100002", "100003")}


class TestMatching:
    def test_each_pdf_goes_to_the_contract_its_name_gives(self, contracts):
        data = zip_bytes(
            {
                "100001_BK2025.pdf": pdf_bytes("eins"),
                "BK/100002 Abrechnung.PDF": pdf_bytes("zwei"),
                "100003.pdf": pdf_bytes("drei"),
            }
        )
        run = distribute(data)
        assert run.status == BulkDistribution.Status.DONE
        assert run.counts["files"] == 3 and run.counts["published"] == 3 and run.problems == []
        for number, text in (("100001", "eins"), ("100002", "zwei"), ("100003", "drei")):
            document = Document.objects.get(contract=contracts[number])
            assert document.file.read() == pdf_bytes(text)
            assert document.source == Document.Source.BULK and document.distribution == run
            assert document.title == "Betriebskostenabrechnung 2025"
            assert document.category.key == "operating_cost_statement"

    def test_running_the_same_zip_again_creates_no_duplicates(self, contracts):
        data = zip_bytes({"100001.pdf": pdf_bytes("eins"), "100002.pdf": pdf_bytes("zwei")})
        distribute(data)
        again = distribute(data)
        assert again.counts["published"] == 0 and again.counts["already_published"] == 2
        assert Document.objects.count() == 2
        assert len(stored_files()) == 2

    def test_a_corrected_file_is_published_next_to_the_old_one(self, contracts):
        distribute(zip_bytes({"100001.pdf": pdf_bytes("falsch")}))
        run = distribute(zip_bytes({"100001.pdf": pdf_bytes("richtig")}))
        assert run.counts["published"] == 1
        assert Document.objects.filter(contract=contracts["100001"]).count() == 2

    def test_unmatched_names_and_numbers_are_reported(self, contracts):
        data = zip_bytes(
            {
                "100001.pdf": pdf_bytes("eins"),
                "999999_BK.pdf": pdf_bytes("unbekannt"),
                "Abrechnung.docx": b"PK\x03\x04 word",
            }
        )
        run = distribute(data)
        assert run.counts["published"] == 1 and run.counts["unmatched"] == 2
        assert kinds(run) == ["no_contract", "unmatched_name"]
        line = next(line for line in run.problems if line["kind"] == "no_contract")
        assert (
            line["file"] == "999999_BK.pdf" and line["contract"] == "999999" and "999999" in line["message"]
        )

    def test_several_files_for_one_contract_publish_none_of_them(self, contracts):
        data = zip_bytes(
            {"100001_a.pdf": pdf_bytes("a"), "100001_b.pdf": pdf_bytes("b"), "100002.pdf": pdf_bytes("c")}
        )
        run = distribute(data)
        assert run.counts["duplicates"] == 2 and run.counts["published"] == 1
        assert not Document.objects.filter(contract=contracts["100001"]).exists()
        assert all("100001_a.pdf, 100001_b.pdf" in line["message"] for line in run.problems)

    def test_a_contract_number_in_two_companies_is_ambiguous(self, contracts):
        other = PropertyFactory(company=CompanyFactory(name="Zweite eG", slug="zweite"))
        ContractFactory(unit=UnitFactory(property=other), number="100001")
        run = distribute(zip_bytes({"100001.pdf": pdf_bytes("a")}))
        assert run.counts["ambiguous"] == 1 and run.counts["published"] == 0
        assert "Zweite eG" in run.problems[0]["message"]
        # Naming the company resolves it.
        run = distribute(zip_bytes({"100001.pdf": pdf_bytes("a")}), company=contracts["100001"].company)
        assert run.counts["published"] == 1

    def test_a_custom_pattern_finds_the_number_elsewhere(self, contracts):
        data = zip_bytes({"BK2025-Vertrag-100002.pdf": pdf_bytes("x")})
        run = distribute(data, pattern=r"BK\d{4}-Vertrag-(?P<contract>\d+)\.pdf")
        assert run.counts["published"] == 1
        assert Document.objects.get().contract == contracts["100002"]

    def test_system_files_and_folders_are_ignored(self, contracts):
        data = zip_bytes(
            {
                "BK/": b"",
                "__MACOSX/BK/._100001.pdf": b"junk",
                "BK/.DS_Store": b"junk",
                "BK/Thumbs.db": b"junk",
                "BK/100001.pdf": pdf_bytes("a"),
            }
        )
        run = distribute(data)
        assert run.counts == {**run.counts, "files": 1, "published": 1, "ignored": 3}

    def test_a_check_run_publishes_nothing(self, contracts):
        data = zip_bytes({"100001.pdf": pdf_bytes("a"), "999.pdf": pdf_bytes("b")})
        run = distribute(data, dry_run=True)
        assert run.status == BulkDistribution.Status.CHECKED
        assert run.counts["published"] == 1 and run.counts["unmatched"] == 1
        assert not Document.objects.exists() and stored_files() == []

    def test_deliveries_follow_the_consent(self, contracts):
        with_consent = make_tenant(contracts["100001"], consent=True)
        without = make_tenant(contracts["100002"])
        distribute(zip_bytes({"100001.pdf": pdf_bytes("a"), "100002.pdf": pdf_bytes("b")}), notify=False)
        channels = dict(DocumentDelivery.objects.values_list("party", "channel"))
        assert channels == {with_consent.party.pk: "portal", without.party.pk: "post"}

    def test_members_are_read_one_by_one_never_whole(self, contracts, monkeypatch):
        def forbidden(*args, **kwargs):
            raise AssertionError("ZipFile.read holds a whole member in memory")

        monkeypatch.setattr(zipfile.ZipFile, "read", forbidden)
        run = distribute(zip_bytes({"100001.pdf": pdf_bytes("a")}))
        assert run.counts["published"] == 1


class TestBadInput:
    def test_a_non_pdf_disguised_as_pdf_is_refused(self, contracts):
        data = zip_bytes(
            {
                "100001.pdf": b"MZ\x90\x00 this is a Windows program",
                "100002.pdf": b"<html><script>alert(1)</script></html>",
                "100003.pdf": pdf_bytes("ok")[:-200],  # cut off: no end-of-file marker
            }
        )
        run = distribute(data)
        assert run.counts["rejected"] == 3 and run.counts["published"] == 0
        assert not Document.objects.exists() and stored_files() == []
        messages = " ".join(line["message"] for line in run.problems)
        assert "not a PDF" in messages and "incomplete" in messages

    def test_path_traversal_and_absolute_names_are_refused(self, contracts):
        data = zip_bytes(
            [
                ("../100001.pdf", pdf_bytes("a")),
                ("BK/../../100002.pdf", pdf_bytes("b")),
                ("/etc/100003.pdf", pdf_bytes("c")),
                ("C:\\Windows\\100001.pdf", pdf_bytes("d")),
                ("..\\..\\100002.pdf", pdf_bytes("e")),
            ]
        )
        run = distribute(data)
        assert run.counts["rejected"] == 5 and kinds(run) == ["unsafe_name"] * 5
        assert not Document.objects.exists()

    def test_an_encrypted_zip_is_refused_as_a_whole(self, contracts):
        data = mark_encrypted(zip_bytes({"100001.pdf": pdf_bytes("a"), "100002.pdf": pdf_bytes("b")}))
        run = distribute(data)
        assert run.status == BulkDistribution.Status.FAILED
        assert "password" in run.error
        assert not Document.objects.exists()

    @pytest.mark.parametrize(
        "data",
        [b"", b"this is not a zip file", zip_bytes({"100001.pdf": pdf_bytes("a")})[:-30], pdf_bytes("a")],
        ids=["empty", "text", "truncated", "a-pdf"],
    )
    def test_a_broken_zip_is_refused_as_a_whole(self, contracts, data):
        run = distribute(data)
        assert run.status == BulkDistribution.Status.FAILED
        assert "not a ZIP file or it is damaged" in run.error
        assert not Document.objects.exists()

    def test_a_damaged_member_is_reported(self, contracts):
        data = bytearray(zip_bytes({"100001.pdf": pdf_bytes("a"), "100002.pdf": pdf_bytes("b")}))
        start = data.find(b"100001.pdf") + len("100001.pdf") + 5
        data[start : start + 20] = b"\x00" * 20  # corrupt the deflated bytes of the first member
        run = distribute(bytes(data))
        assert run.counts["rejected"] == 1 and run.counts["published"] == 1
        assert "damaged" in run.problems[0]["message"]

    def test_a_file_over_the_limit_is_refused_before_reading(self, contracts, settings):
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_MAX_FILE_MB": 0.01}
        big = pdf_bytes("a").replace(b"%%EOF", b" " * 20000 + b"%%EOF")
        run = distribute(zip_bytes({"100001.pdf": big, "100002.pdf": pdf_bytes("b")}))
        assert run.counts["rejected"] == 1 and run.counts["published"] == 1
        assert "larger than" in run.problems[0]["message"]

    def test_a_zip_bomb_is_stopped_while_reading(self, contracts):
        bomb = b"%PDF-1.4\n" + b"\x00" * (5 * 1024 * 1024) + b"\n%%EOF"
        data = declare_size(zip_bytes({"100001.pdf": bomb}), 1000)
        assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].file_size == 1000
        run = distribute(data)
        assert run.counts["rejected"] == 1 and not Document.objects.exists()
        # zipfile stops at the declared size (and then the checksum fails); spool would stop
        # a stream that went on (see test_spool_stops_at_the_declared_size).
        assert "damaged" in run.problems[0]["message"]

    def test_spool_stops_at_the_declared_size(self):
        from wagtail_tenantportal.documents.files import DocumentRejected, spool

        endless = io.BytesIO(b"%PDF-" + b"\x00" * (10 * 1024 * 1024))
        with pytest.raises(DocumentRejected, match="longer than the ZIP file says"):
            spool(endless, limit=50 * 1024 * 1024, expected_size=1000)
        assert endless.tell() <= 2 * 64 * 1024  # stopped after the first chunk
        with pytest.raises(DocumentRejected, match="larger than"):
            spool(io.BytesIO(b"x" * 300_000), limit=100_000)

    def test_too_many_files_are_refused(self, contracts, settings):
        settings.WAGTAIL_TENANTPORTAL = {"DOCUMENTS_BULK_MAX_FILES": 2}
        run = distribute(zip_bytes({f"{n}.pdf": pdf_bytes(str(n)) for n in range(3)}))
        assert run.status == BulkDistribution.Status.FAILED and "at most 2" in run.error

    @pytest.mark.parametrize("pattern", ["(unclosed", r"(?P<nummer>\d+)\.pdf"])
    def test_an_unusable_pattern_is_refused(self, contracts, pattern):
        run = distribute(zip_bytes({"100001.pdf": pdf_bytes("a")}), pattern=pattern)
        assert run.status == BulkDistribution.Status.FAILED and not Document.objects.exists()

    def test_a_database_error_midway_publishes_nothing_and_removes_the_files(self, contracts, monkeypatch):
        calls = []

        def failing(documents, **kwargs):
            calls.append(len(documents))
            raise DatabaseError("disk full")

        monkeypatch.setattr("wagtail_tenantportal.documents.publishing.create_deliveries", failing)
        run = distribute(zip_bytes({"100001.pdf": pdf_bytes("a"), "100002.pdf": pdf_bytes("b")}))
        assert calls == [2]
        assert run.status == BulkDistribution.Status.FAILED and "Nothing was published" in run.error
        assert run.counts["published"] == 0
        assert not Document.objects.exists()
        assert stored_files() == []

    def test_batches_are_written_together(self, contracts, monkeypatch, property_):
        monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
        for number in ("100004", "100005"):
            new_contract(property_, number=number)
        data = zip_bytes({f"10000{n}.pdf": pdf_bytes(str(n)) for n in range(1, 6)})
        run = distribute(data)
        assert run.counts["published"] == 5 and Document.objects.count() == 5


class TestCommand:
    def test_the_command_distributes_and_reports(self, contracts, tmp_path):
        from django.core.management import call_command

        path = tmp_path / "bk.zip"
        path.write_bytes(zip_bytes({"100001.pdf": pdf_bytes("a"), "777.pdf": pdf_bytes("b")}))
        out = io.StringIO()
        call_command(
            "tenantportal_distribute",
            str(path),
            "--category=operating_cost_statement",
            "--title=BK 2025",
            "--publish-from=2026-04-01",
            stdout=out,
        )
        text = out.getvalue()
        assert "published=1" in text and "no_contract\t777.pdf" in text
        published = timezone.localtime(Document.objects.get().published_from)
        assert published.date().isoformat() == "2026-04-01" and published.hour == 0

    def test_a_refused_zip_ends_with_an_error(self, contracts, tmp_path):
        from django.core.management import CommandError, call_command

        path = tmp_path / "kaputt.zip"
        path.write_bytes(b"nope")
        with pytest.raises(CommandError, match="not a ZIP"):
            call_command(
                "tenantportal_distribute", str(path), "--category=letter", "--title=X", stdout=io.StringIO()
            )
