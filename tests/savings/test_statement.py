"""The annual statement: the right figures, German formatting, letterhead, several pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.savings.conftest import book, pdf_text
from wagtail_tenantportal.savings import statement
from wagtail_tenantportal.savings.services import StatementUnavailable, statement_pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)


class TestFigures:
    def test_opening_closing_and_totals_of_2025(self, account):
        built = statement.build(account, 2025, today=TODAY)
        assert str(built.opening_balance) == "1005.00"
        assert str(built.closing_balance) == "1309.79"
        assert str(built.interest) == "6.50" and str(built.tax) == "-1.71"
        assert [t.text for t in built.transactions] == [
            "Einzahlung",
            "Auszahlung",
            "Zinsen 2025",
            "Kapitalertragsteuer",
        ]
        assert not built.interim

    def test_the_first_year_opens_with_the_balance_before_its_first_booking(self, account):
        built = statement.build(account, 2024, today=TODAY)
        assert str(built.opening_balance) == "0.00" and str(built.closing_balance) == "1005.00"

    def test_a_year_without_bookings_carries_the_balance(self, account):
        built = statement.build(account, 2026, today=TODAY)
        assert built.interim and built.transactions == []
        assert (
            built.opening_balance
            == built.closing_balance
            == account.transactions.get(text="Kapitalertragsteuer").balance_after
        )

    def test_years_outside_the_account_have_no_statement(self, account):
        for year in (2023, 2027):
            with pytest.raises(StatementUnavailable):
                statement.build(account, year, today=TODAY)

    def test_queries_do_not_grow_with_the_bookings(self, account):
        with CaptureQueriesContext(connection) as few:
            statement.build(account, 2025, today=TODAY)
        for n in range(40):
            book(account, datetime.date(2025, 8, 1), "1.00", "2000.00", sequence=n + 10)
        with CaptureQueriesContext(connection) as many:
            statement.build(account, 2025, today=TODAY)
        assert len(many) == len(few) <= 5


class TestPdf:
    def test_the_pdf_shows_the_figures_in_german(self, account, company):
        filename, pdf = statement_pdf(account, 2025, today=TODAY)
        assert filename == "Jahreskontoauszug_4711_2025.pdf"
        text = pdf_text(pdf)
        assert "1.005,00 €" in text  # opening balance
        assert "1.309,79 €" in text  # closing balance
        assert "6,50 €" in text and "-1,71 €" in text and "-200,00 €" in text
        assert "01.01.2025" in text and "31.12.2025" in text and "30.06.2025" in text
        assert "4711" in text and "Erika Mustermann" in text and "Max Mustermann" in text
        assert "0,50 %" in text
        assert "Wohnungsgenossenschaft Lindenhof" in text  # letterhead
        assert "Zinsen 2024" not in text  # another year
        assert "1.000,00 €" in text  # the exemption order

    def test_the_same_figures_give_the_same_bytes(self, account):
        assert statement_pdf(account, 2025, today=TODAY)[1] == statement_pdf(account, 2025, today=TODAY)[1]

    def test_many_bookings_run_onto_further_pages(self, account):
        for n in range(120):
            book(
                account, datetime.date(2025, 9, 1), "1.00", f"{1400 + n}.00", text=f"Buchung {n}", sequence=n
            )
        _name, pdf = statement_pdf(account, 2025, today=TODAY)
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) >= 3
        text = pdf_text(pdf)
        assert "Buchung 0" in text and "Buchung 119" in text and "1.309,79 €" in text

    def test_names_outside_windows_1252_are_transliterated(self, account, tenant):
        tenant.party.last_name = "Łukasiewicz"
        tenant.party.save()
        assert "Lukasiewicz" in pdf_text(statement_pdf(account, 2025, today=TODAY)[1])
