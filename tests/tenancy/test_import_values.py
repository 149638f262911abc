"""Bad input for the import: every rejected row is named with file, line and a clear message."""

import datetime
from decimal import Decimal

import pytest

from wagtail_tenantportal.core.importing import Invalid, decimal_parser, parse_date
from wagtail_tenantportal.tenancy.models import Company, Contract, ContractParty, Party, Property, Unit
from wagtail_tenantportal.tenancy.services import EntityCounts, import_master_data

from .import_helpers import export_dir, export_files, messages, write_csv

TODAY = datetime.date(2026, 3, 15)


@pytest.fixture
def base(tmp_path):
    """The sample export imported, so single files can refer to its rows."""
    result = import_master_data(export_files(export_dir(tmp_path)), today=TODAY)
    assert result.committed and not result.errors
    return tmp_path


def run_one(directory, name, text, **kwargs):
    return import_master_data([write_csv(directory, name, text)], today=TODAY, **kwargs)


class TestConverters:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1234.56", "1234.56"),
            ("1234,56", "1234.56"),
            ("1.234,56", "1234.56"),
            ("1,234.56", "1234.56"),
            ("1.234.567", "1234567"),
            ("-12,5", "-12.5"),
            ("0", "0"),
            ("12.50", "12.5"),
            ("12.500", "12.5"),
            ("1 234,56", "1234.56"),
        ],
    )
    def test_amounts(self, text, expected):
        assert decimal_parser(10, 2, signed=True)(text) == Decimal(expected)

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("12,345", "has more than 2 decimal places"),
            ("abc", "is not a number"),
            ("1,2,3", "is not a number"),
            ("NaN", "is not a number"),
            ("123456789", "is too large"),
            ("-1", "must not be negative"),
        ],
    )
    def test_bad_amounts(self, text, problem):
        with pytest.raises(Invalid, match=problem):
            decimal_parser(10, 2)(text)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2026-01-31", datetime.date(2026, 1, 31)),
            ("31.01.2026", datetime.date(2026, 1, 31)),
            ("1.2.2026", datetime.date(2026, 2, 1)),
        ],
    )
    def test_dates(self, text, expected):
        assert parse_date(text) == expected

    @pytest.mark.parametrize(
        "text", ["2026-02-30", "31.13.2026", "20260131", "2026/01/31", "31.01.26", "morgen"]
    )
    def test_bad_dates(self, text):
        with pytest.raises(Invalid, match="is not a date"):
            parse_date(text)


