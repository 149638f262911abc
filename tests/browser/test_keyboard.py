"""Keyboard only: the login and a damage report driven with Tab, Shift+Tab, Enter, Space, arrow
keys and typed text (``page.keyboard`` only, no clicks, no ``fill``), in the order the focus
moves, with a visible focus indicator on every element that gets the focus."""

import datetime

import pytest
from django.apps import apps

from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory

from . import journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "greta.hoffmann@example.org"

#: What has the focus: tag, id, name, type, href (attribute as written), text, and whether a
#: focus indicator is drawn (an outline or a box shadow of non-zero width).
_ACTIVE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "",
    type: e.getAttribute("type") || "", href: e.getAttribute("href") || "",
    text: (e.innerText || "").trim().slice(0, 60), visible_focus: outline || shadow,
    outline: style.outlineStyle + " " + style.outlineWidth, shadow: style.boxShadow,
  };
}"""


def active(page):
    return page.evaluate(_ACTIVE)


def label(element):
    """A short name of a focused element for the assertions: its name, else id, else href."""
    return element["name"] or (f"#{element['id']}" if element["id"] else element["href"] or element["tag"])


class Keyboard:
    """Presses keys and remembers every element that got the focus (for the visible-focus check)."""

    def __init__(self, page):
        self.page = page
        self.focused = []

    def press(self, key):
        self.page.keyboard.press(key)
        element = active(self.page)
        if element["tag"] != "body":
            self.focused.append(element)
        return element

    def tab(self, *, back=False):
        return self.press("Shift+Tab" if back else "Tab")

    def tab_to(self, selector, *, limit=40):
        """Tab until the focused element matches ``selector``; returns the labels passed on the way."""
        passed = []
        for _ in range(limit):
            element = self.tab()
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return passed
            passed.append(label(element))
        raise AssertionError(f"{selector} not reached with {limit} Tabs; passed {passed}")

    def type(self, text):
        self.page.keyboard.type(text)

    def submit(self, key="Enter"):
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def assert_focus_visible(self):
        assert self.focused
        hidden = [f"{label(e)} (outline {e['outline']}, shadow {e['shadow']})" for e in self.focused]
        hidden = [text for e, text in zip(self.focused, hidden, strict=True) if not e["visible_focus"]]
        assert not hidden, f"no visible focus indicator on: {hidden}"


@pytest.fixture
def tenant():
    """A verified tenant of a company without a two-factor requirement, with a known password."""
    from tests.accounts.flow_helpers import verified_tenant

    company = CompanyFactory(name="Wohnungsbau Auenwald", slug="auenwald", emergency_phone="0341 555 0110")
    contract = ContractFactory(
        unit=UnitFactory(property=PropertyFactory(company=company)), start_date=datetime.date(2021, 4, 1)
    )
    return verified_tenant(contract, email=EMAIL, password=journey.PASSWORD)


def test_log_in_with_the_keyboard_only(page, a11y_checker, tenant):
    keys = Keyboard(page)
    journey.go(page, "/portal/login/")
    # Nothing takes the focus on load: the first Tab reaches the skip link.
    assert active(page)["tag"] == "body"
    assert keys.tab()["href"] == "#tp-main"
    keys.press("Enter")
    assert active(page)["id"] == "tp-main" and page.url.endswith("#tp-main")

    # The form in reading order; Shift+Tab goes back the same way.
    order = [label(keys.tab()) for _ in range(4)]
    assert order == ["email", "password", "remember", "button"]
    assert active(page)["type"] == "submit"
    assert label(keys.tab(back=True)) == "remember"
    assert label(keys.tab(back=True)) == "password"
    assert label(keys.tab(back=True)) == "email"

    # Sent empty: the error summary has the focus, its links lead to the fields.
    keys.tab_to("button[type='submit']")
    keys.submit()
    journey.expect_path(page, "/portal/login/")
    summary = active(page)
    assert summary["id"] == "tp-form-error-summary", summary
    keys.focused.append(summary)
    a11y_checker.check(page, "keyboard: login errors, summary focused")
    links = page.eval_on_selector_all(
        ".tp-error-summary a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert links == ["#id_email", "#id_password"]
    assert keys.tab()["href"] == "#id_email"
    keys.press("Enter")
    assert label(active(page)) == "email"
    keys.type(EMAIL)
    keys.tab()
    assert label(active(page)) == "password"
    keys.type(journey.PASSWORD + "-falsch")

    # A wrong password: the summary again (no field to link), focused; then the right one.
    keys.submit()
    journey.expect_path(page, "/portal/login/")
    assert active(page)["id"] == "tp-form-error-summary"
    assert page.locator(".tp-error-summary a").count() == 0
    keys.tab_to("[name='email']")
    assert page.input_value("[name='email']") == EMAIL  # kept; the password is not
    keys.tab()
    keys.type(journey.PASSWORD)
    assert label(keys.tab()) == "remember"
    keys.press("Space")
    assert page.is_checked("[name='remember']")
    assert keys.tab()["type"] == "submit"
    keys.submit()
    journey.expect_path(page, "/portal/overview/")

    keys.assert_focus_visible()
    a11y_checker.assert_no_violations()


def log_in(page):
    journey.go(page, "/portal/login/")
    journey.fill(page, "email", EMAIL)
    journey.fill(page, "password", journey.PASSWORD)
    journey.submit(page, journey.form_with(page, "password"))
    journey.expect_path(page, "/portal/overview/")


@pytest.mark.skipif(
    not apps.is_installed("wagtail_tenantportal.tickets"), reason="the tickets app is not installed"
)
def test_report_damage_with_the_keyboard_only(page, a11y_checker, tenant):
    from tests.browser.test_journey import dripping_tap
    from wagtail_tenantportal.tickets.models import Ticket

    kind = dripping_tap()
    log_in(page)  # the keyboard login is the test above
    keys = Keyboard(page)
    journey.go(page, "/portal/requests/")
    keys.tab_to("main a[href='/portal/requests/new/']")
    keys.submit()
    journey.expect_path(page, "/portal/requests/new/")
    keys.tab_to("a[href='/portal/requests/new/damage_report/']")
    keys.submit()
    journey.expect_path(page, "/portal/requests/new/damage_report/")

    # Choose the damage with the arrow key (the select stays closed). The emergency box comes
    # next: its number (a link to call) and the folded list of urgent kinds; then the text fields.
    keys.tab_to("[name='damage_kind']")
    keys.press("ArrowDown")
    assert page.input_value("[name='damage_kind']") == str(kind.pk)
    assert label(keys.tab()) == "tel:03415550110"
    assert label(keys.tab()) == "summary"
    assert label(keys.tab()) == "subject"
    assert label(keys.tab()) == "description"
    keys.type("Der Wasserhahn in der Küche tropft.")
    # The photo is optional: its input is one stop that the keyboard passes.
    assert label(keys.tab()) == "attachments"
    assert label(keys.tab()) == "contact_phone"
    keys.type("0341 9876543")
    passed = keys.tab_to("[name='access_permission']")
    assert passed == ["contact_email", "reachability"]
    keys.press("Space")
    assert page.locator("[name='access_permission']:checked").count() == 1
    keys.tab_to("button[type='submit']")
    keys.submit()

    journey.expect_path(page, journey.REQUEST_DETAIL)
    ticket = Ticket.objects.get()
    assert ticket.damage_kind == kind and ticket.contact_phone == "+493419876543"  # stored in E.164
    assert ticket.description == "Der Wasserhahn in der Küche tropft."
    assert page.locator(".tp-messages[role='status']").is_visible()
    a11y_checker.check(page, "keyboard: damage report received")
    keys.assert_focus_visible()
    a11y_checker.assert_no_violations()
