"""The accessibility check itself: axe-core runs in the page and reports what it finds."""

import pytest

from . import a11y, layout

pytestmark = pytest.mark.browser

BAD_PAGE = """<!DOCTYPE html><html><head><title>x</title></head><body>
<main><form><input type="text" name="q"><button type="submit"></button></form>
<p style="color:#bbb;background:#fff">Grau auf Weiß</p></main></body></html>"""

GOOD_PAGE = """<!DOCTYPE html><html lang="de"><head><title>Suche</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>input, button { min-height: 44px; }</style></head><body>
<main><h1>Suche</h1><form><label for="q">Suchbegriff</label><input id="q" type="text" name="q">
<button type="submit">Suchen</button></form></main></body></html>"""


@pytest.fixture
def blank_page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def test_axe_reports_violations(blank_page, axe_source):
    checker = a11y.A11y(axe_source, database="-")
    blank_page.set_content(BAD_PAGE)
    result = checker.check(blank_page, "bad page", record=False)
    rules = {violation["id"] for violation in result.violations}
    assert {"html-has-lang", "label", "button-name", "color-contrast"} <= rules
    with pytest.raises(AssertionError, match="color-contrast"):
        checker.assert_no_violations()


def test_axe_passes_a_clean_page(blank_page, axe_source):
    checker = a11y.A11y(axe_source, database="-")
    blank_page.set_content(GOOD_PAGE)
    assert checker.check(blank_page, "good page", record=False).violations == []
    checker.assert_no_violations()
    assert "good page" not in {result.state for result in a11y.RESULTS}


def test_summary_ends_with_the_totals():
    results = [
        a11y.AxeResult("sqlite", "login", "/portal/login/"),
        a11y.AxeResult(
            "sqlite", "form", "/portal/register/", [{"id": "label", "nodes": [{}, {}], "impact": "critical"}]
        ),
    ]
    lines = a11y.summary_lines(results)
    assert [cell.strip() for cell in lines[0].split(" | ")][:3] == ["database", "page state", "path"]
    assert "label" in lines[3]
    assert lines[-1] == "axe_pages=2 axe_violations=1"


def test_screenshots_only_with_screenshots_1(blank_page, axe_source, monkeypatch, tmp_path):
    monkeypatch.setattr(a11y, "SCREENSHOT_DIR", tmp_path)
    monkeypatch.setattr(a11y, "RESULTS", [])
    monkeypatch.setattr(layout, "RESULTS", [])
    checker = a11y.A11y(axe_source, database="-")
    blank_page.set_content(GOOD_PAGE)
    monkeypatch.delenv("SCREENSHOTS", raising=False)
    checker.check(blank_page, "search: empty")
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setenv("SCREENSHOTS", "1")
    checker.check(blank_page, "search: empty")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search-empty-1280.png", "search-empty-360.png"]
    assert blank_page.viewport_size == {"width": 1280, "height": 720}  # restored


def test_the_lockfile_pins_axe_core_from_the_npm_registry():
    import json

    lock = json.loads((a11y.BROWSER_DIR / "package-lock.json").read_text())
    package = json.loads((a11y.BROWSER_DIR / "package.json").read_text())
    assert package["private"] is True
    assert set(package["devDependencies"]) == {"axe-core"}
    packages = {name: entry for name, entry in lock["packages"].items() if name}
    assert set(packages) == {"node_modules/axe-core"}
    entry = packages["node_modules/axe-core"]
    assert entry["version"] == package["devDependencies"]["axe-core"]  # an exact version
    assert entry["integrity"].startswith("sha512-")
    # No download address other than the registry (npm then uses the configured registry).
    assert entry.get("resolved", "https://registry.npmjs.org/").startswith("https://registry.npmjs.org/")