@pytest.mark.django_db
class TestCellErrors:
    @pytest.mark.parametrize(
        ("name", "header", "row", "message"),
        [
            ("units.csv", "company,erp_id,property,kind,number", "M01,E9,WE01,villa,9",
             "kind: “villa” is not one of: flat, parking, commercial, Wohnung, Stellplatz, Garage, Gewerbe, Gewerbeeinheit"),
            ("units.csv", "company,erp_id,property,kind,number,rooms", "M01,E9,WE01,flat,9,3.25",
             "rooms: “3.25” has more than 1 decimal place"),
            ("units.csv", "company,erp_id,property,kind,number,living_area", "M01,E9,WE01,flat,9,viel",
             "living_area: “viel” is not a number (use 1234.56 or 1.234,56)"),
            ("units.csv", "company,erp_id,property,kind,number", "M01,E9,WE99,flat,9",
             "property: no property with ERP id “WE99” in company “M01”"),
            ("units.csv", "company,erp_id,property,kind,number", "M07,E9,WE01,flat,9",
             "company: no company with ERP id “M07”"),
            ("units.csv", "company,erp_id,property,kind,number", "M01,E9,WE01,flat,",
             "number: a value is required"),
            ("units.csv", "company,erp_id,property,kind,number", "M01,E9,WE01,flat," + "9" * 41,
             "number: the value is longer than 40 characters"),
            ("properties.csv", "company,erp_id,street,postal_code,city,year_built", "M01,WE9,A 1,04109,L,neunzehn",
             "year_built: “neunzehn” is not a whole number from 1000 to 2999"),
            ("parties.csv", "company,erp_id,last_name,email", "M01,P9,Muster,kein-at.example.org",
             "email: “kein-at.example.org” is not a valid email address"),
            ("parties.csv", "company,erp_id,last_name,birth_date", "M01,P9,Muster,30.02.1970",
             "birth_date: “30.02.1970” is not a date (use 2026-01-31 or 31.01.2026)"),
            ("parties.csv", "company,erp_id,last_name,salutation", "M01,P9,Muster,Eure Majestät",
             "salutation: “Eure Majestät” is not one of: mr, ms, diverse, family, company, Herr, Herrn, Frau, Divers, Familie, Firma"),
            ("parties.csv", "company,erp_id,last_name,country", "M01,P9,Muster,Deutschland",
             "country: “Deutschland” is not a two-letter country code such as DE"),
            ("companies.csv", "erp_id,name,website", "M9,WG,nicht eine url",
             "website: “nicht eine url” is not a valid web address"),
            ("contracts.csv", "company,number,kind,unit,iban", "M01,77,rental,E001,DE89 3704 0044 0532 0130 01",
             "iban: “DE89 3704 0044 0532 0130 01” is not a valid IBAN"),
            ("contracts.csv", "company,number,kind,unit,bic", "M01,77,rental,E001,COBADE",
             "bic: “COBADE” is not a valid BIC"),
            ("contracts.csv", "company,number,kind,unit", "M01,77,lease,E001",
             "kind: “lease” is not one of: rental, parking, membership, savings, Mietvertrag, Stellplatz, Stellplatzvertrag, Mitgliedschaft, Sparvertrag"),
            ("contracts.csv", "company,number,kind,unit", "M01,77,rental,",
             "unit: a unit is required for rental and parking contracts"),
            ("contracts.csv", "company,number,kind", "M01,77,parking",
             "unit: a unit is required for rental and parking contracts"),
            ("contracts.csv", "company,number,kind,unit", "M01,77,rental,E404",
             "unit: no unit with ERP id “E404” in company “M01”"),
            ("contracts.csv", "company,number,kind,unit", "M02,77,rental,E003",
             "unit: no unit with ERP id “E003” in company “M02”"),
            ("contracts.csv", "company,number,kind,unit,start_date,end_date", "M01,77,rental,E001,2020-01-01,2019-12-31",
             "end_date: the end date lies before the start date"),
            ("contracts.csv", "company,number,kind,status", "M01,77,membership,läuft",
             "status: “läuft” is not one of: active, terminated, ended, aktiv, gekündigt, beendet"),
            ("contract_parties.csv", "company,contract,party,role", "M01,1000001,P404,main_tenant",
             "party: no party with ERP id “P404” in company “M01”"),
            ("contract_parties.csv", "company,contract,party,role", "M01,1000001,P003,landlord",
             "role: “landlord” is not one of: main_tenant, co_tenant, member, Hauptmieter, Hauptmieterin, Mitmieter, Mitmieterin, Mitglied"),
            ("contract_parties.csv", "company,contract,party,role", "M02,1000001,P001,member",
             "contract: no contract with number “1000001” in company “M02”"),
            ("rent_components.csv", "company,contract,label,amount,valid_from", "M01,1000001,Grundmiete,400,01/01/2024",
             "valid_from: “01/01/2024” is not a date (use 2026-01-31 or 31.01.2026)"),
            ("rent_components.csv", "company,contract,label,amount,valid_from", "M01,1000001,Grundmiete,,2024-01-01",
             "amount: a value is required"),
            ("rent_components.csv", "company,contract,label,kind,amount,valid_from", "M01,1000001,Miete,rent,1,2024-01-01",
             "kind: “rent” is not one of: base_rent, operating_costs, heating_costs, surcharge, parking, membership, other, Grundmiete, Betriebskosten, Heizkosten, Zuschlag, Stellplatzmiete, Mitgliedsbeitrag, Sonstiges"),
        ],
    )  # fmt: skip
    def test_bad_cell(self, base, name, header, row, message):
        result = run_one(base, name, f"{header}\n{row}\n")
        assert messages(result) == [(name, 2, message)]
        assert not result.committed
        kind = name.removesuffix(".csv")
        assert result.counts[kind].rejected == 1

    def test_all_problems_of_a_row_in_one_message(self, base):
        result = run_one(
            base, "contracts.csv", "company,number,kind,unit,start_date,iban\nM01,77,rental,,1.1.,DE00\n"
        )
        assert messages(result) == [
            (
                "contracts.csv",
                2,
                "start_date: “1.1.” is not a date (use 2026-01-31 or 31.01.2026); iban: “DE00” is not a valid IBAN; "
                "unit: a unit is required for rental and parking contracts",
            )
        ]

    def test_nul_character_is_rejected(self, base):
        result = run_one(base, "companies.csv", "erp_id,name\nM9,W\x00G\n")
        assert messages(result) == [("companies.csv", 2, "name: contains a NUL character")]

    def test_german_values_are_accepted(self, base):
        text = (
            "company,erp_id,property,kind,number\n"
            "M01,E10,WE01,Wohnung,10\nM01,E11,WE01,Garage,11\nM01,E12,WE01,gewerbe,12\nM01,E13,WE01,STELLPLATZ,13\n"
        )
        result = run_one(base, "units.csv", text)
        assert not result.errors
        kinds = dict(
            Unit.objects.filter(erp_id__in=["E10", "E11", "E12", "E13"]).values_list("erp_id", "kind")
        )
        assert kinds == {"E10": "flat", "E11": "parking", "E12": "commercial", "E13": "parking"}


