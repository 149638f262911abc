"""The savings CSV import: an idempotent upsert with German formats and per-row errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import ContractFactory, PartyFactory
from wagtail_tenantportal.savings.importer import savings_file
from wagtail_tenantportal.savings.models import (
    ExemptionOrder,
    SavingsAccount,
    SavingsAccountHolder,
    SavingsTransaction,
)
from wagtail_tenantportal.savings.services import import_savings
from wagtail_tenantportal.tenancy.models import Contract

pytestmark = pytest.mark.django_db

ACCOUNTS = """company;erp_id;number;product;interest_rate;opened_on;closed_on;contract
LH;S-1;4711;Spareinlage mit dreimonatiger Kündigungsfrist;0,5;15.01.2024;;SV-1
LH;S-2;4712;Wachstumssparen;1,250;2024-03-01;;
"""
HOLDERS = """company;account;party
LH;S-1;P-1
LH;S-1;P-2
LH;S-2;P-1
"""
TRANSACTIONS = """company;account;erp_id;booking_date;value_date;amount;balance_after;kind;text;sequence
LH;S-1;U1;15.01.2024;15.01.2024;1.000,00;1.000,00;Einzahlung;Ersteinzahlung;
LH;S-1;U2;31.12.2024;31.12.2024;5,00;1.005,00;;Zinsgutschrift 2024;1
LH;S-1;U3;31.12.2024;31.12.2024;-1,32;1.003,68;;Kapitalertragsteuer;2
LH;S-2;U1;01.03.2024;;250,00;250,00;;Einzahlung;
"""
EXEMPTIONS = """company;erp_id;party;amount;valid_from;valid_until;joint
LH;F-1;P-1;2.000,00;01.01.2023;;ja
"""


@pytest.fixture
def master_data(company):
    ContractFactory(company=company, number="SV-1", kind=Contract.Kind.SAVINGS, unit=None)
    PartyFactory(company=company, erp_id="P-1", last_name="Mustermann")
    PartyFactory(company=company, erp_id="P-2", last_name="Musterfrau")


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return savings_file(path)


def all_files(tmp_path, **overrides):
    contents = {
        "savings_accounts.csv": ACCOUNTS,
        "savings_holders.csv": HOLDERS,
        "savings_transactions.csv": TRANSACTIONS,
        "exemption_orders.csv": EXEMPTIONS,
        **overrides,
    }
    return [write(tmp_path, name, content) for name, content in contents.items() if content is not None]


class TestImport:
    def test_imports_everything_with_german_formats(self, tmp_path, master_data):
        result = import_savings(all_files(tmp_path))
        assert result.committed and not result.errors, result.errors
        account = SavingsAccount.objects.with_balance().get(erp_id="S-1")
        assert account.interest_rate == Decimal("0.5") and account.opened_on == datetime.date(2024, 1, 15)
        assert account.contract.number == "SV-1"
        assert account.balance == Decimal("1003.68")
        assert sorted(account.holders.values_list("erp_id", flat=True)) == ["P-1", "P-2"]
        kinds = dict(SavingsTransaction.objects.filter(account=account).values_list("erp_id", "kind"))
        assert kinds == {"U1": "deposit", "U2": "interest", "U3": "tax"}  # guessed from the text
        order = ExemptionOrder.objects.get()
        assert order.amount == Decimal("2000.00") and order.joint and order.valid_until is None
        assert result.counts["savings_transactions"].created == 4

    def test_running_it_again_changes_nothing(self, tmp_path, master_data):
        import_savings(all_files(tmp_path))
        again = import_savings(all_files(tmp_path))
        assert again.committed and not again.errors
        for kind, counts in again.counts.items():
            assert counts.created == counts.updated == counts.removed == 0, kind
            assert counts.unchanged > 0
        assert SavingsTransaction.objects.count() == 4 and SavingsAccountHolder.objects.count() == 3

    def test_changes_update_and_vanished_holders_are_removed(self, tmp_path, master_data):
        import_savings(all_files(tmp_path))
        result = import_savings(
            all_files(
                tmp_path,
                **{
                    "savings_accounts.csv": ACCOUNTS.replace(";0,5;", ";0,75;"),
                    "savings_holders.csv": "company;account;party\nLH;S-1;P-1\n",
                    "savings_transactions.csv": None,
                    "exemption_orders.csv": None,
                },
            )
        )
        assert result.committed, result.errors
        assert (
            result.counts["savings_accounts"].updated == 1
            and result.counts["savings_accounts"].unchanged == 1
        )
        assert result.counts["savings_holders"].removed == 1
        assert SavingsAccount.objects.get(erp_id="S-1").interest_rate == Decimal("0.75")
        # S-2 is not in the holder file: its holder stays.
        assert SavingsAccountHolder.objects.filter(account__erp_id="S-2").count() == 1

    def test_cp1252_and_comma_separated_files(self, tmp_path, master_data):
        accounts = ACCOUNTS.replace(";", ",").replace("0,5", '"0,5"').replace("1,250", '"1,250"')
        files = [write(tmp_path, "savings_accounts.csv", accounts, encoding="cp1252")]
        result = import_savings(files)
        assert result.committed, result.errors
        assert SavingsAccount.objects.get(erp_id="S-1").product_name.endswith("Kündigungsfrist")

    def test_row_errors_name_file_line_and_reason_and_nothing_is_saved(self, tmp_path, master_data):
        bad = TRANSACTIONS + (
            "LH;S-9;U9;01.01.2025;;1,00;1,00;;;\n"
            "LH;S-1;U4;32.13.2025;;1,00;1,00;;;\n"
            "LH;S-1;U5;01.01.2025;;zehn;1,00;;;\n"
            "LH;S-1;U1;01.01.2025;;1,00;1,00;;;\n"
            "XX;S-1;U6;01.01.2025;;1,00;1,00;;;\n"
        )
        result = import_savings(all_files(tmp_path, **{"savings_transactions.csv": bad}))
        assert not result.committed and SavingsAccount.objects.count() == 0
        messages = {error.line: error.message for error in result.errors}
        assert all(error.file == "savings_transactions.csv" for error in result.errors)
        assert "no savings account" in messages[6] and "S-9" in messages[6]
        assert "is not a date" in messages[7]
        assert "is not a number" in messages[8]
        assert "duplicate key" in messages[9] and "line 2" in messages[9]
        assert "no company" in messages[10]
        assert result.counts["savings_transactions"].rejected == 5

    def test_partial_saves_the_valid_rows(self, tmp_path, master_data):
        holders = HOLDERS + "LH;S-1;P-404\n"
        result = import_savings(all_files(tmp_path, **{"savings_holders.csv": holders}), partial=True)
        assert result.committed and len(result.errors) == 1 and "P-404" in result.errors[0].message
        assert SavingsAccountHolder.objects.count() == 3

    def test_dry_run_saves_nothing(self, tmp_path, master_data):
        result = import_savings(all_files(tmp_path), dry_run=True)
        assert not result.committed and not result.errors
        assert result.counts["savings_accounts"].created == 2
        assert not SavingsAccount.objects.exists()

    def test_a_contract_that_is_no_savings_agreement_is_refused(self, tmp_path, master_data, company):
        ContractFactory(unit__property__company=company, number="M-1")
        accounts = ACCOUNTS.replace(";SV-1", ";M-1")
        result = import_savings([write(tmp_path, "savings_accounts.csv", accounts)])
        assert "not a savings agreement" in result.errors[0].message and result.errors[0].line == 2

    def test_file_problems(self, tmp_path, master_data):
        result = import_savings([write(tmp_path, "exemption_orders.csv", "company;erp_id;foo\nLH;F;x\n")])
        assert result.errors[0].line is None
        assert "Unknown columns: foo" in result.errors[0].message
        assert "Required columns missing: party, amount, valid_from" in result.errors[0].message
        with pytest.raises(ValueError):
            savings_file(tmp_path / "umsaetze.csv")


class TestCommand:
    def test_the_command_imports_a_directory(self, tmp_path, master_data, capsys):
        all_files(tmp_path)
        (tmp_path / "contracts.csv").write_text("company;number\n")  # master data lives here too
        call_command("tenantportal_import_savings", str(tmp_path))
        assert SavingsTransaction.objects.count() == 4
        assert "The import was saved." in capsys.readouterr().out

    def test_dry_run_and_errors(self, tmp_path, master_data):
        files = all_files(tmp_path)
        call_command("tenantportal_import_savings", "--dry-run", *[str(tmp_path / f.name) for f in files])
        assert not SavingsAccount.objects.exists()
        write(tmp_path, "savings_holders.csv", HOLDERS + "LH;S-1;P-404\n")
        with pytest.raises(CommandError, match="Nothing was saved"):
            call_command("tenantportal_import_savings", str(tmp_path))
