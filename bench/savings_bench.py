"""Benchmark of the savings import and the annual statement.

Creates a test database (SQLite in memory by default; PostgreSQL when ``DATABASE_URL`` is
set, as for the tests), a company with ``--accounts`` accounts of one holder each and
``--bookings`` bookings per account spread over two years, as CSV files; then

1. imports them (``import_savings``), 2. imports the same files again (nothing may change),
3. draws the annual statement of one account with the bookings of one year,
4. counts the queries of the overview of a tenant holding every account.

Prints the counts and times; the last line is ``rows_per_s=… reimport_rows_per_s=…
pdf_ms=… pdf_pages=… overview_queries=…``.

    .venv/bin/python bench/savings_bench.py [--accounts 200] [--bookings 100]
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=100)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0)
    try:
        run(args, connection, CaptureQueriesContext)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args, connection, CaptureQueriesContext):

    from tests.conftest import verified_portal_user
    from tests.factories import CompanyFactory, ContractFactory
    from wagtail_tenantportal.savings import services, statement
    from wagtail_tenantportal.savings.models import SavingsAccount

    company = CompanyFactory(erp_id="B")
    tenant = verified_portal_user(ContractFactory(unit__property__company=company))
    party = tenant.tenantportal_account.party_links.get().party
    party.erp_id = "P"
    party.save()

    tmp = Path(tempfile.mkdtemp())
    start = datetime.date(2024, 1, 1)
    with open(tmp / "savings_accounts.csv", "w", encoding="utf-8") as out:
        out.write("company;erp_id;number;product;interest_rate;opened_on\n")
        for a in range(args.accounts):
            out.write(f"B;S{a};{10000 + a};Spareinlage mit dreimonatiger Kündigungsfrist;0,5;01.01.2024\n")
    with open(tmp / "savings_holders.csv", "w", encoding="utf-8") as out:
        out.write("company;account;party\n")
        for a in range(args.accounts):
            out.write(f"B;S{a};P\n")
    with open(tmp / "savings_transactions.csv", "w", encoding="utf-8") as out:
        out.write("company;account;erp_id;booking_date;amount;balance_after;text\n")
        for a in range(args.accounts):
            balance = 0
            for b in range(args.bookings):
                day = start + datetime.timedelta(days=b * 730 // args.bookings)
                balance += 1000
                out.write(
                    f"B;S{a};U{b};{day:%d.%m.%Y};10,00;{balance // 100},{balance % 100:02d};Einzahlung\n"
                )
    files = [services.savings_file(p) for p in sorted(tmp.glob("*.csv"))]
    rows = args.accounts * (args.bookings + 2)

    began = time.perf_counter()
    result = services.import_savings(files)
    first = time.perf_counter() - began
    assert result.committed and not result.errors, result.errors[:3]
    began = time.perf_counter()
    again = services.import_savings(files)
    second = time.perf_counter() - began
    assert all(c.created == c.updated == 0 for c in again.counts.values())
    print(f"import: {rows} rows in {first:.2f} s; again (unchanged): {second:.2f} s")

    account = SavingsAccount.objects.get(erp_id="S0")
    began = time.perf_counter()
    built = statement.build(account, 2024, today=datetime.date(2026, 1, 15))
    pdf = statement.render(built)
    pdf_ms = (time.perf_counter() - began) * 1000
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    print(
        f"statement 2024: {len(built.transactions)} bookings, {pages} pages, {len(pdf)} bytes, {pdf_ms:.0f} ms"
    )

    with CaptureQueriesContext(connection) as queries:
        context = services.overview_context(tenant)
    print(f"overview: {len(context['accounts'])} accounts in {len(queries)} queries")
    print(
        f"rows_per_s={rows / first:.0f} reimport_rows_per_s={rows / second:.0f} "
        f"pdf_ms={pdf_ms:.0f} pdf_pages={pages} overview_queries={len(queries)}"
    )


if __name__ == "__main__":
    main()
