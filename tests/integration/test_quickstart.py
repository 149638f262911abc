"""The quickstart, end to end: does a new Wagtail site work after exactly the steps of the docs?

Builds the wheel (from the sdist, as pip does), installs it with the Wagtail version of this
environment into a new virtualenv (packages from PyPI or pip's cache), makes a site with
``wagtail start``, applies the marked blocks of ``docs/quickstart.md`` (``quickstart_steps``),
runs the page's ``python manage.py`` commands in order (the import with the example site's demo
data as ``export/``) and a short tenant journey in the site (``quickstart_journey.py``).

Slow (a minute or more): marked ``quickstart`` and run by ``make quickstart-test`` only.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import wagtail
from pypdf import PdfReader

from tests.test_packaging import COPY_IGNORE

from . import quickstart_steps as steps

pytestmark = pytest.mark.quickstart

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs" / "quickstart.md"
DEMO_DATA = ROOT / "example_site" / "demo_data"
DISTRIBUTION = "wagtail-tenantportal"


def run(args, *, cwd, env=None, timeout=600):
    """Run a command; on failure show its output. Prints the command and its duration."""
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603 (our own arguments)
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    shown = shlex.join(str(a) if "\n" not in str(a) else "<script>" for a in args)
    print(f"$ {shown}  ({time.monotonic() - started:.1f} s)")
    assert completed.returncode == 0, (
        f"{shown} failed ({completed.returncode}):\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
    )
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    base = tmp_path_factory.mktemp("quickstart-build")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", base / "dist", source], cwd=base)
    (wheel,) = (base / "dist").glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    """A new virtualenv with this Wagtail version and the wheel, as the quickstart's step 1, and
    the other packages the page installs (the task backend of "Mail and the task worker")."""
    install_lines = steps.commands(steps.marked_blocks(QUICKSTART.read_text(encoding="utf-8")), "install")
    assert install_lines and install_lines[0] == f"pip install {DISTRIBUTION}", install_lines
    others = [shlex.split(line)[2:] for line in install_lines if DISTRIBUTION not in line]
    assert all(line.startswith("pip install ") for line in install_lines), install_lines
    path = tmp_path_factory.mktemp("quickstart-venv")
    run([sys.executable, "-m", "venv", path], cwd=path)
    python = path / "bin" / "python"
    # The wheel stands in for "pip install wagtail-tenantportal"; Wagtail as in this environment.
    run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
         f"wagtail=={wagtail.__version__}", wheel, *(package for line in others for package in line)],
        cwd=path,
    )  # fmt: skip
    return path


def site_env(venv):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


#: The public address the quickstart gives the site (its "Base URL" and "Site record" steps).
SITE_HOST = "www.wg-beispiel.de"


def test_quickstart_in_a_new_wagtail_site(venv, tmp_path):
    blocks = steps.marked_blocks(QUICKSTART.read_text(encoding="utf-8"))
    markers = {block.marker for block in blocks}
    assert {"install", "installed_apps", "middleware", "urls", "settings", "run"} <= markers, markers
    commands = steps.commands(blocks)
    # The go-live sections: the site's address, its Site record and companies, the letters,
    # and a last check after all of them.
    assert any(
        line.startswith("python manage.py tenantportal_site https://" + SITE_HOST) for line in commands
    )
    assert any(line.startswith("python manage.py tenantportal_letters") for line in commands)
    assert commands[-1] == "python manage.py check", commands
    env = site_env(venv)
    python = venv / "bin" / "python"

    run([venv / "bin" / "wagtail", "start", "mysite"], cwd=tmp_path, env=env)
    site = tmp_path / "mysite"
    settings_file = site / "mysite" / "settings" / "base.py"
    urls_file = site / "mysite" / "urls.py"

    settings_source = settings_file.read_text()
    urls_source = urls_file.read_text()
    for block in blocks:
        if block.marker in steps.SETTINGS_MARKERS:
            settings_source = steps.apply_settings_block(settings_source, block.code)
        elif block.marker == "urls":
            urls_source = steps.apply_urls_block(urls_source, block.code)
    settings_file.write_text(settings_source)
    urls_file.write_text(urls_source)

    # The import step reads "export/": the example site's demo data is such an export.
    shutil.copytree(DEMO_DATA, site / "export")
    for line in steps.commands(blocks):
        args = shlex.split(line)
        assert args[:2] == ["python", "manage.py"], f"not a manage.py command: {line}"
        completed = run([python, *args[1:]], cwd=site, env=env)
        if args[2] == "check":
            # A reader following the page gets no warnings either.
            assert "System check identified no issues" in completed.stdout, (
                completed.stdout + completed.stderr
            )
        if args[2] == "tenantportal_setup_pages":
            assert "created:" in completed.stdout, completed.stdout

    # The registration letters carry the site's own address (as text and in the QR code, which
    # encodes the same address), never example.com or localhost.
    letters = "\n".join(page.extract_text() for page in PdfReader(site / "briefe.pdf").pages)
    assert f"https://{SITE_HOST}/portal/register/" in letters
    assert not re.search(r"example\.com|localhost|127\.0\.0\.1", letters)

    journey = (Path(__file__).parent / "quickstart_journey.py").read_text()
    output = run([python, "manage.py", "shell", "-c", journey], cwd=site, env=env).stdout
    print(output)
    assert "quickstart journey: ok" in output
    assert f"mails link https://{SITE_HOST}" in output
