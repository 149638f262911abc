"""Checks and screenshots of portal page states (plain helpers, no fixtures).

``A11y.check(page, state)`` looks at one page state three ways:

- axe-core (from the npm registry: ``package.json`` and ``package-lock.json`` here; the
  ``axe_source`` fixture runs ``npm ci``) is injected into the page and runs the WCAG 2.1 A/AA
  rules; the results go to ``RESULTS``, printed at the end of the session with the line
  ``axe_pages=N axe_violations=M``;
- ``layout.measure`` measures the page at 360 px (overflow, clipped text, small targets);
  ``layout.RESULTS``, line ``pages=N overflow=0 clipped=0 small_targets=0``;
- the server's HTML of the state is saved for the Nu HTML checker, which checks all states at
  once at the end of the session (``nu.RESULTS``, line ``nu_pages=N nu_errors=0``).
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import layout

BROWSER_DIR = Path(__file__).resolve().parent
AXE_PATH = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = BROWSER_DIR.parent.parent / "docs" / "_static" / "screenshots" / "browser"
#: Widths of the screenshots for the docs (a small phone, a laptop).
SCREENSHOT_WIDTHS = (360, 1280)
DESKTOP = {"width": 1280, "height": 900}

#: The rule sets of WCAG 2.1 levels A and AA (axe-core tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return {
    version: axe.version,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
    })),
  };
}
"""


@dataclass
class AxeResult:
    """The axe-core result of one page state."""

    database: str
    state: str
    path: str
    violations: list = field(default_factory=list)

    @property
    def nodes(self):
        return sum(len(v["nodes"]) for v in self.violations)

    def describe(self):
        lines = [f"{self.state} ({self.path}):"]
        for violation in self.violations:
            lines.append(
                f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
            )
            for node in violation["nodes"][:5]:
                summary = " ".join(node["summary"].split())
                lines.append(f"    {node['target']}: {summary}")
        return "\n".join(lines)


#: Every page state checked in this test session (printed by the browser conftest).
RESULTS: list[AxeResult] = []


def screenshots_wanted():
    """Screenshots for the docs only on request: the docs keep a curated set."""
    return os.environ.get("SCREENSHOTS", "") == "1"


def display_path(url):
    """The path of ``url`` with long tokens (verification links) shortened to ``…``."""
    return re.sub(r"/[^/]{25,}/", "/…/", urlsplit(url).path)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def track_documents(page):
    """Remember the last document response of ``page``'s main frame (``page.tp_document``): the
    HTML the server sent for the state on screen, for the Nu HTML checker."""
    page.tp_document = None

    def remember(response):
        if response.frame == page.main_frame and response.request.is_navigation_request():
            page.tp_document = response

    page.on("response", remember)


def server_html(page):
    """The HTML the server sent for the page on screen (``track_documents``), else the DOM."""
    response = getattr(page, "tp_document", None)
    if response is not None and response.url.split("#")[0] == page.url.split("#")[0]:
        return response.text()
    return page.content()


class A11y:
    """Checks the states of one test (axe-core, the layout at 360 px, the HTML for v.Nu) and
    remembers them.

    ``check`` never stops the journey: a test collects every state and calls
    ``assert_no_violations`` at its end, so one run reports all problems at once.
    """

    def __init__(self, axe_source, database, nu=None):
        self.axe_source = axe_source
        self.database = database
        self.nu = nu
        self.results = []
        self.layout_results = []

    def check(self, page, state, *, record=True, screenshot=True):
        """Run axe-core on the page as it is now (called ``state`` in the tables and the
        screenshot names), measure its layout at 360 px and keep its HTML for v.Nu; take the
        docs screenshots when ``SCREENSHOTS=1`` (unless ``screenshot=False``). ``record=False``:
        neither in the session tables nor v.Nu nor screenshots (for tests of this helper)."""
        page.wait_for_load_state("load")
        path = display_path(page.url)
        html = server_html(page) if record and self.nu is not None else None
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
            # does not govern (an inline <script> of the test would be refused, as it should).
            page.evaluate(self.axe_source)
        outcome = page.evaluate(_RUN_AXE, WCAG_TAGS)
        result = AxeResult(database=self.database, state=state, path=path, violations=outcome["violations"])
        self.results.append(result)
        measured = layout.measure(page, state, path)
        self.layout_results.append(measured)
        if not record:
            return result
        RESULTS.append(result)
        layout.RESULTS.append(measured)
        if html is not None:
            self.nu.save(state, path, html)
        if screenshot and screenshots_wanted():
            take_screenshots(page, state)
        return result

    def assert_no_violations(self):
        """No axe-core violation and no layout problem at 360 px in any state checked."""
        assert self.results, "no page state was checked"
        failed = [result for result in self.results if result.violations]
        assert not failed, "axe-core violations (WCAG 2.1 AA):\n" + "\n".join(r.describe() for r in failed)
        crooked = [result for result in self.layout_results if result.problems]
        assert not crooked, "layout problems at 360 px:\n" + "\n".join(r.describe() for r in crooked)


def reduce_colours(path):
    """128 colours, no dithering: a third of the size, text stays sharp (Pillow)."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    reduced.save(path, optimize=True)


def take_screenshots(page, state):
    """Full-page screenshots of the current state at each of ``SCREENSHOT_WIDTHS``."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or DESKTOP
    try:
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"]})
            path = SCREENSHOT_DIR / f"{slug(state)}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            reduce_colours(path)
    finally:
        page.set_viewport_size(original)


def summary_lines(results):
    """The table of ``results`` and the closing ``axe_pages=… axe_violations=…`` line."""
    headers = ("database", "page state", "path", "violations", "nodes", "rules")
    rows = [
        (
            r.database,
            r.state,
            r.path,
            str(len(r.violations)),
            str(r.nodes),
            ", ".join(v["id"] for v in r.violations) or "-",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells):
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    lines = [line(headers), "-+-".join("-" * width for width in widths)]
    lines += [line(row) for row in rows]
    lines.append(f"axe_pages={len(results)} axe_violations={sum(len(r.violations) for r in results)}")
    return lines
