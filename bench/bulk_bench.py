"""Benchmark of a bulk distribution: a ZIP of 10,000 small PDFs, one per contract.

1. setup (own process): migrates a database (SQLite in a temp dir, or PostgreSQL with
   ``--postgres``), creates a company with 10,000 contracts, one party each, and portal
   accounts with e-delivery consent for a share of them (``--consent``, default 10 %);
2. builds the ZIP (deflated): 10,000 distinct one-page PDFs of about 2 KB, named
   ``<contract number>_BK2025.pdf``;
3. distributes it (own process, fresh): ``services.distribute_zip`` streams member by
   member, stores each PDF in the private storage (a folder in the temp dir), writes the
   documents and deliveries in batches and, after the commit, sends the notices to the
   consenting tenants (django-tasks' immediate backend, mails to memory);
4. distributes the same ZIP again: nothing may be published twice.

Prints the counts and times and, as the last line, ``files_per_s=… peak_mb=…`` of the first
distribution; peak_mb is the peak RSS of the distributing process (Django included).
Targets: at least 200 files/s, below 300 MB.

    .venv/bin/python bench/bulk_bench.py [--files 10000] [--consent 0.1] [--postgres]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "tenantportal_docbench"

SETTINGS = """
import os
import dj_database_url
from tests.settings import *  # noqa: F403

DATABASES = {"default": dj_database_url.parse(os.environ["BENCH_DATABASE_URL"], conn_max_age=600)}
STORAGES = {
    **STORAGES,  # noqa: F405
    "tenantportal_private": {
        "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": os.environ["BENCH_PRIVATE"]},
    },
}
"""


def setup_django(work_dir, database_url):
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(work_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_bulk_settings"
    os.environ["BENCH_DATABASE_URL"] = database_url
    os.environ["BENCH_PRIVATE"] = str(Path(work_dir) / "private")
    import django

    django.setup()


def number(i):
    return f"1{i:07d}"


def child_setup(work_dir, database_url, files, consent):
    setup_django(work_dir, database_url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from wagtail_tenantportal.accounts.models import AccountParty, Consent, PortalAccount
    from wagtail_tenantportal.tenancy.models import Company, Contract, ContractParty, Party, Property, Unit

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    company = Company.objects.create(name="WG Lindenhof", slug="lindenhof", legal_form="eG")
    prop = Property.objects.create(company=company, erp_id="WE1", street="Lindenstraße 7", city="Leipzig")
    units = Unit.objects.bulk_create(
        Unit(company=company, property=prop, erp_id=f"E{i:06d}", number=f"{i:05d}") for i in range(files)
    )
    contracts = Contract.objects.bulk_create(
        Contract(company=company, number=number(i), unit=units[i]) for i in range(files)
    )
    parties = Party.objects.bulk_create(
        Party(
            company=company,
            erp_id=f"P{i:06d}",
            last_name=f"Mustermann{i}",
            street=f"Lindenstraße {i % 90 + 1}",
            postal_code="04109",
            city="Leipzig",
        )
        for i in range(files)
    )
    ContractParty.objects.bulk_create(
        ContractParty(contract=c, party=p) for c, p in zip(contracts, parties, strict=True)
    )
    with_consent = int(files * consent)
    password = make_password("bench")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"m{i}@example.org", email=f"m{i}@example.org", password=password)
        for i in range(with_consent)
    )
    now = timezone.now()
    accounts = PortalAccount.objects.bulk_create(
        PortalAccount(user=user, email_verified_at=now, contact_checked_at=now) for user in users
    )
    AccountParty.objects.bulk_create(
        AccountParty(account=account, party=parties[i]) for i, account in enumerate(accounts)
    )
    Consent.objects.bulk_create(
        Consent(account=account, kind=Consent.Kind.E_DELIVERY, version="1") for account in accounts
    )
    return {"setup_s": time.perf_counter() - started, "consenting": with_consent}


def pdf_template():
    """An uncompressed one-page PDF whose text holds a 8-character placeholder."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=0, invariant=1)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 760, "Wohnungsgenossenschaft Lindenhof eG")
    canvas.drawString(72, 700, "Betriebskostenabrechnung 2025 fuer Vertrag XXXXXXXX")
    for line in range(20):
        canvas.drawString(
            72,
            660 - line * 14,
            f"Position {line + 1}: Heizung, Wasser, Muell ........ {line * 13.37:.2f} EUR",
        )
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def build_zip(path, files):
    template = pdf_template()
    assert template.count(b"XXXXXXXX") == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(files):
            # Same length as the placeholder: the PDF's offsets stay valid.
            archive.writestr(
                f"BK2025/{number(i)}_BK2025.pdf", template.replace(b"XXXXXXXX", number(i).encode())
            )
    return len(template)


