"""Security headers of portal responses: a Content-Security-Policy without 'unsafe-inline', a
Permissions-Policy, both extensible by the host, and frame-ancestors per company (so a
company's homepage may embed portal pages) with a consistent X-Frame-Options."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from wagtail.models import Site

import wagtail_tenantportal
from tests.factories import CompanyFactory
from wagtail_tenantportal.core import golive, headers
from wagtail_tenantportal.page_setup import setup_portal_pages

pytestmark = pytest.mark.django_db

MIDDLEWARE = "wagtail_tenantportal.core.headers.PortalSecurityHeadersMiddleware"


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def assert_portal_headers(response, ancestors=("'self'",)):
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    found = directives(response)
    assert found["default-src"] == ["'self'"] and found["script-src"] == ["'self'"]
    assert found["style-src"] == ["'self'"] and found["object-src"] == ["'none'"]
    assert found["frame-ancestors"] == list(ancestors)
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )


@pytest.mark.parametrize(
    "path", ["/portal/login/", "/portal/register/", "/portal/password/reset/", "/portal/"]
)
def test_portal_views_send_the_policy_and_sameorigin_framing(client, path):
    response = client.get(path)
    assert_portal_headers(response)
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # consistent with frame-ancestors 'self'


def test_portal_views_of_a_logged_in_tenant_send_it_too(portal_client):
    for path in ("/portal/account/", "/portal/requests/", "/portal/documents/", "/portal/overview/"):
        response = portal_client.get(path)
        assert response.status_code == 200, path
        assert_portal_headers(response)


def test_every_page_type_of_the_portal_sends_it(client):
    for result in setup_portal_pages():
        response = client.get(result.page.url)
        assert response.status_code == 200, result.page.url
        assert_portal_headers(response)
        assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_site_subclassing_a_page_type_keeps_the_headers():
    from wagtail_tenantportal.tickets.pages import RequestListPage

    class Override(RequestListPage):
        class Meta:
            app_label = "testapp"
            abstract = True

        def serve(self, request, *args, **kwargs):
            return HttpResponse("site's own")

    assert Override.serve.portal_security_headers
    request = RequestFactory().get("/")
    response = Override.serve(RequestListPage(), request)
    assert "Content-Security-Policy" in response


@pytest.fixture
def blocks_page():
    from tests.testapp.models import AllBlocksPage
    from wagtail_tenantportal.blocks import portal_blocks

    root = Site.objects.get(is_default_site=True).root_page
    page = AllBlocksPage(title="Alle", slug="alle", body=[(name, {}) for name, _b in portal_blocks()])
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_host_pages_with_portal_blocks_get_the_headers_with_the_middleware(blocks_page, settings):
    assert MIDDLEWARE in settings.MIDDLEWARE  # the test settings add it, as docs/security.md says
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    assert "Content-Security-Policy" not in Client().get(blocks_page.url)  # the host's response alone
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    client = Client()  # a client loads the middleware once
    response = client.get(blocks_page.url)
    assert_portal_headers(response)
    # A host page without portal blocks is left alone.
    from tests.testapp.models import HostPage

    plain = blocks_page.get_parent().add_child(instance=HostPage(title="Plain", slug="plain"))
    assert "Content-Security-Policy" not in client.get(plain.url)


@pytest.fixture
def embedding_company():
    """A company whose homepage embeds the portal: its site is the default site."""
    site = Site.objects.get(is_default_site=True)
    return CompanyFactory(site=site, frame_ancestors="https://www.wg-lindenhof.de\nhttps://wg-lindenhof.de")


def test_a_company_lets_its_homepage_embed_portal_pages(client, embedding_company):
    response = client.get("/portal/login/")
    assert_portal_headers(response, ("'self'", "https://www.wg-lindenhof.de", "https://wg-lindenhof.de"))
    # X-Frame-Options cannot name an origin: it is left out, frame-ancestors decides.
    assert "X-Frame-Options" not in response
    # Another company's site is not affected.
    other = Site.objects.create(
        hostname="elsteraue.test", root_page=Site.objects.get(is_default_site=True).root_page
    )
    CompanyFactory(site=other)
    response = client.get("/portal/login/", HTTP_HOST="elsteraue.test")
    assert_portal_headers(response)
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    Site.clear_site_root_paths_cache()


def test_the_host_extends_and_switches_the_policies(client, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "CONTENT_SECURITY_POLICY": {"img-src": ["https://bucket.s3.example"], "connect-src": None},
        "PERMISSIONS_POLICY": {"geolocation": ["self"], "usb": None, "fullscreen": []},
        "FRAME_ANCESTORS": ["https://intranet.wg-lindenhof.de"],
    }
    response = client.get("/portal/login/")
    found = directives(response)
    assert found["img-src"] == ["'self'", "https://bucket.s3.example"]
    assert "connect-src" not in found
    assert found["frame-ancestors"] == ["'self'", "https://intranet.wg-lindenhof.de"]
    permissions = response["Permissions-Policy"]
    assert "geolocation=(self)" in permissions and "usb" not in permissions and "fullscreen=()" in permissions
    settings.WAGTAIL_TENANTPORTAL = {"CONTENT_SECURITY_POLICY_REPORT_ONLY": True}
    response = client.get("/portal/login/")
    assert "Content-Security-Policy" not in response and "Content-Security-Policy-Report-Only" in response
    settings.WAGTAIL_TENANTPORTAL = {"CONTENT_SECURITY_POLICY": None, "PERMISSIONS_POLICY": None}
    response = client.get("/portal/login/")
    assert "Content-Security-Policy" not in response and "Permissions-Policy" not in response


def test_a_policy_the_host_set_on_a_response_is_kept():
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'none'"
    headers.apply_security_headers(response, RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert "Permissions-Policy" in response


def test_the_theme_stylesheet_needs_no_policy(client):
    assert "Content-Security-Policy" not in client.get("/portal/theme.css")


@pytest.mark.parametrize(
    "value",
    [
        "https://www.example.de/path",
        "https://a.de; script-src *",
        "'unsafe-inline'",
        "javascript:alert(1)",
        "www.example.de",
        'https://a.de" onload="x',
    ],
)
def test_frame_ancestors_of_a_company_are_origins_only(value):
    company = CompanyFactory.build(frame_ancestors=value)
    with pytest.raises(ValidationError) as error:
        company.full_clean(exclude=["slug", "erp_id"])
    assert "frame_ancestors" in error.value.message_dict
    # Nothing invalid reaches a header even if it was stored without the form.
    assert headers.frame_ancestors_for(company) == [
        o for o in headers.frame_ancestors_for(company) if "'" not in o
    ]
    assert all(";" not in origin and " " not in origin for origin in headers.frame_ancestors_for(company))


def test_bad_header_settings_are_errors_and_unsafe_sources_warnings(settings):
    settings.WAGTAIL_TENANTPORTAL = {"CONTENT_SECURITY_POLICY": {"img-src": ["a b;c"]}}
    assert [m.id for m in golive.check_security_headers()] == ["wagtail_tenantportal.E070"]
    settings.WAGTAIL_TENANTPORTAL = {"FRAME_ANCESTORS": ["https://x.de/path"]}
    assert [m.id for m in golive.check_security_headers()] == ["wagtail_tenantportal.E070"]
    settings.WAGTAIL_TENANTPORTAL = {"CONTENT_SECURITY_POLICY": {"script-src": ["'unsafe-inline'"]}}
    assert [m.id for m in golive.check_security_headers()] == ["wagtail_tenantportal.W077"]
    settings.WAGTAIL_TENANTPORTAL = {"PERMISSIONS_POLICY": "camera=()"}
    assert [m.id for m in golive.check_security_headers()] == ["wagtail_tenantportal.E070"]
    settings.WAGTAIL_TENANTPORTAL = {}
    assert golive.check_security_headers() == []


TEMPLATES = Path(wagtail_tenantportal.__file__).parent / "templates" / "wagtail_tenantportal"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_tenant_facing_templates_have_no_inline_script_or_style():
    """What keeps the policy without 'unsafe-inline' possible. Mails (no CSP, clients need
    inline styles) and the staff admin's templates (Wagtail's admin has its own needs) aside."""
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        relative = path.relative_to(TEMPLATES).as_posix()
        if relative.startswith("emails/") or "/admin/" in relative or relative.startswith("admin/"):
            continue
        if INLINE.search(path.read_text(encoding="utf-8")):
            offending.append(relative)
    assert offending == []


@override_settings(X_FRAME_OPTIONS="DENY")
def test_django_framing_default_stays_for_everything_else(client):
    assert client.get("/admin/login/")["X-Frame-Options"] == "DENY"
