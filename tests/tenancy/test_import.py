"""The ERP master-data import: upsert, idempotence, vanished rows, dry run, partial, encodings, run records."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from tests.factories import CompanyFactory, ContractFactory, UserFactory
from wagtail_tenantportal.core import signals
from wagtail_tenantportal.tenancy import importer
from wagtail_tenantportal.tenancy.models import (
    Company,
    Contract,
    ContractParty,
    ImportRun,
    Party,
    Property,
    RentComponent,
    Unit,
)
from wagtail_tenantportal.tenancy.services import (
    ENTITY_ORDER,
    EntityCounts,
    ImportFile,
    ImportResult,
    RowError,
    import_master_data,
)

from .import_helpers import counts_of, drop_lines, export_dir, export_files, messages, replace_in, write_csv

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)
FULL_COUNTS = {
    "companies": (2, 0, 0, 0),
    "properties": (3, 0, 0, 0),
    "units": (4, 0, 0, 0),
    "parties": (4, 0, 0, 0),
    "contracts": (5, 0, 0, 0),
    "contract_parties": (6, 0, 0, 0),
    "rent_components": (5, 0, 0, 0),
}


@pytest.fixture
def export(tmp_path):
    return export_dir(tmp_path)


@pytest.fixture
def imported(export):
    result = import_master_data(export_files(export), today=TODAY)
    assert result.committed and not result.errors, result.errors
    return result


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))

    signals.master_data_imported.connect(receiver)
    yield calls
    signals.master_data_imported.disconnect(receiver)


def contract(number, company="M01"):
    return Contract.objects.get(company__erp_id=company, number=number)


class TestFullImport:
    def test_creates_every_entity(self, export, received):
        result = import_master_data(export_files(export), today=TODAY)

        assert result.committed and not result.has_errors and not result.dry_run
        assert counts_of(result) == FULL_COUNTS
        assert list(result.counts) == ENTITY_ORDER
        assert Company.objects.count() == 2
        assert (Property.objects.count(), Unit.objects.count(), Party.objects.count()) == (3, 4, 4)
        assert (Contract.objects.count(), ContractParty.objects.count(), RentComponent.objects.count()) == (
            5,
            6,
            5,
        )
        assert len(received) == 1
        assert received[0][0] is ImportRun
        assert received[0][1]["run"] == result.run and received[0][1]["result"] is result

    def test_failing_receiver_does_not_fail_the_import(self, export, caplog):
        def broken(sender, **kwargs):
            raise RuntimeError("mail server down")

        signals.master_data_imported.connect(broken)
        try:
            result = import_master_data(export_files(export, "companies"))
        finally:
            signals.master_data_imported.disconnect(broken)
        assert result.committed and Company.objects.count() == 2
        assert "master_data_imported failed" in caplog.text

    def test_values_are_converted(self, imported):
        company = Company.objects.get(erp_id="M01")
        assert company.slug == "wohnungsgenossenschaft-lindenau"
        assert company.website == "https://www.wg-lindenau.example"
        assert Property.objects.get(company=company, erp_id="WE01").year_built == 1928
        flat = Unit.objects.get(company=company, erp_id="E001")
        assert (flat.kind, flat.rooms, flat.living_area) == (Unit.Kind.FLAT, Decimal("3.0"), Decimal("64.50"))
        assert Unit.objects.get(company=company, erp_id="E002").rooms == Decimal("2.5")
        assert Unit.objects.get(company=company, erp_id="E003").kind == Unit.Kind.PARKING
        assert Unit.objects.get(company__erp_id="M02", erp_id="E001").living_area == Decimal("1020.00")
        erika = Party.objects.get(company=company, erp_id="P001")
        assert (erika.salutation, erika.kind, erika.birth_date) == (
            "ms",
            "person",
            datetime.date(1970, 5, 12),
        )
        assert Party.objects.get(company=company, erp_id="P003").kind == Party.Kind.HOUSEHOLD
        assert Party.objects.get(company__erp_id="M02", erp_id="P001").last_name == "Weiß"
        rental = contract("1000001")
        assert rental.iban == "DE89370400440532013000"
        assert rental.bic == "COBADEFFXXX"
        assert rental.status == Contract.Status.ACTIVE
        assert rental.unit.erp_id == "E001" and rental.imported_at is not None
        assert contract("1000002").start_date == datetime.date(2019, 4, 1)
        assert contract("9000001").unit is None
        roles = dict(ContractParty.objects.filter(contract=rental).values_list("party__erp_id", "role"))
        assert roles == {"P001": "main_tenant", "P002": "co_tenant"}
        components = {c.label: c for c in RentComponent.objects.filter(contract=rental)}
        assert components["Grundmiete"].amount == Decimal("412.50")
        assert components["Betriebskostenvorauszahlung"].kind == RentComponent.Kind.OPERATING_COSTS  # guessed
        rent = RentComponent.objects.get(contract=contract("1000002"))
        assert (rent.amount, rent.valid_from) == (Decimal("1012.40"), datetime.date(2024, 1, 1))

    def test_files_are_processed_in_entity_order(self, export):
        files = list(reversed(export_files(export)))
        result = import_master_data(files, today=TODAY)
        assert counts_of(result) == FULL_COUNTS

    def test_references_may_point_at_existing_rows(self, imported, export):
        result = import_master_data(export_files(export, "contract_parties"), today=TODAY)
        assert counts_of(result) == {"contract_parties": (0, 0, 6, 0)}


class TestIdempotence:
    def test_second_run_is_all_unchanged(self, imported, export):
        result = import_master_data(export_files(export), today=TODAY)

        assert result.committed and not result.errors
        for kind, counts in result.counts.items():
            assert counts == EntityCounts(unchanged=FULL_COUNTS[kind][0]), kind
        assert "Contracts: 0 created, 0 updated, 5 unchanged, 0 rejected" in result.summary_lines()
        assert Contract.objects.count() == 5

    def test_changed_values_are_updated(self, imported, export):
        replace_in(export, "parties.csv", "Erika,Mustermann", "Erika,Musterfrau")
        replace_in(export, "contracts.csv", "DE89 3704 0044 0532 0130 00", "DE02120300000000202051")
        replace_in(export, "contract_parties.csv", "P002,Mitmieter", "P002,main_tenant")
        replace_in(export, "rent_components.csv", '"412,50"', '"430,00"')
        before = Party.objects.get(company__erp_id="M01", erp_id="P002").imported_at

        result = import_master_data(export_files(export), today=TODAY)

        assert result.counts["parties"] == EntityCounts(updated=1, unchanged=3)
        assert result.counts["contracts"] == EntityCounts(updated=1, unchanged=4)
        assert result.counts["contract_parties"] == EntityCounts(updated=1, unchanged=5)
        assert result.counts["rent_components"] == EntityCounts(updated=1, unchanged=4)
        assert Party.objects.get(company__erp_id="M01", erp_id="P001").last_name == "Musterfrau"
        assert contract("1000001").iban == "DE02120300000000202051"
        link = ContractParty.objects.get(contract=contract("1000001"), party__erp_id="P002")
        assert link.role == ContractParty.Role.MAIN_TENANT
        assert RentComponent.objects.get(contract=contract("1000001"), label="Grundmiete").amount == Decimal(
            "430"
        )
        # unchanged rows are not written
        assert Party.objects.get(company__erp_id="M01", erp_id="P002").imported_at == before

    def test_absent_optional_column_is_left_alone(self, imported, tmp_path):
        Company.objects.filter(erp_id="M01").update(opening_hours="Mo 9-12")
        files = [write_csv(tmp_path, "companies.csv", "erp_id,name\nM01,WG Lindenau neu\n")]

        result = import_master_data(files, today=TODAY)

        assert result.counts["companies"] == EntityCounts(updated=1)
        company = Company.objects.get(erp_id="M01")
        assert company.name == "WG Lindenau neu"
        assert company.website == "https://www.wg-lindenau.example"
        assert company.opening_hours == "Mo 9-12"
        assert company.slug == "wohnungsgenossenschaft-lindenau"

    def test_empty_cell_empties_the_value(self, imported, export):
        replace_in(export, "parties.csv", "erika@example.org", "")
        import_master_data(export_files(export, "parties"), today=TODAY)
        assert Party.objects.get(company__erp_id="M01", erp_id="P001").email == ""

    def test_company_slug_is_made_unique(self, tmp_path):
        CompanyFactory(slug="bauverein-sud", erp_id=None)
        files = [write_csv(tmp_path, "companies.csv", "erp_id,name\nA,Bauverein Süd\nB,Bauverein Süd\n")]
        import_master_data(files)
        assert sorted(Company.objects.filter(erp_id__in=["A", "B"]).values_list("slug", flat=True)) == [
            "bauverein-sud-2",
            "bauverein-sud-3",
        ]


class TestVanishedRows:
    def test_vanished_contract_is_ended_not_deleted(self, imported, export):
        drop_lines(export, "contracts.csv", "M01,1000002")
        drop_lines(export, "contract_parties.csv", "M01,1000002")
        drop_lines(export, "rent_components.csv", "M01,1000002")

        result = import_master_data(export_files(export), today=TODAY)

        assert result.counts["contracts"] == EntityCounts(unchanged=4, ended=1)
        gone = contract("1000002")
        assert gone.status == Contract.Status.ENDED
        assert gone.end_date == TODAY
        assert gone.ended_by_import_at is not None
        assert gone.contract_parties.count() == 1  # links of contracts absent from the file are kept
        assert "1 ended (missing from the export)" in result.summary_lines()[4]
        # a second run does not end it again
        again = import_master_data(export_files(export, "contracts"), today=TODAY)
        assert again.counts["contracts"].ended == 0

    def test_existing_end_date_is_kept(self, imported, export):
        Contract.objects.filter(number="1000002").update(end_date=datetime.date(2026, 6, 30))
        drop_lines(export, "contracts.csv", "M01,1000002")
        import_master_data(export_files(export, "contracts"), today=TODAY)
        assert contract("1000002").end_date == datetime.date(2026, 6, 30)

    def test_reappearing_contract_is_revived(self, imported, export):
        Contract.objects.filter(number="1000002").update(
            status=Contract.Status.ENDED,
            ended_by_import_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
        result = import_master_data(export_files(export, "contracts"), today=TODAY)
        assert result.counts["contracts"] == EntityCounts(updated=1, unchanged=4)
        revived = contract("1000002")
        assert (revived.status, revived.ended_by_import_at) == (Contract.Status.ACTIVE, None)

    def test_only_companies_in_the_file_are_affected(self, imported, export):
        drop_lines(export, "contracts.csv", "M02,")
        other = ContractFactory(
            company=CompanyFactory(erp_id="M99"), unit=None, kind=Contract.Kind.MEMBERSHIP
        )

        result = import_master_data(export_files(export, "contracts"), today=TODAY)

        assert result.counts["contracts"].ended == 0
        assert contract("2000001", company="M02").status == Contract.Status.ACTIVE
        other.refresh_from_db()
        assert other.ended_by_import_at is None

    def test_manually_created_contract_of_an_imported_company_is_ended(self, imported, export):
        manual = ContractFactory(company=Company.objects.get(erp_id="M01"), unit=None, kind="membership")
        result = import_master_data(export_files(export, "contracts"), today=TODAY)
        assert result.counts["contracts"].ended == 1
        manual.refresh_from_db()
        assert manual.status == Contract.Status.ENDED

    def test_rejected_row_with_readable_key_counts_as_present(self, imported, export):
        replace_in(export, "contracts.csv", "01.04.2019", "31.02.2019")

        result = import_master_data(export_files(export, "contracts"), partial=True, today=TODAY)

        assert result.committed
        assert result.counts["contracts"] == EntityCounts(unchanged=4, rejected=1)
        assert contract("1000002").status == Contract.Status.ACTIVE

    def test_contract_parties_missing_from_the_file_are_removed(self, imported, export):
        drop_lines(export, "contract_parties.csv", "P002,Mitmieter")

        result = import_master_data(export_files(export, "contract_parties"), today=TODAY)

        assert result.counts["contract_parties"] == EntityCounts(unchanged=5, removed=1)
        assert list(contract("1000001").parties.values_list("erp_id", flat=True)) == ["P001"]
        assert Party.objects.filter(company__erp_id="M01", erp_id="P002").exists()  # parties are kept
        assert "1 removed (missing from the file)" in result.summary_lines()[0]

    def test_rent_components_missing_from_the_file_are_removed(self, imported, export):
        drop_lines(export, "rent_components.csv", "Heizkosten")
        with open(export / "rent_components.csv", "a", encoding="utf-8") as handle:
            handle.write("M01,1000001,Grundmiete,base_rent,440,2025-01-01,1\n")

        result = import_master_data(export_files(export, "rent_components"), today=TODAY)

        assert result.counts["rent_components"] == EntityCounts(created=1, unchanged=4, removed=1)
        labels = sorted(contract("1000001").rent_components.values_list("label", "valid_from"))
        assert labels == [
            ("Betriebskostenvorauszahlung", datetime.date(2024, 1, 1)),
            ("Grundmiete", datetime.date(2024, 1, 1)),
            ("Grundmiete", datetime.date(2025, 1, 1)),
        ]
        # components of contracts not in the file are kept
        assert contract("1000002").rent_components.count() == 1


class TestStatus:
    @pytest.mark.parametrize(
        ("end", "status", "expected"),
        [
            ("", "", "active"),
            ("2026-03-14", "", "ended"),
            ("2026-03-15", "", "terminated"),
            ("31.12.2026", "", "terminated"),
            ("31.12.2026", "active", "active"),
            ("", "gekündigt", "terminated"),
        ],
    )
    def test_status_is_given_or_derived(self, imported, tmp_path, end, status, expected):
        text = f"company,number,kind,end_date,status\nM01,9000001,membership,{end},{status}\n"
        result = import_master_data([write_csv(tmp_path, "contracts.csv", text)], partial=True, today=TODAY)
        assert not result.errors
        assert contract("9000001").status == expected


class TestDryRun:
    def test_dry_run_writes_nothing_but_records_the_run(self, export, received):
        result = import_master_data(export_files(export), dry_run=True, today=TODAY)

        assert result.dry_run and not result.committed and not result.errors
        assert counts_of(result) == FULL_COUNTS
        assert Company.objects.count() == 0 and Contract.objects.count() == 0
        run = ImportRun.objects.get()
        assert (run.dry_run, run.committed, run.source) == (True, False, ImportRun.Source.CODE)
        assert run.summary["counts"]["contracts"]["created"] == 5
        assert received == []
        assert result.summary_lines()[-1] == "Dry run: nothing was saved. No errors were found."

    def test_dry_run_reports_errors(self, export):
        replace_in(export, "units.csv", "M01,E002,WE01", "M01,E002,WE77")
        result = import_master_data(export_files(export), dry_run=True, today=TODAY)
        assert not result.committed
        assert ("units.csv", 3, "property: no property with ERP id “WE77” in company “M01”") in messages(
            result
        )
        assert Unit.objects.count() == 0


class TestAllOrNothing:
    def test_one_bad_row_imports_nothing(self, export, received):
        replace_in(export, "contracts.csv", "COBADEFFXXX", "NOTABIC")

        result = import_master_data(export_files(export), today=TODAY)

        assert not result.committed
        assert messages(result)[0] == ("contracts.csv", 2, "bic: “NOTABIC” is not a valid BIC")
        # rows referring to the rejected contract name it as the cause
        assert messages(result)[1] == (
            "contract_parties.csv",
            2,
            "contract: no contract with number “1000001” in company “M01” "
            "(its row was rejected: contracts.csv, line 2)",
        )
        assert result.counts["contracts"] == EntityCounts(created=4, rejected=1)
        for model in (Company, Property, Unit, Party, Contract, ContractParty, RentComponent):
            assert model.objects.count() == 0, model
        assert received == []
        assert result.summary_lines()[-1].startswith("Nothing was saved: 6 errors were found.")
        run = ImportRun.objects.get()
        assert not run.committed
        assert run.errors[0] == {
            "file": "contracts.csv",
            "line": 2,
            "message": "bic: “NOTABIC” is not a valid BIC",
        }
        assert len(run.errors) == run.summary["error_count"] == 6

    def test_partial_imports_the_good_rows(self, export, received):
        replace_in(export, "contracts.csv", "COBADEFFXXX", "NOTABIC")

        result = import_master_data(export_files(export), partial=True, today=TODAY)

        assert result.committed and result.has_errors
        assert Contract.objects.count() == 4
        assert not Contract.objects.filter(number="1000001").exists()
        # rows that refer to the rejected contract are rejected too, with their own message
        assert result.counts["contract_parties"] == EntityCounts(created=4, rejected=2)
        assert messages(result)[1][:2] == ("contract_parties.csv", 2)
        assert len(received) == 1
        assert result.summary_lines()[-1] == "The valid rows were saved; 6 errors were found."

    def test_partial_with_an_unreadable_file(self, export):
        replace_in(export, "units.csv", "living_area", "living_space")
        result = import_master_data(export_files(export), partial=True, today=TODAY)
        assert result.committed
        assert Unit.objects.count() == 0
        assert Company.objects.count() == 2
        assert result.errors[0].file == "units.csv" and result.errors[0].line is None
        assert result.errors[0].message.startswith("Unknown columns: living_space.")
        assert result.counts["units"].rejected == 4
        assert result.errors[1].message == (
            "unit: no unit with ERP id “E001” in company “M01” (units.csv could not be imported)"
        )

    def test_run_record_survives_the_rollback_inside_an_outer_transaction(self, export):
        replace_in(export, "units.csv", "M01,E002,WE01", "M01,E002,WE77")
        from django.db import transaction

        with transaction.atomic():
            result = import_master_data(export_files(export), today=TODAY)
            assert ImportRun.objects.filter(pk=result.run.pk, committed=False).exists()
            assert Company.objects.count() == 0

    def test_database_error_is_reported_not_raised(self, export, monkeypatch):
        def broken(self, objs, *args, **kwargs):
            raise DatabaseError("disk I/O error")

        monkeypatch.setattr(QuerySet, "bulk_create", broken)
        result = import_master_data(export_files(export), today=TODAY)
        assert not result.committed
        assert (
            result.errors[-1].message == "The database refused the data (disk I/O error). Nothing was saved."
        )
        assert result.errors[-1].file == "companies.csv"
        assert ImportRun.objects.get().committed is False


class TestEncodingsAndDialects:
    def test_windows_1252_with_semicolons_and_umlauts(self, tmp_path):
        files = [
            write_csv(
                tmp_path,
                "companies.csv",
                "erp_id;name;city\nM01;Wohnungsgenossenschaft Jößnitz-Süd;Plauen\n",
                encoding="cp1252",
            ),
            write_csv(
                tmp_path,
                "parties.csv",
                "company;erp_id;last_name;first_name;street\nM01;P1;Weißgärber;Jürgen;Am Mühlgraben 3\n",
                encoding="cp1252",
            ),
        ]
        result = import_master_data(files)
        assert not result.errors
        party = Party.objects.get(erp_id="P1")
        assert (party.last_name, party.first_name, party.street) == (
            "Weißgärber",
            "Jürgen",
            "Am Mühlgraben 3",
        )
        assert Company.objects.get(erp_id="M01").name == "Wohnungsgenossenschaft Jößnitz-Süd"

    def test_utf8_with_bom_and_commas(self, tmp_path):
        text = 'erp_id,name,street\nM01,"Bauverein Groß, Klein & Söhne","Straße des 17. Juni 1"\n'
        result = import_master_data([write_csv(tmp_path, "companies.csv", text, bom=True)])
        assert not result.errors
        company = Company.objects.get(erp_id="M01")
        assert (company.name, company.street) == ("Bauverein Groß, Klein & Söhne", "Straße des 17. Juni 1")

    def test_headers_are_case_insensitive_and_trimmed(self, tmp_path):
        text = " ERP_ID ; Name \r\nM01;WG Nord\r\n"
        result = import_master_data([write_csv(tmp_path, "companies.csv", text, bom=True)])
        assert not result.errors and Company.objects.filter(erp_id="M01", name="WG Nord").exists()

    def test_quoted_newline_and_line_numbers(self, tmp_path):
        text = 'erp_id,name,street\nM01,"WG\nNord",x\nM02,,y\n'
        result = import_master_data([write_csv(tmp_path, "companies.csv", text)])
        assert messages(result) == [("companies.csv", 4, "name: a value is required")]

    def test_bytes_invalid_in_every_encoding(self, tmp_path):
        path = tmp_path / "companies.csv"
        path.write_bytes(b"erp_id;name\nM01;WG S\xfcd\nM02;WG \x81 Nord\n")
        result = import_master_data([ImportFile.from_path(path)])
        assert messages(result) == [
            (
                "companies.csv",
                None,
                "The file is not valid text in any of the accepted encodings (utf-8, cp1252); the first invalid "
                "byte is on line 2. Save it as UTF-8 or Windows-1252 (ANSI).",
            )
        ]
        assert not result.committed and Company.objects.count() == 0

    def test_only_utf8_configured(self, tmp_path, settings):
        settings.WAGTAIL_TENANTPORTAL = {"IMPORT_ENCODINGS": ["utf-8"]}
        file = write_csv(tmp_path, "companies.csv", "erp_id;name\nM01;WG Süd\n", encoding="cp1252")
        result = import_master_data([file])
        assert "accepted encodings (utf-8)" in result.errors[0].message

    def test_utf16_is_explained(self, tmp_path):
        path = tmp_path / "companies.csv"
        path.write_bytes("erp_id;name\nM01;WG\n".encode("utf-16"))
        result = import_master_data([ImportFile.from_path(path)])
        assert "UTF-16" in result.errors[0].message

    def test_from_upload_leaves_the_upload_open(self):
        upload = TemporaryUploadedFile("companies.csv", "text/csv", 0, "utf-8")
        upload.write(b"erp_id,name\nM01,WG Nord\n")
        simple = SimpleUploadedFile(
            "Properties.CSV", b"company,erp_id,street,postal_code,city\nM01,WE1,A 1,04109,L\n"
        )
        files = [ImportFile.from_upload(upload), ImportFile.from_upload(simple)]
        assert [f.kind for f in files] == ["companies", "properties"]

        result = import_master_data(files)

        assert not result.errors and Property.objects.filter(erp_id="WE1").exists()
        assert not upload.closed and not simple.closed
        upload.close()


class TestFileKinds:
    def test_kind_from_file_name(self, tmp_path):
        for name, kind in [
            ("contracts.csv", "contracts"),
            ("Contract-Parties.csv", "contract_parties"),
            ("rent components.CSV", "rent_components"),
        ]:
            path = tmp_path / name
            path.write_text("x")
            assert ImportFile.from_path(path).kind == kind
        assert ImportFile.from_path(tmp_path / "contracts.csv", kind="units").kind == "units"

    def test_unknown_kind_is_a_value_error(self, tmp_path):
        with pytest.raises(ValueError, match="Cannot tell what “vertraege.csv” contains"):
            ImportFile.from_path(tmp_path / "vertraege.csv")
        with pytest.raises(ValueError, match="contracts.csv"):
            ImportFile.from_path(tmp_path / "contracts.csv", kind="leases")

    def test_unknown_kind_given_directly_and_two_files_of_one_kind(self, tmp_path):
        good = write_csv(tmp_path, "companies.csv", "erp_id,name\nM01,WG\n")
        files = [
            ImportFile("leases.csv", "leases", good.open),
            good,
            ImportFile("more.csv", "companies", good.open),
        ]
        result = import_master_data(files)
        assert [(e.file, e.line) for e in result.errors] == [("leases.csv", None), ("more.csv", None)]
        assert "Unknown file kind “leases”" in result.errors[0].message
        assert "give one file per kind" in result.errors[1].message
        assert not result.committed and Company.objects.count() == 0

    def test_unreadable_file_is_reported(self, tmp_path):
        result = import_master_data([ImportFile.from_path(tmp_path / "gone" / "companies.csv")])
        assert messages(result) == [
            ("companies.csv", None, "The file could not be read: No such file or directory")
        ]
        assert not result.committed


class TestRunRecord:
    def test_run_records_user_source_files_and_summary(self, export):
        user = UserFactory()
        result = import_master_data(
            export_files(export, "companies"), user=user, source=ImportRun.Source.ADMIN
        )
        run = result.run
        assert (run.user, run.source, run.files, run.committed) == (user, "admin", ["companies.csv"], True)
        assert run.finished_at >= run.started_at
        assert run.summary["counts"] == {
            "companies": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "ended": 0, "removed": 0}
        }
        assert run.summary["error_count"] == 0

    def test_stored_errors_are_capped_with_a_count(self, tmp_path, monkeypatch):
        monkeypatch.setattr(importer, "STORED_ERRORS_MAX", 3)
        text = "erp_id,name\n" + "".join(f"M{i},\n" for i in range(10))
        result = import_master_data([write_csv(tmp_path, "companies.csv", text)])
        assert len(result.errors) == 10
        run = result.run
        assert len(run.errors) == 3
        assert (run.summary["error_count"], run.summary["errors_stored"]) == (10, 3)

    def test_old_runs_are_pruned(self, tmp_path, settings):
        settings.WAGTAIL_TENANTPORTAL = {"IMPORT_KEEP_RUNS": 2}
        file = write_csv(tmp_path, "companies.csv", "erp_id,name\nM01,WG\n")
        runs = [import_master_data([file]).run.pk for _ in range(3)]
        assert sorted(ImportRun.objects.values_list("pk", flat=True)) == runs[1:]

    def test_result_as_dict_is_json_able(self, tmp_path):
        import json

        result = import_master_data([write_csv(tmp_path, "companies.csv", "erp_id,name\nM01,\n")])
        data = json.loads(json.dumps(result.as_dict()))
        assert data["committed"] is False and data["error_count"] == 1
        assert data["errors"] == [
            {"file": "companies.csv", "line": 2, "message": "name: a value is required"}
        ]
        assert data["run"] == result.run.pk
        assert isinstance(result, ImportResult) and isinstance(result.errors[0], RowError)
        assert str(result.errors[0]) == "companies.csv, line 2: name: a value is required"


class TestQueryCount:
    def export(self, directory, n):
        """n units, parties and contracts with one contract party each, in one company."""
        rows = {
            "companies.csv": ["erp_id,name", "M01,WG"],
            "properties.csv": ["company,erp_id,street,postal_code,city", "M01,WE1,A 1,04109,Leipzig"],
            "units.csv": ["company,erp_id,property,kind,number,rooms,living_area"],
            "parties.csv": ["company,erp_id,salutation,first_name,last_name,email,birth_date"],
            "contracts.csv": ["company,number,kind,unit,start_date,iban"],
            "contract_parties.csv": ["company,contract,party,role"],
            "rent_components.csv": ["company,contract,label,amount,valid_from"],
        }
        for i in range(n):
            rows["units.csv"].append(f'M01,E{i},WE1,flat,{i},3,"64,5"')
            rows["parties.csv"].append(f"M01,P{i},Frau,Erika,Muster{i},p{i}@example.org,01.02.1970")
            rows["contracts.csv"].append(f"M01,{1000 + i},rental,E{i},2020-01-01,DE89370400440532013000")
            rows["contract_parties.csv"].append(f"M01,{1000 + i},P{i},main_tenant")
            rows["rent_components.csv"].append(f'M01,{1000 + i},Grundmiete,"400,00",2024-01-01')
        return [write_csv(directory, name, "\n".join(lines) + "\n") for name, lines in rows.items()]

    def count_queries(self, files):
        with CaptureQueriesContext(connection) as ctx:
            result = import_master_data(files)
        assert result.committed and not result.errors, result.errors
        return len(ctx)

    def test_queries_grow_per_batch_not_per_row(self, tmp_path, settings):
        # a batch small enough that SQLite's bulk_create needs no extra INSERT chunks
        settings.WAGTAIL_TENANTPORTAL = {"IMPORT_BATCH_SIZE": 20}
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        small = self.count_queries(self.export(tmp_path / "a", 20))  # one batch per file
        for model in (ContractParty, RentComponent, Contract, Party, Unit, Property, Company):
            model.objects.all().delete()
        large = self.count_queries(self.export(tmp_path / "b", 100))  # five batches per file
        # every extra batch of every file costs the same small, fixed number of queries
        per_batch = (large - small) / (4 * 5)
        assert per_batch <= 6, (small, large)
        assert large < 100  # a query per row would need at least 500

    def test_re_import_is_constant_per_batch(self, tmp_path, settings):
        settings.WAGTAIL_TENANTPORTAL = {"IMPORT_BATCH_SIZE": 50}
        files = self.export(tmp_path, 200)
        import_master_data(files)
        with CaptureQueriesContext(connection) as ctx:
            result = import_master_data(files)
        assert all(c.unchanged and not (c.created or c.updated) for c in result.counts.values())
        # per file: one look-up of existing rows (+ one of references) per batch of 50
        assert len(ctx) <= 4 * 5 * 3 + 20, [q["sql"][:80] for q in ctx.captured_queries]
