"""Benchmark: issue registration codes and print 10,000 letters into one PDF.

Sets up Django with ``tests.settings`` and a temporary SQLite file, creates a company with
10,000 parties, each on its own rental contract, then times ``services.issue_letters``
(select, issue codes with their audit-log entries, render, write the PDF) and reports
letters per second, the PDF size and the peak memory: the maximum resident set size of the
process that prints, including Django itself. The test data is created beforehand by a
separate process, so its memory does not count.

    .venv/bin/python bench/letters_bench.py [--letters 10000] [--keep out.pdf]

Target: at least 300 letters/s and a peak below 300 MB. The last line is
``letters_per_s=… peak_mb=…``.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(db_path, migrate=False):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def create_data(count):
    import datetime

    from wagtail_tenantportal.tenancy.models import Company, Contract, ContractParty, Party, Property, Unit

    company = Company.objects.create(
        name="Wohnungsgenossenschaft Lindenhof",
        legal_form="eG",
        slug="lindenhof",
        street="Hauptstraße 1",
        postal_code="04109",
        city="Leipzig",
        phone="0341 123456",
        email="info@lindenhof.example",
        sender_line="WG Lindenhof eG · Hauptstraße 1 · 04109 Leipzig",
        management_board="Anna Schmidt, Bernd Meier",
        supervisory_board_chair="Clara Weiß",
        register_court="Amtsgericht Leipzig",
        register_number="GnR 123",
        bank_name="Sparkasse Leipzig",
        iban="DE02120300000000202051",
        bic="BYLADEM1001",
    )
    properties = Property.objects.bulk_create(
        Property(
            company=company,
            erp_id=f"WE{i:04d}",
            street=f"Lindenstraße {i}",
            postal_code="04109",
            city="Leipzig",
        )
        for i in range(100)
    )
    units = Unit.objects.bulk_create(
        Unit(company=company, property=properties[i % 100], erp_id=f"E{i:06d}", number=f"{i % 40:02d}")
        for i in range(count)
    )
    salutations = ["ms", "mr", "family", ""]
    parties = Party.objects.bulk_create(
        Party(
            company=company,
            erp_id=f"P{i:06d}",
            salutation=salutations[i % 4],
            first_name="Erika" if i % 2 else "Max",
            last_name=f"Mustermann{i}",
            street=f"Lindenstraße {i % 100}",
            postal_code="04109",
            city="Leipzig",
        )
        for i in range(count)
    )
    contracts = Contract.objects.bulk_create(
        Contract(company=company, number=f"1{i:07d}", unit=units[i], start_date=datetime.date(2020, 1, 1))
        for i in range(count)
    )
    ContractParty.objects.bulk_create(
        ContractParty(contract=contract, party=party)
        for contract, party in zip(contracts, parties, strict=True)
    )
    return company


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--keep", metavar="PDF", help="Keep the PDF at this path.")
    parser.add_argument("--setup", metavar="DB", help=argparse.SUPPRESS)  # internal: create the data
    args = parser.parse_args()

    if args.setup:
        setup_django(args.setup, migrate=True)
        started = time.perf_counter()
        create_data(args.letters)
        print(f"data: {args.letters} parties and contracts in {time.perf_counter() - started:.1f} s")
        return

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        subprocess.run(  # noqa: S603 (our own script)
            [sys.executable, __file__, "--setup", str(db_path), "--letters", str(args.letters)], check=True
        )
        setup_django(db_path)
        from wagtail_tenantportal.accounts import services
        from wagtail_tenantportal.accounts.models import RegistrationCode
        from wagtail_tenantportal.tenancy.models import Company

        company = Company.objects.get(slug="lindenhof")
        pdf_path = Path(args.keep) if args.keep else Path(tmp) / "letters.pdf"
        started, cpu_started = time.perf_counter(), time.process_time()
        with open(pdf_path, "wb") as out:
            batch = services.issue_letters(
                services.select_parties(company=company, unregistered=True), out, contract_kind="rental"
            )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

        assert batch.count == args.letters, batch.count
        assert RegistrationCode.objects.active().count() == args.letters
        size_mb = pdf_path.stat().st_size / 1024 / 1024
        print(
            f"letters: {batch.count} in {elapsed:.1f} s; "
            f"PDF {size_mb:.1f} MB ({size_mb * 1024 / batch.count:.1f} KB per letter)"
        )
        try:
            import _rl_accel  # noqa: F401

            accel = "with"
        except ImportError:
            accel = "without"
        # CPU time tells how fast this is regardless of other load on the machine.
        print(f"CPU time {cpu:.1f} s: {batch.count / cpu:.0f} letters per CPU second")
        print(f"ReportLab {accel} its C accelerator (rl_accel); target >= 300 letters/s, peak < 300 MB")
        print(f"letters_per_s={batch.count / elapsed:.0f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