@pytest.mark.django_db
class TestRowAndFileErrors:
    def test_duplicate_key_rejects_the_later_row(self, tmp_path):
        text = "erp_id,name\nM01,WG Nord\nM02,WG Süd\nM01,WG Nord zwei\n"
        result = run_one(tmp_path, "companies.csv", text, partial=True)
        assert messages(result) == [
            ("companies.csv", 4, "duplicate key “M01”: already on line 2, so this row was rejected")
        ]
        assert Company.objects.get(erp_id="M01").name == "WG Nord"
        assert result.counts["companies"] == EntityCounts(created=2, rejected=1)

    def test_same_erp_id_in_two_companies_is_no_duplicate(self, base):
        text = "company,erp_id,street,postal_code,city\nM01,WE50,A 1,04109,L\nM02,WE50,B 2,04109,L\n"
        result = run_one(base, "properties.csv", text)
        assert not result.errors and Property.objects.filter(erp_id="WE50").count() == 2

    def test_duplicate_key_across_batches(self, base, settings):
        settings.WAGTAIL_TENANTPORTAL = {"IMPORT_BATCH_SIZE": 2}
        text = (
            "company,contract,party,role\n"
            + "M01,1000001,P001,main_tenant\n" * 2
            + "M01,1000002,P003,member\n"
        )
        text += "M01,1000001,P001,co_tenant\n"
        result = run_one(base, "contract_parties.csv", text, partial=True)
        assert messages(result) == [
            (
                "contract_parties.csv",
                3,
                "duplicate key “1000001 / P001”: already on line 2, so this row was rejected",
            ),
            (
                "contract_parties.csv",
                5,
                "duplicate key “1000001 / P001”: already on line 2, so this row was rejected",
            ),
        ]

    def test_duplicate_rent_component(self, base):
        text = "company,contract,label,amount,valid_from\nM01,1000003,Miete,1,2025-01-01\nM01,1000003,Miete,2,01.01.2025\n"
        result = run_one(base, "rent_components.csv", text)
        assert messages(result) == [
            (
                "rent_components.csv",
                3,
                "duplicate key “1000003 / Miete / 2025-01-01”: already on line 2, so this row was rejected",
            )
        ]

    def test_unknown_columns(self, tmp_path):
        result = run_one(tmp_path, "companies.csv", "erp_id,name,Fax,iban\nM01,WG,1,2\n")
        assert messages(result) == [
            (
                "companies.csv",
                None,
                "Unknown columns: fax, iban. Accepted columns: erp_id, name, legal_form, street, postal_code, "
                "city, phone, email, website.",
            )
        ]
        assert result.counts["companies"].rejected == 1 and not Company.objects.exists()

    def test_missing_required_columns(self, tmp_path):
        result = run_one(tmp_path, "units.csv", "company;erp_id;number\nM01;E1;1\n")
        assert messages(result) == [("units.csv", None, "Required columns missing: property, kind.")]

    def test_column_named_twice(self, tmp_path):
        result = run_one(tmp_path, "companies.csv", "erp_id,name,Name\nM01,WG,WG\n")
        assert messages(result) == [("companies.csv", None, "Columns named twice: name.")]

    def test_empty_file(self, tmp_path):
        result = run_one(tmp_path, "companies.csv", "")
        assert messages(result) == [
            ("companies.csv", None, "The file is empty; its first line must name the columns.")
        ]

    def test_header_only_and_blank_lines_are_fine(self, tmp_path):
        result = run_one(tmp_path, "companies.csv", "erp_id,name\n\n,\nM01,WG\n\n")
        assert not result.errors and result.counts["companies"] == EntityCounts(created=1)

    def test_row_with_wrong_number_of_cells(self, tmp_path):
        text = "erp_id,name,city\nM01,WG\nM02,WG,Leipzig,extra\nM03,WG,Halle,\n"
        result = run_one(tmp_path, "companies.csv", text, partial=True)
        assert messages(result) == [
            ("companies.csv", 2, "the row has 2 cells, the header has 3 columns"),
            ("companies.csv", 3, "the row has 4 cells, the header has 3 columns"),
        ]
        assert list(Company.objects.values_list("erp_id", flat=True)) == [
            "M03"
        ]  # a trailing empty cell is fine

    def test_malformed_csv_stops_the_file(self, base):
        text = (
            'company,number,kind\nM01,9000001,membership\nM01,"9000002,membership\nM01,9000003,membership\n'
        )
        result = run_one(base, "contracts.csv", text, partial=True)
        assert len(result.errors) == 1
        error = result.errors[0]
        assert (error.file, error.line) == ("contracts.csv", 3)
        assert (
            error.message.startswith("malformed CSV (")
            and "the rest of the file was not read" in error.message
        )
        # the file was not read to its end: no contract may be ended for missing from it
        assert result.counts["contracts"].ended == 0
        assert not Contract.objects.filter(status=Contract.Status.ENDED).exists()

    def test_nothing_half_imported_across_files(self, tmp_path):
        files = [
            write_csv(tmp_path, "companies.csv", "erp_id,name\nM01,WG\n"),
            write_csv(
                tmp_path,
                "parties.csv",
                "company,erp_id,last_name,email\nM01,P1,A,a@example.org\nM01,P2,B,b@\n",
            ),
        ]
        result = import_master_data(files)
        assert not result.committed
        assert not Company.objects.exists() and not Party.objects.exists()

    def test_rejected_party_link_keeps_existing_link(self, base):
        # partial: the row with a bad role still names the link, so it is not removed
        text = "company,contract,party,role\nM01,1000001,P001,main_tenant\nM01,1000001,P002,Untermieter\n"
        result = run_one(base, "contract_parties.csv", text, partial=True)
        assert result.counts["contract_parties"] == EntityCounts(unchanged=1, rejected=1)
        assert ContractParty.objects.filter(contract__number="1000001").count() == 2
