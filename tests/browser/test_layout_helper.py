"""The layout check itself (``layout.measure``): it finds sideways overflow, clipped text, small
targets and words split in the middle at 360 px, and leaves alone what is hidden on purpose."""

import pytest

from . import layout

pytestmark = pytest.mark.browser

HEAD = """<!DOCTYPE html><html lang="de"><head><title>x</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { margin: 0; padding: 16px; font: 16px/1.5 sans-serif; }
  .hidden-helper { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .skip { position: absolute; left: -9999px; }
  button, input { min-height: 44px; }
</style></head>"""

BAD_PAGE = (
    HEAD
    + """<body>
<div id="wide" style="width: 500px">Zu breit</div>
<div id="scroller" style="overflow-x: auto"><table><tr><td style="white-space: nowrap">
  Grundmiete Betriebskostenvorauszahlung Heizkostenvorauszahlung 512,00 €</td></tr></table></div>
<p id="cut" style="width: 120px; overflow: hidden; white-space: nowrap">Betrag pro Monat: 1.234,56 €</p>
<button id="tiny" style="min-height: 0; height: 16px; padding: 0; font-size: 10px">x</button>
<p><a id="alone" href="/zurueck/">Zurück zu meinen Anliegen</a></p>
<p id="narrow" style="width: 120px; overflow-wrap: break-word">Wohnungsgenossenschaft</p>
</body></html>"""
)

GOOD_PAGE = (
    HEAD
    + """<body>
<a class="skip" href="#main">Zum Inhalt springen</a>
<main id="main">
<p>Bitte <a href="/anmelden/">melden Sie sich an</a>, um Ihre Dokumente zu sehen.</p>
<p><a href="/zurueck/" style="display: inline-block; padding: 12px 0">Zurück zu meinen Anliegen</a></p>
<span class="hidden-helper">Ein sehr langer Text nur für Screenreader, der nirgends hinpasst und nicht zählt</span>
<details><summary style="min-height: 44px">Mehr</summary><p style="width: 900px">Zugeklappt</p></details>
<p style="width: 160px; overflow-wrap: break-word">Wohnungs&shy;genossenschaft Lindenhof eG</p>
<button>Senden</button>
</main></body></html>"""
)


@pytest.fixture
def blank_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        yield context.new_page()
    finally:
        context.close()


def by_kind(result):
    kinds = {}
    for problem in result.problems:
        kinds.setdefault(problem["kind"], []).append(problem["target"])
    return kinds


def test_finds_overflow_clipped_text_small_targets_and_broken_words(blank_page):
    blank_page.set_content(BAD_PAGE)
    result = layout.measure(blank_page, "bad", "/bad/")
    kinds = by_kind(result)
    overflow = " ".join(kinds["overflow"])
    assert "document" in overflow and "div#wide" in overflow and "div#scroller" in overflow
    assert any(target.startswith("p#cut") for target in kinds["clipped"])
    assert any(target.startswith("td") for target in kinds["clipped"])  # hidden in the scroller
    assert {target.split(" ")[0] for target in kinds["small_target"]} == {"button#tiny", "a#alone"}
    assert [target.split(" ")[0] for target in kinds["broken_word"]] == ["p#narrow"]
    assert result.width == layout.PHONE["width"]
    assert blank_page.viewport_size == {"width": 1280, "height": 720}  # given back


def test_a_page_without_a_viewport_meta_overflows_on_a_phone(blank_page):
    blank_page.set_content(
        "<!DOCTYPE html><html lang='de'><head><title>x</title></head><body>Hallo</body></html>"
    )
    problems = layout.measure(blank_page, "no meta", "/").problems
    assert [p["kind"] for p in problems] == ["overflow"] and "viewport" in problems[0]["detail"]


def test_leaves_alone_what_is_hidden_on_purpose_and_links_in_a_sentence(blank_page):
    blank_page.set_content(GOOD_PAGE)
    assert layout.measure(blank_page, "good", "/good/").problems == []


def test_summary_ends_with_the_totals():
    results = [
        layout.LayoutResult("login", "/portal/login/"),
        layout.LayoutResult(
            "documents",
            "/portal/documents/",
            problems=[
                {"kind": "overflow", "target": "table", "detail": "from 33 to 446 px"},
                {"kind": "clipped", "target": "td", "detail": "by the viewport"},
                {"kind": "small_target", "target": "a", "detail": "240 × 19 px"},
            ],
        ),
    ]
    lines = layout.summary_lines(results)
    assert [cell.strip() for cell in lines[0].split(" | ")][:3] == ["page state", "path", "width"]
    assert "[small_target] a: 240 × 19 px" in "\n".join(lines)
    assert lines[-1] == "pages=2 overflow=1 clipped=1 small_targets=1 broken_words=0"
