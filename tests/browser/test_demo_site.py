"""The example site's demo in a real browser: what people see first. Its header is the host's
(``example_site/templates/base.html``): on a phone the navigation folds behind a menu button
that works without JavaScript. Every page of the header's menus, a contract with its rent, a
request and the damage report of a tenant with several contracts, checked like the portal's
own states (axe-core, the layout at 360 px, the Nu HTML checker).

Needs the example site's apps, so it runs in the demo's pytest invocation (``make test`` does):
``pytest --ds=tests.example_settings tests/test_demo.py tests/browser/test_demo_site.py``.
Under the suite's default settings it is skipped.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from . import a11y, journey, layout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not apps.is_installed("home"),
        reason="example site not installed: run pytest --ds=tests.example_settings tests/browser/test_demo_site.py",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ERIKA = ("erika.mustermann@example.org", "lindenhof-mieterin")
DIRK = ("dirk.herrmann@example.org", "elsteraue-mieter")


@pytest.fixture
def demo(settings, tmp_path):
    """The German demo (both cooperatives); Erika has checked her contact data already."""
    from django.utils import timezone

    from wagtail_tenantportal.accounts.models import PortalAccount

    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    storages["tenantportal_private"]["OPTIONS"] = {"location": str(tmp_path / "private")}
    settings.STORAGES = storages
    call_command("load_demo_data", stdout=io.StringIO())
    PortalAccount.objects.filter(user__username=ERIKA[0]).update(contact_checked_at=timezone.now())


@pytest.fixture
def phone(browser, live_server):
    """A browser tab 360 px wide, German, JavaScript switched off: the menu must work without."""
    context = browser.new_context(
        viewport=layout.PHONE, locale="de-DE", base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    try:
        yield tab
    finally:
        context.close()


def menu_links(page):
    return page.locator(".site-menu a")


def test_the_menu_button_opens_the_navigation_without_javascript(phone, demo):
    page = phone
    journey.go(page, "/")
    button = page.locator("summary.site-menu-button")
    assert button.is_visible() and button.inner_text().strip() == "Menü"
    assert not menu_links(page).first.is_visible()
    # The header takes one row: name and button, not a screenful of links.
    assert page.locator(".site-header").bounding_box()["height"] <= 80
    assert page.evaluate("document.documentElement.lang") == "de"

    # Keyboard: the skip link, the name, the button; Enter opens, the links follow the button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "site-logo"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("details.site-menu-toggle").get_attribute("open") is not None
    assert menu_links(page).first.is_visible()
    if a11y.screenshots_wanted():
        path = a11y.SCREENSHOT_DIR / "demo-menu-open-360.png"
        page.screenshot(path=str(path))
        a11y.reduce_colours(path)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == menu_links(page).first.inner_text()
    # Every link of the open menu is a 44 px target.
    heights = [box["height"] for box in (link.bounding_box() for link in menu_links(page).all())]
    assert heights and min(heights) >= 44

    # Closed again with the button.
    button.click()
    assert not menu_links(page).first.is_visible()

    # On a wide screen there is no button: the navigation is always shown.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not button.is_visible() and menu_links(page).first.is_visible()


def log_in(page, login_url="/anmelden/", who=ERIKA):
    journey.go(page, login_url)
    journey.fill(page, "email", who[0])
    journey.fill(page, "password", who[1])
    journey.submit(page, journey.form_with(page, "password"))


def header_paths(page):
    """The paths of the header's menus (the main navigation and the portal's pages, "/portal/"
    itself included: it leads to the site's overview or its login)."""
    hrefs = page.eval_on_selector_all(
        ".site-menu a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(hrefs))


def test_every_page_of_the_demo_at_360_px(page, a11y_checker, demo):
    journey.go(page, "/")
    a11y_checker.check(page, "demo: home page, visitor")
    for path in header_paths(page):
        if path == "/":
            continue
        journey.go(page, path)
        a11y_checker.check(page, f"demo: {path}, visitor", screenshot=False)

    log_in(page)
    paths = header_paths(page)
    for path in paths:
        journey.go(page, path)
        a11y_checker.check(page, f"demo: {path}, tenant", screenshot=False)

    # A contract with its rent (long names: Betriebskostenvorauszahlung), from "Meine Verträge".
    journey.go(page, "/meine-vertraege/")
    with page.expect_navigation():
        page.locator("main a[href*='/meine-vertraege/']", has_text="0101-01").click()
    assert "Betriebskostenvorauszahlung" in page.locator("main").inner_text()
    a11y_checker.check(page, "demo: a contract with its rent")

    # A request with its messages and the reply form, from "Meine Anliegen".
    journey.go(page, "/meine-anliegen/")
    with page.expect_navigation():
        page.locator("main table a").first.click()
    assert page.locator("textarea[name='body']").count() == 1
    a11y_checker.check(page, "demo: a request with the reply form")

    # The damage report: Erika has several contracts, none is chosen for her; the emergency
    # box follows the kind of damage.
    journey.go(page, "/portal/requests/new/damage_report/")
    assert page.locator("select[name='contract']").input_value() == ""
    kind = page.locator("select[name='damage_kind']")
    box = page.locator("#tp-emergency")
    assert page.evaluate(
        "([kind, box]) => kind.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING",
        [kind.element_handle(), box.element_handle()],
    )
    assert box.locator("a[href^='tel:']").count() == 1  # the number once
    a11y_checker.check(page, "demo: damage report with several contracts")
    urgent = kind.locator("option[data-urgent='true']").first.get_attribute("value")
    kind.select_option(urgent)
    assert page.locator("#tp-urgent-alert").is_visible()
    assert page.locator("#tp-emergency-kinds").get_attribute("open") is not None
    a11y_checker.check(page, "demo: damage report, urgent kind chosen")

    a11y_checker.assert_no_violations()


def test_the_second_cooperatives_site_at_360_px(page, a11y_checker, demo, live_server):
    """Bauverein Elsteraue's site has its own theme (Georgia, round corners): its pages, as a
    visitor and as its tenant (who logs in with an authenticator app), fit a phone as well."""
    import base64
    from urllib.parse import urlsplit

    import pyotp
    from django.contrib.auth import get_user_model

    from tests.accounts.twofactor_helpers import confirmed_totp

    device = confirmed_totp(get_user_model().objects.get(username=DIRK[0]))
    totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode(), digits=device.digits, interval=device.step)
    # *.localhost is this computer: the site of the second cooperative, on the live server's port.
    site = f"http://elsteraue.localhost:{urlsplit(live_server.url).port}"
    journey.go(page, f"{site}/")
    assert "Bauverein Elsteraue" in page.locator(".site-logo").inner_text()
    a11y_checker.check(page, "demo Elsteraue: home page, visitor", screenshot=False)
    for path in header_paths(page):
        if path != "/":
            journey.go(page, f"{site}{path}")
            a11y_checker.check(page, f"demo Elsteraue: {path}, visitor", screenshot=False)

    log_in(page, f"{site}/anmelden/", DIRK)
    journey.fill(page, "code", journey.next_totp_code(totp))
    journey.submit(page, journey.form_with(page, "code"))
    for path in header_paths(page):
        journey.go(page, f"{site}{path}")
        a11y_checker.check(page, f"demo Elsteraue: {path}, tenant", screenshot=False)
    a11y_checker.assert_no_violations()


def test_the_emergency_box_is_compact(page, demo):
    """At 360 px the damage report's emergency box is a few lines, not screens: each urgent kind
    once, folded away until an urgent kind is chosen."""
    log_in(page)
    page.set_viewport_size(layout.PHONE)
    journey.go(page, "/portal/requests/new/damage_report/")
    box = page.locator("#tp-emergency")
    assert box.bounding_box()["height"] <= 160
    names = box.locator("details li strong").all_text_contents()
    assert names and len(names) == len(set(names))
    assert a11y.display_path(page.url) == "/portal/requests/new/damage_report/"
