"""The portal's pages work under its Content-Security-Policy in a real browser, and a company
can let its homepage embed them (``Company.frame_ancestors``) while other sites cannot.

Every browser test's tab records what Chromium refused under the policies (``csp.watch`` in the
``page`` fixture) and fails on any of it; this module adds the framing."""

import pytest
from wagtail.models import Site

from tests.factories import CompanyFactory

from . import csp, journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def homepage_origin(live_server):
    """Another origin for the company's homepage: the live server's port on 127.0.0.1 (the
    portal answers at localhost). Both are local addresses: Chromium refuses a public page
    that frames a local address whatever the policy says."""
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


def embedding_homepage(page, live_server):
    """The company's homepage (a static file of the test app, ``embedding.html``) with the
    portal's login page in a frame; returns the frame."""
    page.goto(homepage_origin(live_server) + "/static/testapp/embedding.html")
    return page.frame_locator("iframe")


def test_the_login_page_runs_under_the_policy(page):
    response = journey.go(page, "/portal/login/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'self'" in policy
    assert "camera=()" in response.headers["permissions-policy"]
    assert page.locator("form input[name='password']").count() == 1  # the form rendered


def test_a_foreign_homepage_cannot_frame_the_portal(browser, live_server):
    context = browser.new_context()
    tab = context.new_page()
    recorder = csp.watch(tab)
    try:
        frame = embedding_homepage(tab, live_server)
        tab.wait_for_timeout(500)  # the frame's answer arrives; a refused frame stays empty
        assert frame.locator("input[name='password']").count() == 0
        refused = [m for m in recorder.messages if "frame-ancestors" in m]
        assert refused, recorder.messages  # Chromium says why
    finally:
        context.close()


def test_the_companys_homepage_may_frame_the_portal(browser, live_server):
    CompanyFactory(site=Site.objects.get(is_default_site=True), frame_ancestors=homepage_origin(live_server))
    context = browser.new_context()
    tab = context.new_page()
    recorder = csp.watch(tab)
    try:
        frame = embedding_homepage(tab, live_server)
        frame.locator("input[name='password']").wait_for()
        assert not recorder.messages
    finally:
        context.close()
