"""Benchmark of the REST API's two busiest lists against the plain Wagtail home page.

The example site with its German demo data (``load_demo_data``) under gunicorn on 127.0.0.1
(settings ``tests.integration.api_site_settings``: the example site, DEBUG off, SQLite). The
demo tenant Erika gets ``--items`` requests and documents and an app token. Then, in
interleaved rounds (the order rotates each round), ``--clients`` keep-alive connections fetch:

- ``GET /`` (the Wagtail home page of the demo, anonymous),
- ``GET /portal/api/v1/requests/`` (first page of 25, with the token),
- ``GET /portal/api/v1/documents/`` (first page of 25, with the token),

``--requests`` times each per round. Short rounds, many of them: on a shared machine the load
changes from second to second, and the ratio within a round compares like with like. Prints
requests/s per round, the medians of the rates and the median of the per-round ratios; the
last line is ``key=value``. Target: both lists at least as fast as the page (ratio >= 1).

    .venv/bin/python bench/api_bench.py [--rounds 15] [--requests 40] [--clients 4] [--workers 2]
"""

import argparse
import http.client
import json
import pathlib
import signal
import statistics
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.api_server import Site  # noqa: E402

SETUP = """
import io, json
from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.pdfgen.canvas import Canvas
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.api import services as tokens
from wagtail_tenantportal.documents import services as documents
from wagtail_tenantportal.tenancy.models import Contract
from wagtail_tenantportal.tickets import services as tickets
from wagtail_tenantportal.tickets.models import TicketType
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username="erika.mustermann@example.org")
PortalAccount.objects.filter(user=user).update(contact_checked_at=timezone.now())
contract = Contract.objects.visible_to(user).current().filter(kind="rental").first()
kind = TicketType.objects.get(code="general_contact")
for n in range(ITEMS):
    tickets.submit_ticket(contract=contract, ticket_type=kind, user=user, subject=f"Anliegen {n}", description="Bitte um Rückruf.")
    out = io.BytesIO(); canvas = Canvas(out, invariant=1); canvas.drawString(72, 720, f"Schreiben {n}"); canvas.showPage(); canvas.save()
    documents.publish(ContentFile(out.getvalue(), name="s.pdf"), target=contract, category=documents.get_category("letter"),
        title=f"Schreiben {n}", notify=False, deliver=False)
print(json.dumps({"token": tokens.issue(user, name="bench")[1]}))
"""


def fetch_all(port, path, headers, count, clients):
    """``count`` GETs of ``path`` over ``clients`` keep-alive connections; returns requests/s."""
    per_client = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    errors = []
    barrier = threading.Barrier(clients + 1)

    def run(n):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        for _ in range(n):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in per_client]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{path}: {len(errors)} answers were not 200 (e.g. {errors[0]})")
    return count / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--items", type=int, default=40, help="requests and documents of the tenant")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server on the way out

    site = Site()
    try:
        started = time.monotonic()
        site.migrate()
        site.manage("load_demo_data", timeout=600)
        token = json.loads(
            site.shell(SETUP.replace("ITEMS", str(args.items)), timeout=600).strip().splitlines()[-1]
        )["token"]
        site.start(workers=args.workers, threads=1)
        print(
            f"site ready in {time.monotonic() - started:.0f} s: gunicorn, {args.workers} workers, {site.url}"
        )
        auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        targets = {
            "page": ("/", {"Accept": "text/html"}),
            "requests": ("/portal/api/v1/requests/", auth),
            "documents": ("/portal/api/v1/documents/", auth),
        }
        for path, headers in targets.values():  # warm-up and a sanity check
            fetch_all(site.port, path, headers, 20, 1)
        results = {name: [] for name in targets}
        names = list(targets)
        for round_number in range(args.rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            line = []
            for name in order:
                path, headers = targets[name]
                rate = fetch_all(site.port, path, headers, args.requests, args.clients)
                results[name].append(rate)
                line.append(f"{name} {rate:.0f}/s")
            print(f"round {round_number + 1}: " + ", ".join(line))
        medians = {name: statistics.median(rates) for name, rates in results.items()}
        ratios = {
            name: statistics.median(r / p for r, p in zip(results[name], results["page"], strict=True))
            for name in ("requests", "documents")
        }
        print(
            f"medians over {args.rounds} rounds of {args.requests} requests ({args.clients} clients): "
            + ", ".join(f"{name} {rate:.0f}/s" for name, rate in medians.items())
        )
        print(
            f"page_rps={medians['page']:.0f} requests_rps={medians['requests']:.0f} "
            f"documents_rps={medians['documents']:.0f} "
            f"requests_vs_page={ratios['requests']:.2f} documents_vs_page={ratios['documents']:.2f}"
        )
    finally:
        site.cleanup()


if __name__ == "__main__":
    main()
