"""Screenshots of the registration and two-factor pages for the docs (360 px and 1280 px wide).

Run it by hand after a change of these pages and commit the PNGs::

    .venv/bin/pytest docs/screenshots.py -m screenshots

A pytest test on pytest-django's live server with the test settings: it creates a company that
requires two-factor, a tenant and a registration letter, then walks the tenant's journey in
Debian's headless Chromium (``/usr/bin/chromium`` or ``$CHROMIUM``; Playwright's own browser
downloads are never used) with German as the browser's language: the registration form with its
errors, "check your mailbox", two-factor set-up (overview, QR code, backup codes) and the code
entry at the next login. The steps are the browser tests' (``tests/browser/journey.py``); this
file only decides which page states become pictures. PNGs of the visible part of the page
(128 colours) are written to ``docs/_static/screenshots/`` as ``<state>-<width>.png``.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import caches

from tests.browser import journey
from tests.browser.conftest import CHROMIUM_ARGS
from tests.factories import CompanyFactory, ContractFactory, PartyFactory, PropertyFactory, UnitFactory

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT_DIR = Path(__file__).resolve().parent / "_static" / "screenshots"
WIDTHS = {360: 740, 1280: 800}  # width: height of the viewport (a small phone, a laptop)
EMAIL = "erika.mueller@example.org"

#: Journey states (``tests/browser/journey.py``) that become pictures, and their file names.
STATES = {
    "registration: errors": "registration-errors",
    "registration: check your mailbox": "registration-check-mailbox",
    "two-factor: set-up required": "two-factor-setup",
    "two-factor: authenticator app": "two-factor-app",
    "two-factor: backup codes": "two-factor-backup-codes",
    "login: security code": "two-factor-login-code",
}


def shrink(path):
    """Re-save a screenshot with a 128-colour palette: a third of the size, no visible change
    for flat UI colours (Pillow comes with Wagtail)."""
    from PIL import Image

    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


class Camera:
    """Stands in for the browser tests' axe checker: photographs the wanted states."""

    def __init__(self):
        self.taken = []

    def check(self, page, state):
        name = STATES.get(state)
        if name is None:
            return
        page.wait_for_load_state("load")
        original = page.viewport_size
        try:
            for width, height in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                page.evaluate("window.scrollTo(0, 0)")
                path = OUT_DIR / f"{name}-{width}.png"
                page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
                shrink(path)
                self.taken.append(path)
        finally:
            page.set_viewport_size(original)


@pytest.fixture
def chromium():
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        path = shutil.which("chromium")
    if not path:
        pytest.skip("Chromium not found (install Debian's 'chromium' package or set CHROMIUM=/path)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an asyncio loop in this thread; the ORM must still work.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 800}, locale="de-DE", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def letter():
    """Erika Müller's registration letter from a cooperative that requires two-factor."""
    from wagtail_tenantportal.accounts import services
    from wagtail_tenantportal.tenancy.models import Company, ContractParty

    caches["default"].clear()
    company = CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        two_factor_policy=Company.TwoFactorPolicy.REQUIRED,
    )
    unit = UnitFactory(property=PropertyFactory(company=company, street="Lindenstraße 7"))
    contract = ContractFactory(unit=unit, number="10023-004")
    party = PartyFactory(company=company, first_name="Erika", last_name="Müller")
    ContractParty.objects.create(contract=contract, party=party)
    return contract, services.issue_code(party, contract).code, "Müller"


def test_screenshots(page, letter, settings):
    settings.WAGTAIL_TENANTPORTAL = {**settings.WAGTAIL_TENANTPORTAL, "PORTAL_NAME": "Mieterportal Lindenhof"}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    contract, code, last_name = letter
    camera = Camera()

    journey.register_with_code(page, camera, contract=contract, code=code, last_name=last_name, email=EMAIL)
    journey.verify_email(page, camera, email=EMAIL)
    totp = journey.enrol_totp(page, camera)
    journey.check_contact_data(page, camera)
    journey.log_out(page, camera, check_pages=False)
    journey.log_in_with_totp(page, camera, email=EMAIL, totp=totp)

    expected = {OUT_DIR / f"{name}-{width}.png" for name in STATES.values() for width in WIDTHS}
    assert set(camera.taken) == expected
    assert all(path.stat().st_size > 5_000 for path in expected)
