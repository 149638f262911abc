"""Focus and announcements in the rendered pages (without a browser; the browser tests
``tests/browser/test_keyboard.py`` and ``test_no_js.py`` drive the same pages)."""

import re

import pytest

from tests.test_templates import CSS_PATH, Elements

pytestmark = pytest.mark.django_db

LOGIN_URL = "/portal/login/"


def autofocused(doc):
    return [(tag, attrs) for tag, attrs in doc.elements if "autofocus" in attrs]


def test_the_login_page_takes_no_focus_so_the_first_tab_reaches_the_skip_link(client):
    html = client.get(LOGIN_URL).content.decode()
    doc = Elements(html)
    assert autofocused(doc) == []
    focusable = [(tag, attrs) for tag, attrs in doc.elements if tag in ("a", "input", "button", "select")]
    tag, attrs = next((t, a) for t, a in focusable if a.get("type") != "hidden")
    assert (tag, attrs.get("class"), attrs.get("href")) == ("a", "tp-skip-link", "#tp-main")
    assert doc.find("main", id="tp-main", tabindex="-1")


def test_a_failed_login_focuses_the_error_summary_whose_links_lead_to_the_fields(client):
    html = client.post(LOGIN_URL, {"email": "", "password": ""}).content.decode()
    doc = Elements(html)
    [(tag, summary)] = autofocused(doc)
    assert tag == "div" and summary["class"] == "tp-error-summary"
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    assert summary["aria-labelledby"] in doc.ids
    links = re.findall(r'<a href="#([^"]+)">', html)
    assert links == ["id_email", "id_password"]
    for field_id in links:
        (field,) = doc.find("input", id=field_id)
        assert field["aria-invalid"] == "true"
    assert html.index("tp-error-summary") < html.index('name="email"')


def test_a_wrong_password_is_announced_without_a_link(client):
    from tests.accounts.flow_helpers import verified_tenant
    from tests.factories import ContractFactory

    verified_tenant(ContractFactory(), email="mieter@example.org")
    html = client.post(LOGIN_URL, {"email": "mieter@example.org", "password": "falsch"}).content.decode()
    doc = Elements(html)
    [(_tag, summary)] = autofocused(doc)
    assert summary["role"] == "alert"
    assert not re.search(r'tp-error-summary-list">\s*<li><a', html)


def test_a_status_message_after_an_action_is_in_a_live_region(portal_client):
    response = portal_client.post("/portal/logout/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(LOGIN_URL)
    doc = Elements(html)
    (region,) = doc.find("div", class_="tp-messages")
    assert region["role"] == "status"
    # The kind of message is given in words, not only by colour.
    assert re.search(r'<span class="tp-visually-hidden">[^<]+</span>', html)


def test_the_focus_is_always_drawn_with_the_themes_width():
    css = CSS_PATH.read_text()
    for selector in (
        r"\.tp-portal :focus-visible,\s*\.tp-standalone :focus-visible",
        r"\.tp-error-summary:focus",
    ):
        rule = re.search(selector + r"\s*\{([^}]*)\}", css)
        assert rule, selector
        assert "outline: var(--tp-focus-width) solid var(--tp-color-focus)" in rule.group(1)
    assert not re.search(r"outline:\s*(none|0)\b", css)
