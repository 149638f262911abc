"""Benchmark of the ERP master-data import.

Generates an export (a few companies, properties, one unit per contract, parties, contracts,
contract parties) as Windows-1252 CSV files with ``;``, then per database (SQLite in a temp
dir; PostgreSQL when reachable):

1. imports it with ``import_master_data`` into a freshly migrated database,
2. imports it again (every row must be "unchanged"),
3. loads the same CSVs into another freshly migrated database with a plain ``bulk_create``
   (csv module, model instances, no validation, no change detection): the baseline.

Prints rows/s, the ratio baseline_time / import_time (>= 0.5 is the target), the peak RSS of
the importing process, and as the very last line ``rows_per_s=… ratio=… peak_mb=…`` for the
main run (SQLite). Every step runs in its own process, so memory and caches do not leak
between them.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--no-postgres]
"""

import argparse
import csv
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "tenantportal_bench"
FILES = ["companies", "properties", "units", "parties", "contracts", "contract_parties"]
ENCODING = "cp1252"
DELIMITER = ";"

FIRST_NAMES = [
    "Jürgen",
    "Erika",
    "Max",
    "Sören",
    "Käthe",
    "Björn",
    "Ute",
    "Günter",
    "Maria",
    "Ömer",
    "Anja",
    "Paul",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Weiß",
    "Groß",
    "Böhm",
    "Fuchs",
    "Krüger",
    "Schäfer",
    "Hoffmann",
    "Weber",
    "Ott",
]
STREETS = ["Lindenstraße", "Gartenweg", "Am Mühlgraben", "Südstraße", "Kastanienallee", "Straße des Friedens"]


# --------------------------------------------------------------------------------------------
# Data generation (no Django needed)
# --------------------------------------------------------------------------------------------


def iban_for(n):
    bban = f"{37040044:08d}{n:010d}"
    check = 98 - int(bban + "131400") % 97
    return f"DE{check:02d}{bban}"


def generate(directory, contracts):
    rng = random.Random(4711)
    companies = [
        ("M01", "Wohnungsgenossenschaft Lindenau"),
        ("M02", "Bauverein Süd"),
        ("M03", "WG Glück auf"),
    ]

    def writer(name):
        handle = open(os.path.join(directory, f"{name}.csv"), "w", encoding=ENCODING, newline="")
        return handle, csv.writer(handle, delimiter=DELIMITER)

    files = {name: writer(name) for name in FILES}
    heads = {
        "companies": [
            "erp_id",
            "name",
            "legal_form",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
        ],
        "properties": ["company", "erp_id", "name", "street", "postal_code", "city", "year_built"],
        "units": ["company", "erp_id", "property", "kind", "number", "floor", "rooms", "living_area"],
        "parties": [
            "company",
            "erp_id",
            "kind",
            "salutation",
            "title",
            "first_name",
            "last_name",
            "street",
            "postal_code",
            "city",
            "email",
            "phone",
            "birth_date",
        ],  # fmt: skip
        "contracts": [
            "company",
            "number",
            "kind",
            "unit",
            "start_date",
            "end_date",
            "status",
            "account_holder",
            "iban",
            "bic",
            "sepa_mandate_reference",
        ],  # fmt: skip
        "contract_parties": ["company", "contract", "party", "role"],
    }
    counts = dict.fromkeys(FILES, 0)
    for name, (_handle, out) in files.items():
        out.writerow(heads[name])

    def write(name, row):
        files[name][1].writerow(row)
        counts[name] += 1

    for erp_id, name in companies:
        write(
            "companies",
            [erp_id, name, "eG", "Hauptstraße 1", "04109", "Leipzig", "0341 12345", "info@example.org", ""],
        )
    properties_per_company = max(1, contracts // 30 // len(companies))
    party_no = 0
    for n in range(contracts):
        company = companies[n % len(companies)][0]
        prop = f"WE{(n // len(companies)) % properties_per_company:05d}"
        if n < properties_per_company * len(companies):
            p = n // len(companies)
            street = f"{STREETS[p % len(STREETS)]} {p % 90 + 1}"
            write(
                "properties",
                [company, f"WE{p:05d}", "", street, f"04{p % 1000:03d}", "Leipzig", 1900 + p % 120],
            )
        parking = n % 10 == 9
        unit = f"E{n:07d}"
        if parking:
            write("units", [company, unit, prop, "Stellplatz", f"S{n % 50}", "", "", ""])
        else:
            area = f"{rng.randint(30, 120)},{rng.randint(0, 99):02d}"
            write(
                "units",
                [
                    company,
                    unit,
                    prop,
                    "Wohnung",
                    f"{n % 40:03d}",
                    f"{n % 5}. OG",
                    rng.choice(["2", "3", "2,5", "4"]),
                    area,
                ],
            )
        number = f"{1000000 + n}"
        start = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randint(0, 12000))
        start_text = start.isoformat() if n % 2 else start.strftime("%d.%m.%Y")
        end_text = "" if n % 20 else (start + datetime.timedelta(days=3000)).isoformat()
        tenants = 2 if n % 3 == 0 else 1
        holder = ""
        for t in range(tenants):
            party_no += 1
            party = f"P{party_no:07d}"
            first, last = FIRST_NAMES[party_no % len(FIRST_NAMES)], LAST_NAMES[party_no % len(LAST_NAMES)]
            holder = holder or f"{first} {last}"
            birth = (datetime.date(1940, 1, 1) + datetime.timedelta(days=party_no % 20000)).strftime(
                "%d.%m.%Y"
            )
            write(
                "parties",
                [company, party, "person", "Frau" if party_no % 2 else "Herr", "", first, last,
                 f"{STREETS[n % len(STREETS)]} {n % 90 + 1}", "04109", "Leipzig",
                 f"{party.lower()}@example.org" if party_no % 4 else "", "0341 998877", birth],
            )  # fmt: skip
            write("contract_parties", [company, number, party, "Hauptmieter" if t == 0 else "Mitmieter"])
        write(
            "contracts",
            [company, number, "Stellplatz" if parking else "Mietvertrag", unit, start_text, end_text, "", holder,
             iban_for(n), "COBADEFFXXX" if n % 2 else "", f"MV{number}"],
        )  # fmt: skip
    for handle, _out in files.values():
        handle.close()
    return counts


