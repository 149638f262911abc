"""Themes: the --tp-* values of THEME / SITE_THEMES / the adapter, served as theme.css, linked
by the portal layouts and the block preview, and checked by ``manage.py check``."""

import re
from pathlib import Path

import pytest
from django.core import checks as django_checks
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

import wagtail_tenantportal
from tests.factories import UserFactory
from wagtail_tenantportal.adapter import DefaultPortalAdapter
from wagtail_tenantportal.core import checks, theming

DOCS = Path(wagtail_tenantportal.__file__).resolve().parent.parent / "docs/theming.md"
THEME_URL = "/portal/theme.css"
GREEN = {"--tp-color-primary": "#1f5c3a", "--tp-radius": "0.75rem"}


class CompanyThemeAdapter(DefaultPortalAdapter):
    """A host choosing the theme in code: by a query parameter here, by company in real life."""

    def get_theme(self, request):
        theme = super().get_theme(request)
        if request is not None and request.GET.get("company") == "EA":
            theme["--tp-color-primary"] = "#23533a"
        return theme


def ids(messages):
    return [message.id for message in messages]


# ---- variables and values ---------------------------------------------------------------------


def test_default_variables_come_from_portal_css():
    variables = theming.default_variables()
    assert len(variables) >= 25
    assert variables["--tp-color-primary"] == "#005a9c"
    assert variables["--tp-font-family"] == "inherit"
    assert all(name.startswith("--tp-") for name in variables)


def test_docs_list_every_variable_with_its_default():
    text = DOCS.read_text(encoding="utf-8")
    for name, default in theming.default_variables().items():
        assert re.search(rf"`{re.escape(name)}`\s*\|\s*`{re.escape(default)}`", text), name


@pytest.mark.parametrize(
    "value",
    [
        "#1f5c3a",
        "0.75rem",
        '"Source Sans 3", "Segoe UI", system-ui, sans-serif',
        "calc(1rem + 2px)",
        "rgb(31 92 58 / 90%)",
        "Überschrift-Schrift",
        1.5,
        3,
    ],
)
def test_plain_css_values_pass(value):
    assert theming.clean_value(value) == str(value).strip()


@pytest.mark.parametrize(
    "value",
    [
        "red; } body { display: none",
        "red}",
        "red;",
        "</style><script>alert(1)</script>",
        "<b>",
        "\\7d",
        "red /* comment */",
        "url(https://evil.example/x.png",
        "calc(1rem + 2px))",
        '"unterminated',
        "@import",
        "red !important",
        "red\nblue",
        "",
        "   ",
        "x" * 201,
        None,
        True,
        ["#fff"],
    ],
)
def test_unsafe_values_are_refused(value):
    assert theming.clean_value(value) is None


def test_clean_theme_keeps_known_names_in_the_order_of_portal_css():
    variables, problems = theming.clean_theme(
        {"--tp-radius": "1rem", "--tp-color-primary": "#123456", "--tp-nonsense": "1", "color": "red"}
    )
    assert list(variables) == ["--tp-color-primary", "--tp-radius"]
    assert len(problems) == 2
    assert theming.clean_theme("not a dict")[0] == {}


# ---- theme.css ----------------------------------------------------------------------------------


def test_url_is_in_the_portal_namespace():
    assert reverse("wagtail_tenantportal:theme_css") == THEME_URL


