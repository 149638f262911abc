"""The example site in subprocesses for the API's HTTP tests and bench/api_bench.py: a scratch
folder with a migrated SQLite database (a migrated template is kept in the temporary folder,
keyed by the migrations, so the second run skips the migrations), ``manage.py`` commands, and
gunicorn on a free loopback port. Everything is bounded in time and stopped at the end."""

import hashlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "example_site"
SETTINGS = "tests.integration.api_site_settings"


def _migrations_key():
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("wagtail_tenantportal/**/migrations/*.py")) + sorted(
        SITE.glob("**/migrations/*.py")
    ):
        digest.update(path.read_bytes())
    digest.update((ROOT / "tests/integration/api_site_settings.py").read_bytes())
    import django
    import wagtail

    digest.update(f"{django.__version__} {wagtail.__version__}".encode())
    return digest.hexdigest()[:16]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    def __init__(self, directory=None):
        self.dir = pathlib.Path(directory or tempfile.mkdtemp(prefix="tenantportal-api-"))
        (self.dir / "mail").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.url}/portal/api/v1"
        self.server = None

    def env(self):
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            API_SITE_DIR=str(self.dir),
            API_SITE_URL=self.url,
            PYTHONPATH=os.pathsep.join([str(ROOT), str(SITE), env.get("PYTHONPATH", "")]),
        )
        env.pop("DATABASE_URL", None)
        return env

    def manage(self, *args, timeout=300):
        result = subprocess.run(  # noqa: S603 (fixed program, our arguments)
            [sys.executable, "manage.py", *args],
            cwd=SITE,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code, timeout=120):
        """Run Python ``code`` in the site (``manage.py shell -c``); its standard output."""
        return self.manage("shell", "-c", code, timeout=timeout)

    def migrate(self):
        """The migrated database: copied from the template, made once per set of migrations."""
        template = pathlib.Path(tempfile.gettempdir()) / f"tenantportal-api-db-{_migrations_key()}.sqlite3"
        if not template.exists():
            self.manage("migrate", "--no-input", timeout=600)
            partial = template.with_suffix(f".{os.getpid()}.part")
            shutil.copyfile(self.dir / "db.sqlite3", partial)
            partial.replace(template)
        else:
            shutil.copyfile(template, self.dir / "db.sqlite3")

    def start(self, *, workers=1, threads=4, timeout=60):
        """gunicorn serving the example site on ``self.url`` (waits until it answers)."""
        log = open(self.dir / "server.log", "w")  # noqa: SIM115 (closed in stop)
        self._log = log
        self.server = subprocess.Popen(  # noqa: S603 (fixed program, our arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "example_site.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--access-logfile",
                "-" if os.environ.get("API_SITE_ACCESS_LOG") else "/dev/null",
            ],
            cwd=SITE,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.log_text()}")
            try:
                with urllib.request.urlopen(self.api + "/", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout} s: {self.log_text()}")

    def log_text(self):
        path = self.dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self):
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=5)
        self.server = None
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()

    def mails(self):
        """The messages the site sent, oldest first (``email.message.Message``)."""
        import email

        messages = []
        for path in sorted((self.dir / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk.strip() + b"\n"))
        return messages

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
