"""Benchmark of a document download: a 200 MB PDF through the portal's download view.

Three processes:

1. setup: migrates a SQLite database in a temp dir, creates a tenant with a full portal
   session and publishes a 1 MB and a 200 MB document for their contract (``services.publish``);
2. server: the site as a WSGI application under ``wsgiref`` (one process, one thread), the
   private storage a folder in the temp dir, ``PRIVATE_SERVE_MODE`` as given;
3. this process: downloads the 1 MB document (warm-up), reads the server's RSS, downloads the
   200 MB document with the tenant's session cookie in 1 MB reads while sampling the
   server's RSS every 10 ms, and checks the bytes (size and SHA-256).

Prints the throughput and the growth of the serving process's memory over the download,
ending with ``mb_per_s=… rss_growth_mb=…``. Target: growth below 20 MB.

    .venv/bin/python bench/download_bench.py [--mb 200] [--mode stream|x-accel-redirect]
"""

import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024

SETTINGS = """
import os
from tests.settings import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_DB"]}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "tenantportal_private": {
        "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": os.environ["BENCH_PRIVATE"]},
    },
}
WAGTAIL_TENANTPORTAL = {
    "DOCUMENTS_MAX_FILE_MB": 1024,
    "PRIVATE_SERVE_MODE": os.environ.get("BENCH_MODE", "stream"),
}
"""


def setup_django(work_dir):
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(work_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_download_settings"
    os.environ["BENCH_DB"] = str(Path(work_dir) / "bench.sqlite3")
    os.environ["BENCH_PRIVATE"] = str(Path(work_dir) / "private")
    import django

    django.setup()


class PdfStream:
    """A readable file of ``size`` bytes that is a PDF by its first and last bytes."""

    def __init__(self, size):
        self.head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        self.tail = b"\n%%EOF\n"
        self.remaining = size
        self.position = 0
        self.block = os.urandom(CHUNK)
        self.name = "gross.pdf"

    def read(self, n=-1):
        if self.remaining <= 0:
            return b""
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        if self.position == 0:
            data = self.head[:n]
        elif self.remaining <= len(self.tail):
            data = self.tail[len(self.tail) - self.remaining :][:n]
        else:
            data = self.block[: min(n, self.remaining - len(self.tail))]
        self.position += len(data)
        self.remaining -= len(data)
        return data


def child_setup(work_dir, mb):
    setup_django(work_dir)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount
    from wagtail_tenantportal.documents import services
    from wagtail_tenantportal.tenancy.models import Company, Contract, ContractParty, Party, Property, Unit

    company = Company.objects.create(name="WG Lindenhof", slug="lindenhof", legal_form="eG")
    prop = Property.objects.create(company=company, erp_id="WE1", street="Lindenstraße 7", city="Leipzig")
    unit = Unit.objects.create(company=company, property=prop, erp_id="E1", number="001")
    contract = Contract.objects.create(company=company, number="100001", unit=unit)
    party = Party.objects.create(company=company, erp_id="P1", first_name="Erika", last_name="Mustermann")
    ContractParty.objects.create(contract=contract, party=party)
    user = get_user_model().objects.create_user("erika@example.org", "erika@example.org", "x")
    now = timezone.now()
    account = PortalAccount.objects.create(user=user, email_verified_at=now, contact_checked_at=now)
    AccountParty.objects.create(account=account, party=party)

    small = services.publish(
        PdfStream(CHUNK), target=contract, category="letter", title="Klein", notify=False
    )
    started = time.perf_counter()
    big = services.publish(
        PdfStream(mb * CHUNK), target=contract, category="tenancy_agreement", title="Gross", notify=False
    )
    publish_time = time.perf_counter() - started
    digest = hashlib.sha256()
    with big.file.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    client = Client()
    client.force_login(user)
    return {
        "small": f"/portal/documents/{small.uuid}/",
        "big": f"/portal/documents/{big.uuid}/",
        "size": big.size,
        "sha256": digest.hexdigest(),
        "cookie": client.cookies["sessionid"].value,
        "publish_s": publish_time,
    }


def child_serve(work_dir, port):
    setup_django(work_dir)
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", int(port), get_wsgi_application(), WSGIServer, QuietHandler)
    print("ready", flush=True)
    server.serve_forever()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def download(port, path, cookie):
    """GET ``path``; return (status, bytes read, sha256, seconds, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = conn.getresponse()
    digest, total = hashlib.sha256(), 0
    while block := response.read(CHUNK):
        digest.update(block)
        total += len(block)
    elapsed = time.perf_counter() - started
    headers = dict(response.getheaders())
    conn.close()
    return response.status, total, digest.hexdigest(), elapsed, headers


class RssSampler(threading.Thread):
    def __init__(self, pid, interval=0.01):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def stop(self):
        self.running = False
        self.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the document in MB (default 200)")
    parser.add_argument("--mode", default="stream", choices=["stream", "x-accel-redirect"])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        if step == "setup":
            print(json.dumps(child_setup(rest[0], int(rest[1]))))
        else:
            child_serve(*rest)
        return

    with tempfile.TemporaryDirectory(prefix="tenantportal-download-bench-") as work_dir:
        (Path(work_dir) / "bench_download_settings.py").write_text(SETTINGS)
        env = {**os.environ, "BENCH_MODE": args.mode}
        setup = subprocess.run(  # noqa: S603  (our own script)
            [sys.executable, __file__, "--child", "setup", work_dir, str(args.mb)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        data = json.loads(setup.stdout.strip().splitlines()[-1])
        print(f"setup: {args.mb} MB document published in {data['publish_s']:.1f} s (streamed, hashed)")
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "--child", "serve", work_dir, str(port)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert server.stdout.readline().strip() == "ready"
            status, _size, _sha, _t, _h = download(port, data["small"], data["cookie"])
            assert status == 200, status
            baseline = psutil.Process(server.pid).memory_info().rss
            sampler = RssSampler(server.pid)
            sampler.start()
            status, size, sha, elapsed, headers = download(port, data["big"], data["cookie"])
            sampler.stop()
        finally:
            server.terminate()
            server.wait(timeout=10)
        assert status == 200, status
        growth_mb = (sampler.peak - baseline) / CHUNK
        print(
            f"mode: {args.mode}; server RSS before: {baseline / CHUNK:.1f} MB, peak: {sampler.peak / CHUNK:.1f} MB"
        )
        print(
            "headers: "
            + ", ".join(
                f"{k}: {headers.get(k)}"
                for k in ("Content-Disposition", "X-Content-Type-Options", "Cache-Control")
            )
        )
        if args.mode == "stream":
            assert size == data["size"] and sha == data["sha256"], "downloaded bytes differ"
            mb_per_s = size / CHUNK / elapsed
            print(f"downloaded {size / CHUNK:.0f} MB in {elapsed:.2f} s, bytes verified (SHA-256)")
        else:
            assert size == 0 and headers.get("X-Accel-Redirect"), headers
            mb_per_s = data["size"] / CHUNK / elapsed  # nginx would send the bytes
            print(f"answered with X-Accel-Redirect in {elapsed * 1000:.1f} ms (no bytes through Python)")
        print(f"mb_per_s={mb_per_s:.1f} rss_growth_mb={growth_mb:.1f}")


if __name__ == "__main__":
    main()
