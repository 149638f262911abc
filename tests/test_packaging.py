"""What goes into the sdist and the wheel.

One build per test run (module-scoped fixture, a few seconds): ``python -m build`` without
build isolation (setuptools comes with the dev extra), on a copy of the source tree so the
working tree is not touched. The wheel is built from the sdist, as pip does, so a file
missing from MANIFEST.in that the wheel needs shows up here too.
"""

import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import wagtail_tenantportal

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "wagtail_tenantportal"
# Not copied: what is never part of a release (virtualenvs, build output, caches, local data).
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "node_modules",
    "_build",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.py[cod]",
    "*.sqlite3",
    ".pytest_cache",
    ".ruff_cache",
    "_media",
    "_static",
    "media",
    "static_collected",
    "*~",
)

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(source copy, sdist file names, wheel file names, wheel METADATA)."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    dist = base / "dist"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    with tarfile.open(sdist) as tar:
        # drop the leading "wagtail_tenantportal-<version>/"
        sdist_names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    with zipfile.ZipFile(wheel) as zf:
        wheel_names = set(zf.namelist())
        metadata_name = next(n for n in wheel_names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(metadata_name).decode("utf-8"))
    return source, sdist_names, wheel_names, metadata


def test_wheel_contains_templates_static_catalogue_and_migrations(built):
    _source, _sdist, wheel, _meta = built
    expected = [
        f"{PACKAGE}/templates/{PACKAGE}/layouts/base.html",
        f"{PACKAGE}/templates/{PACKAGE}/layouts/standalone.html",
        f"{PACKAGE}/static/{PACKAGE}/css/portal.css",
        f"{PACKAGE}/locale/de/LC_MESSAGES/django.po",
        f"{PACKAGE}/locale/de/LC_MESSAGES/django.mo",
        f"{PACKAGE}/tenancy/migrations/0001_initial.py",
        f"{PACKAGE}/accounts/migrations/0001_initial.py",
    ]
    missing = [name for name in expected if name not in wheel]
    assert not missing, f"missing from the wheel: {missing}"


def test_wheel_contains_every_file_of_the_package(built):
    source, _sdist, wheel, _meta = built
    package_files = {
        path.relative_to(source).as_posix() for path in (source / PACKAGE).rglob("*") if path.is_file()
    }
    missing = sorted(package_files - wheel)
    assert not missing, f"in the package but not in the wheel (package-data in pyproject.toml?): {missing}"


def test_wheel_contains_nothing_but_the_package(built):
    _source, _sdist, wheel, _meta = built
    outside = sorted(n for n in wheel if not n.startswith(f"{PACKAGE}/") and ".dist-info/" not in n)
    assert not outside, f"the wheel must contain only {PACKAGE}/: {outside}"
    assert not [n for n in wheel if n.startswith(("tests/", "example_site/", "docs/"))]
    assert not [n for n in wheel if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_metadata(built):
    _source, _sdist, _wheel, meta = built
    assert meta["Name"] == "wagtail-tenantportal"
    assert meta["Version"] == wagtail_tenantportal.__version__
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "BSD-3-Clause"
    requires = meta.get_all("Requires-Dist")
    assert any(r.lower().startswith("wagtail") for r in requires)
    assert any(r.lower().startswith("django") for r in requires)
    assert "tenant portal" in meta.get_payload().lower()  # the README is the long description


def test_sdist_contains_docs_tests_and_tooling(built):
    _source, sdist, _wheel, _meta = built
    expected = [
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "MANIFEST.in",
        "Makefile",
        "pyproject.toml",
        ".ci/run",
        "docs/conf.py",
        "docs/index.md",
        "docs/settings.md",
        "tests/settings.py",
        "tests/conftest.py",
        "tests/test_packaging.py",
        "example_site/manage.py",
        "scripts/check_catalogue.py",
        f"{PACKAGE}/locale/de/LC_MESSAGES/django.mo",
    ]
    missing = [name for name in expected if name not in sdist]
    assert not missing, f"missing from the sdist (MANIFEST.in): {missing}"


def test_sdist_leaves_out_local_files(built):
    _source, sdist, _wheel, _meta = built
    junk = sorted(
        n
        for n in sdist
        if n.startswith("docs/_build/") or n.endswith((".pyc", ".sqlite3")) or "__pycache__" in n
    )
    assert not junk