def child_distribute(work_dir, database_url, zip_path):
    import resource

    setup_django(work_dir, database_url)
    from django.core import mail

    from wagtail_tenantportal.documents import services
    from wagtail_tenantportal.tenancy.models import Company

    mail.outbox = []
    company = Company.objects.get(slug="lindenhof")
    results = []
    for _round in range(2):
        started = time.perf_counter()
        with open(zip_path, "rb") as handle:
            run = services.distribute_zip(
                handle,
                category="operating_cost_statement",
                title="Betriebskostenabrechnung 2025",
                company=company,
            )
        elapsed = time.perf_counter() - started
        results.append(
            {
                "seconds": elapsed,
                "counts": run.counts,
                "status": run.status,
                "problems": run.problems[:5],
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "mails": len(mail.outbox),
            }
        )
    return results


def run_child(*args):
    result = subprocess.run(  # noqa: S603  (our own script)
        [sys.executable, __file__, "--child", *map(str, args)], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _pg(sql):
    import psycopg

    base, _sep, _db = PG_URL.rpartition("/")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)
    return f"{base}/{PG_DB}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--consent", type=float, default=0.1, help="share of tenants with e-delivery consent")
    parser.add_argument(
        "--postgres", action="store_true", help=f"use PostgreSQL ({PG_URL}, database {PG_DB})"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, work_dir, database_url, *rest = args.child
        if step == "setup":
            result = child_setup(work_dir, database_url, int(rest[0]), float(rest[1]))
        else:
            result = child_distribute(work_dir, database_url, rest[0])
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="tenantportal-bulk-bench-") as work_dir:
        (Path(work_dir) / "bench_bulk_settings.py").write_text(SETTINGS)
        if args.postgres:
            _pg(f"DROP DATABASE IF EXISTS {PG_DB}")
            database_url = _pg(f"CREATE DATABASE {PG_DB}")
        else:
            database_url = f"sqlite:///{Path(work_dir) / 'bench.sqlite3'}"
        try:
            setup = run_child("setup", work_dir, database_url, args.files, args.consent)
            print(
                f"setup: {args.files} contracts, {setup['consenting']} tenants with e-delivery consent "
                f"({setup['setup_s']:.1f} s); database: {'PostgreSQL' if args.postgres else 'SQLite'}"
            )
            zip_path = Path(work_dir) / "bk2025.zip"
            started = time.perf_counter()
            pdf_size = build_zip(zip_path, args.files)
            print(
                f"ZIP: {args.files} PDFs of {pdf_size} bytes, {zip_path.stat().st_size / 1024 / 1024:.1f} MB "
                f"deflated, built in {time.perf_counter() - started:.1f} s"
            )
            first, second = run_child("distribute", work_dir, database_url, zip_path)
        finally:
            if args.postgres:
                _pg(f"DROP DATABASE IF EXISTS {PG_DB}")
    counts = first["counts"]
    assert first["status"] == "done" and counts["published"] == args.files, first
    assert second["counts"]["published"] == 0 and second["counts"]["already_published"] == args.files, second
    files_per_s = args.files / first["seconds"]
    print(
        f"first run: {counts['published']} published in {first['seconds']:.1f} s, "
        f"{first['mails']} notice mails sent; counts {counts}"
    )
    print(
        f"second run (same ZIP): {second['counts']['already_published']} already published, 0 new, "
        f"{second['seconds']:.1f} s ({args.files / second['seconds']:.0f} files/s)"
    )
    print(f"files_per_s={files_per_s:.0f} peak_mb={first['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