def test_without_a_theme_the_stylesheet_is_empty(client):
    response = client.get(THEME_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "--tp-" not in response.content.decode()
    assert theming.theme_url() is None


def test_theme_css_serves_the_variables_with_cache_headers(client, settings):
    settings.WAGTAIL_TENANTPORTAL = {"THEME": GREEN}
    response = client.get(THEME_URL)
    css = response.content.decode()
    assert ":root {\n  --tp-color-primary: #1f5c3a;\n  --tp-radius: 0.75rem;\n}" in css
    etag = response["ETag"]
    assert etag.startswith('"') and "max-age=300" in response["Cache-Control"]
    # The browser asks again with the ETag: 304, no body.
    again = client.get(THEME_URL, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    # The portal links the versioned address: cached for a year.
    url = theming.theme_url(RequestFactory().get("/"))
    assert url == f"{THEME_URL}?v={etag.strip(chr(34))}"
    versioned = client.get(url)
    assert "immutable" in versioned["Cache-Control"] and "max-age=31536000" in versioned["Cache-Control"]
    # An old version in the address is not cached for long.
    assert "immutable" not in client.get(THEME_URL + "?v=0123456789abcdef")["Cache-Control"]
    assert client.post(THEME_URL).status_code == 405


def test_a_new_theme_gets_a_new_version(client, settings):
    settings.WAGTAIL_TENANTPORTAL = {"THEME": GREEN}
    first = client.get(THEME_URL)["ETag"]
    settings.WAGTAIL_TENANTPORTAL = {"THEME": {**GREEN, "--tp-radius": "0"}}
    assert client.get(THEME_URL)["ETag"] != first


def test_unsafe_values_never_reach_the_stylesheet(client, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "THEME": {
            "--tp-color-primary": "red;}body{display:none",
            "--tp-color-bg": "</style><script>",
            "--tp-radius": "2px",
            "--evil": "1",
        }
    }
    css = client.get(THEME_URL).content.decode()
    assert "--tp-radius: 2px;" in css
    assert "display" not in css and "<" not in css and "--evil" not in css
    assert css.count("{") == css.count("}") == 1


@pytest.mark.django_db
def test_site_themes_by_hostname_and_by_site_name(client, settings):
    from wagtail.models import Page, Site

    root = Page.objects.get(depth=2)
    Site.objects.create(
        hostname="elsteraue.localhost", port=80, root_page=root, site_name="Bauverein Elsteraue"
    )
    Site.objects.create(hostname="other.localhost", port=80, root_page=root, site_name="Andere eG")
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAGTAIL_TENANTPORTAL = {
        "THEME": GREEN,
        "SITE_THEMES": {
            "elsteraue.localhost": {"--tp-color-primary": "#23533a"},
            "Andere eG": {"--tp-font-family": "Georgia, serif"},
        },
    }
    default = client.get(THEME_URL).content.decode()
    elsteraue = client.get(THEME_URL, HTTP_HOST="elsteraue.localhost").content.decode()
    other = client.get(THEME_URL, HTTP_HOST="other.localhost").content.decode()
    assert "--tp-color-primary: #1f5c3a;" in default and "Georgia" not in default
    assert "--tp-color-primary: #23533a;" in elsteraue and "--tp-radius: 0.75rem;" in elsteraue
    assert "--tp-font-family: Georgia, serif;" in other and "--tp-color-primary: #1f5c3a;" in other


def test_the_adapter_may_choose_in_code(client, settings):
    settings.WAGTAIL_TENANTPORTAL = {"ADAPTER": "tests.test_theming.CompanyThemeAdapter"}
    assert "--tp-" not in client.get(THEME_URL).content.decode()
    assert "--tp-color-primary: #23533a;" in client.get(THEME_URL + "?company=EA").content.decode()


# ---- linking -----------------------------------------------------------------------------------

PORTAL_PAGE = Template(
    "{% extends 'wagtail_tenantportal/layouts/base.html' %}{% block portal_content %}X{% endblock %}"
)


def render_portal_page(template=PORTAL_PAGE):
    from wagtail_tenantportal.core.context import portal_context

    request = RequestFactory().get("/portal/")
    return template.render(Context({"request": request, **portal_context(request)}))


@pytest.mark.parametrize("base_template", [None, "host_base.html"])
@pytest.mark.django_db  # the portal name is the company's of the request's site
def test_layout_links_the_theme_after_the_stylesheet(settings, base_template):
    settings.WAGTAIL_TENANTPORTAL = {"THEME": GREEN}
    if base_template:
        settings.WAGTAIL_TENANTPORTAL["BASE_TEMPLATE"] = base_template
    html = render_portal_page()
    assert html.count(THEME_URL) == 1
    assert html.index("portal.css") < html.index(THEME_URL)
    assert re.search(r'<link rel="stylesheet" href="/portal/theme\.css\?v=[0-9a-f]{16}">', html)
    assert "style=" not in html and "<style" not in html  # nothing inline (CSP)


@pytest.mark.django_db  # the portal name is the company's of the request's site
def test_no_theme_no_link(settings):
    assert THEME_URL not in render_portal_page()
    settings.WAGTAIL_TENANTPORTAL = {"THEME": GREEN, "INCLUDE_CSS": False}
    assert THEME_URL not in render_portal_page()


def test_host_templates_link_it_once_per_page(settings):
    settings.WAGTAIL_TENANTPORTAL = {"THEME": GREEN}
    request = RequestFactory().get("/")
    template = Template(
        "{% load tenantportal_theme %}{% portal_theme_css %}{% portal_theme_css %}"
        "{% portal_theme_url as url %}[{{ url }}]"
    )
    html = template.render(Context({"request": request}))
    assert html.count("<link") == 1
    assert f"[{theming.theme_url(request)}]" in html
    settings.WAGTAIL_TENANTPORTAL = {}
    assert Template("{% load tenantportal_theme %}{% portal_theme_css %}").render(Context({})) == ""


@pytest.mark.django_db
def test_block_preview_links_the_theme(client, settings):
    from wagtail_tenantportal.blocks import portal_blocks

    settings.WAGTAIL_TENANTPORTAL = {"THEME": GREEN}
    client.force_login(UserFactory(is_staff=True, is_superuser=True, username="editor"))
    _name, block = portal_blocks()[0]
    html = client.get(
        reverse("wagtailadmin_block_preview") + f"?id={block.definition_prefix}"
    ).content.decode()
    assert html.index("portal.css") < html.index(THEME_URL)


# ---- system check -------------------------------------------------------------------------------


def test_check_is_registered_and_silent_by_default(settings):
    assert checks.check_theme in django_checks.registry.registry.get_checks()
    assert checks.check_theme() == []
    settings.WAGTAIL_TENANTPORTAL = {
        "THEME": GREEN,
        "SITE_THEMES": {"elsteraue.localhost": {"--tp-color-primary": "#23533a", "--tp-radius": "1rem"}},
    }
    assert checks.check_theme() == []


def test_check_reports_unknown_names_and_unsafe_values(settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "THEME": {"--tp-colour-primary": "#000000"},
        "SITE_THEMES": {"a.example": {"--tp-radius": "1rem;}"}},
    }
    messages = checks.check_theme()
    assert ids(messages) == ["wagtail_tenantportal.W050", "wagtail_tenantportal.W050"]
    assert "'--tp-colour-primary'" in messages[0].msg and "SITE_THEMES" in messages[1].msg


@pytest.mark.parametrize(
    ("theme", "pair"),
    [
        ({"--tp-color-text": "#999999"}, "--tp-color-text on --tp-color-bg"),
        ({"--tp-color-bg": "#333333"}, "--tp-color-text on --tp-color-bg"),
        ({"--tp-color-primary": "#7fb2d9"}, "--tp-color-on-primary on --tp-color-primary"),
        ({"--tp-color-on-primary": "#88aacc"}, "--tp-color-on-primary on --tp-color-primary"),
        ({"--tp-color-primary": "#fff"}, "--tp-color-primary on --tp-color-bg"),
    ],
)
def test_check_warns_about_weak_contrast(settings, theme, pair):
    settings.WAGTAIL_TENANTPORTAL = {"THEME": theme}
    messages = checks.check_theme()
    assert messages and set(ids(messages)) == {"wagtail_tenantportal.W051"}
    assert any(pair in message.msg for message in messages)


def test_check_judges_a_site_together_with_the_global_theme(settings):
    # A dark background for all sites plus light text for one site: that site passes, the
    # global theme on its own does not.
    settings.WAGTAIL_TENANTPORTAL = {
        "THEME": {"--tp-color-bg": "#111111"},
        "SITE_THEMES": {
            "dark.example": {
                "--tp-color-text": "#f0f0f0",
                "--tp-color-muted": "#c0c0c0",
                "--tp-color-surface": "#222222",
                "--tp-color-primary": "#7fb2d9",
                "--tp-color-primary-hover": "#a8cbe6",
                "--tp-color-on-primary": "#111111",
            }
        },
    }
    labels = [message.msg.split(":")[0] for message in checks.check_theme()]
    assert labels and all("THEME" in label and "SITE_THEMES" not in label for label in labels)


def test_check_skips_colours_it_cannot_judge(settings):
    settings.WAGTAIL_TENANTPORTAL = {
        "THEME": {"--tp-color-text": "rebeccapurple", "--tp-color-bg": "var(--x)"}
    }
    assert checks.check_theme() == []


@pytest.mark.parametrize("override", [{"THEME": ["#fff"]}, {"SITE_THEMES": "x"}, {"SITE_THEMES": {"a": 1}}])
def test_check_refuses_themes_that_are_not_dicts(settings, override):
    settings.WAGTAIL_TENANTPORTAL = override
    assert ids(checks.check_theme()) == ["wagtail_tenantportal.E050"]


def test_contrast_ratio():
    assert theming.contrast_ratio("#000", "#ffffff") == pytest.approx(21)
    assert theming.contrast_ratio("#005a9c", "#ffffff") > 4.5