# --------------------------------------------------------------------------------------------
# Child processes (Django set up with tests.settings and the database given)
# --------------------------------------------------------------------------------------------


def setup_django(database_url):
    sys.path.insert(0, ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child_migrate(database_url):
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def child_import(database_url, data_dir):
    setup_django(database_url)
    from wagtail_tenantportal.tenancy.services import ImportFile, import_master_data

    files = [ImportFile.from_path(os.path.join(data_dir, f"{name}.csv")) for name in FILES]
    rss_before = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    first = import_master_data(files)
    first_time, first_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    second = import_master_data(files)
    second_time, second_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert first.committed and not first.errors, first.errors[:5]
    return {
        "time": first_time,
        "cpu": first_cpu,
        "second_time": second_time,
        "second_cpu": second_cpu,
        "rss_before_mb": rss_before,
        "peak_mb": peak,
        "second_peak_mb": peak_rss_mb(),
        "first": {kind: vars(c) for kind, c in first.counts.items()},
        "second": {kind: vars(c) for kind, c in second.counts.items()},
        "second_all_unchanged": all(
            c.created == c.updated == c.rejected == c.ended == c.removed == 0 for c in second.counts.values()
        ),
    }


def child_baseline(database_url, data_dir):
    """The same rows with the csv module and bulk_create: no validation, no change detection."""
    setup_django(database_url)
    from decimal import Decimal

    from django.db import transaction

    from wagtail_tenantportal.tenancy import models as m

    batch_size = 2000

    def rows(name):
        with open(os.path.join(data_dir, f"{name}.csv"), encoding=ENCODING, newline="") as handle:
            reader = csv.reader(handle, delimiter=DELIMITER)
            header = next(reader)
            for row in reader:
                yield dict(zip(header, row, strict=True))

    def date(text):
        if not text:
            return None
        if "." in text:
            day, month, year = text.split(".")
            return datetime.date(int(year), int(month), int(day))
        return datetime.date.fromisoformat(text)

    def decimal(text):
        return Decimal(text.replace(",", ".")) if text else None

    def load(model, name, build, keys=None, key=None):
        batch = []

        def flush():
            model.objects.bulk_create(batch)
            if keys is not None:
                for obj in batch:
                    keys[key(obj)] = obj.pk
            batch.clear()

        for row in rows(name):
            batch.append(build(row))
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()

    kinds = {"Wohnung": "flat", "Stellplatz": "parking"}
    contract_kinds = {"Mietvertrag": "rental", "Stellplatz": "parking"}
    roles = {"Hauptmieter": "main_tenant", "Mitmieter": "co_tenant"}
    salutations = {"Frau": "ms", "Herr": "mr"}
    started, cpu_started = time.perf_counter(), time.process_time()
    with transaction.atomic():
        companies, properties, units, parties, contracts = {}, {}, {}, {}, {}
        load(
            m.Company,
            "companies",
            lambda r: m.Company(
                erp_id=r["erp_id"],
                name=r["name"],
                slug=r["erp_id"].lower(),
                legal_form=r["legal_form"],
                street=r["street"],
                postal_code=r["postal_code"],
                city=r["city"],
                phone=r["phone"],
                email=r["email"],
                website=r["website"],
            ),  # fmt: skip
            companies,
            lambda o: o.erp_id,
        )
        load(
            m.Property,
            "properties",
            lambda r: m.Property(
                company_id=companies[r["company"]],
                erp_id=r["erp_id"],
                name=r["name"],
                street=r["street"],
                postal_code=r["postal_code"],
                city=r["city"],
                year_built=int(r["year_built"]) if r["year_built"] else None,
            ),  # fmt: skip
            properties,
            lambda o: (o.company_id, o.erp_id),
        )
        load(
            m.Unit,
            "units",
            lambda r: m.Unit(
                company_id=companies[r["company"]],
                erp_id=r["erp_id"],
                property_id=properties[(companies[r["company"]], r["property"])],
                kind=kinds[r["kind"]],
                number=r["number"],
                floor=r["floor"],
                rooms=decimal(r["rooms"]),
                living_area=decimal(r["living_area"]),
            ),  # fmt: skip
            units,
            lambda o: (o.company_id, o.erp_id),
        )
        load(
            m.Party,
            "parties",
            lambda r: m.Party(
                company_id=companies[r["company"]],
                erp_id=r["erp_id"],
                kind=r["kind"],
                salutation=salutations[r["salutation"]],
                title=r["title"],
                first_name=r["first_name"],
                last_name=r["last_name"],
                street=r["street"],
                postal_code=r["postal_code"],
                city=r["city"],
                email=r["email"],
                phone=r["phone"],
                birth_date=date(r["birth_date"]),
            ),  # fmt: skip
            parties,
            lambda o: (o.company_id, o.erp_id),
        )
        load(
            m.Contract,
            "contracts",
            lambda r: m.Contract(
                company_id=companies[r["company"]],
                number=r["number"],
                kind=contract_kinds[r["kind"]],
                unit_id=units[(companies[r["company"]], r["unit"])],
                start_date=date(r["start_date"]),
                end_date=date(r["end_date"]),
                status=r["status"] or "active",
                account_holder=r["account_holder"],
                iban=r["iban"],
                bic=r["bic"],
                sepa_mandate_reference=r["sepa_mandate_reference"],
            ),  # fmt: skip
            contracts,
            lambda o: (o.company_id, o.number),
        )
        load(
            m.ContractParty,
            "contract_parties",
            lambda r: m.ContractParty(
                contract_id=contracts[(companies[r["company"]], r["contract"])],
                party_id=parties[(companies[r["company"]], r["party"])],
                role=roles[r["role"]],
            ),  # fmt: skip
        )
    return {
        "time": time.perf_counter() - started,
        "cpu": time.process_time() - cpu_started,
        "peak_mb": peak_rss_mb(),
    }


def run_child(*args):
    output = subprocess.run(  # noqa: S603 (our own script and arguments)
        [sys.executable, os.path.abspath(__file__), "--child", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if output.returncode:
        sys.stderr.write(output.stderr)
        raise SystemExit(f"bench step {args[0]!r} failed (exit status {output.returncode})")
    return json.loads(output.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------


def postgres_reachable():
    try:
        import psycopg
    except ImportError:
        return False
    try:
        psycopg.connect(_pg_conninfo("postgres"), connect_timeout=3, autocommit=True).close()
    except psycopg.Error:
        return False
    return True


def _pg_conninfo(dbname):
    import dj_database_url

    config = dj_database_url.parse(PG_URL)
    parts = {"host": config.get("HOST"), "port": config.get("PORT"), "user": config.get("USER")}
    parts["password"] = config.get("PASSWORD")
    return " ".join(f"{k}={v}" for k, v in {**parts, "dbname": dbname}.items() if v)


def _pg(sql):
    import psycopg

    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _pg_url(dbname):
    base, _sep, _db = PG_URL.rpartition("/")
    return f"{base}/{dbname}"


def bench_backend(backend, data_dir, work_dir):
    """Migrate once, copy the database for the import and the baseline, run both; (import, baseline)."""
    if backend == "sqlite":
        template = os.path.join(work_dir, "template.sqlite3")
        run_child("migrate", f"sqlite:///{template}")
        import_db, baseline_db = (os.path.join(work_dir, f"{n}.sqlite3") for n in ("import", "baseline"))
        shutil.copyfile(template, import_db)
        shutil.copyfile(template, baseline_db)
        return run_child("import", f"sqlite:///{import_db}", data_dir), run_child(
            "baseline", f"sqlite:///{baseline_db}", data_dir
        )
    names = [PG_DB, f"{PG_DB}_import", f"{PG_DB}_baseline"]
    try:
        for name in names:
            _pg(f"DROP DATABASE IF EXISTS {name}")
        _pg(f"CREATE DATABASE {PG_DB}")
        run_child("migrate", _pg_url(PG_DB))
        for name in names[1:]:
            _pg(f"CREATE DATABASE {name} TEMPLATE {PG_DB}")
        return run_child("import", _pg_url(names[1]), data_dir), run_child(
            "baseline", _pg_url(names[2]), data_dir
        )
    finally:
        for name in names:
            _pg(f"DROP DATABASE IF EXISTS {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="number of contracts (default 100000)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL even when reachable")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        step, *rest = args.child
        result = {"migrate": child_migrate, "import": child_import, "baseline": child_baseline}[step](*rest)
        print(json.dumps(result))
        return

    backends = ["sqlite"]
    if not args.no_postgres:
        if postgres_reachable():
            backends.append("postgres")
        else:
            print("PostgreSQL not reachable: only SQLite.")
    with tempfile.TemporaryDirectory(prefix="tenantportal-bench-") as work_dir:
        data_dir = os.path.join(work_dir, "export")
        os.mkdir(data_dir)
        started = time.perf_counter()
        counts = generate(data_dir, args.rows)
        total_rows = sum(counts.values())
        size_mb = sum(os.path.getsize(os.path.join(data_dir, f"{n}.csv")) for n in FILES) / 1e6
        print(f"Export: {total_rows} rows in {len(FILES)} files ({size_mb:.1f} MB, {ENCODING}, '{DELIMITER}'),"
              f" generated in {time.perf_counter() - started:.1f} s")  # fmt: skip
        print("  " + ", ".join(f"{name}={count}" for name, count in counts.items()))
        results = {}
        for backend in backends:
            imported, baseline = bench_backend(backend, data_dir, work_dir)
            results[backend] = imported, baseline
            ratio = baseline["time"] / imported["time"]
            print(f"\n[{backend}]")
            print(f"  import:      {imported['time']:7.2f} s wall, {imported['cpu']:6.2f} s CPU (this process)"
                  f"  {total_rows / imported['time']:7.0f} rows/s"
                  f"  peak RSS {imported['peak_mb']:.0f} MB (after Django setup {imported['rss_before_mb']:.0f} MB)")  # fmt: skip
            print(f"  re-import:   {imported['second_time']:7.2f} s wall, {imported['second_cpu']:6.2f} s CPU (this process)"
                  f"  {total_rows / imported['second_time']:7.0f} rows/s"
                  f"  all unchanged: {imported['second_all_unchanged']}")  # fmt: skip
            print(f"  bulk_create: {baseline['time']:7.2f} s wall, {baseline['cpu']:6.2f} s CPU (this process)"
                  f"  {total_rows / baseline['time']:7.0f} rows/s  (baseline)")  # fmt: skip
            print(
                f"  ratio baseline/import: {ratio:.2f} wall (target >= 0.5), {baseline['cpu'] / imported['cpu']:.2f} CPU"
            )
            if not imported["second_all_unchanged"]:
                for kind, c in imported["second"].items():
                    print(f"    second run {kind}: {c}")
        imported, baseline = results["sqlite"]
        print(
            f"rows_per_s={total_rows / imported['time']:.0f} ratio={baseline['time'] / imported['time']:.2f}"
            f" peak_mb={imported['peak_mb']:.0f}"
        )


if __name__ == "__main__":
    main()
