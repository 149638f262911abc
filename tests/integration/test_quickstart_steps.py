"""Applying the quickstart's marked blocks (fast; the full run is test_quickstart.py)."""

import ast
from pathlib import Path

import pytest
import wagtail

from . import quickstart_steps as steps

QUICKSTART = Path(__file__).resolve().parents[2] / "docs" / "quickstart.md"
TEMPLATE = Path(wagtail.__file__).parent / "project_template" / "project_name"


def settings_names(source):
    namespace = {"Path": Path, "__file__": "/site/mysite/settings/base.py"}
    exec(compile(source, "base.py", "exec"), namespace)  # noqa: S102 (the project template's own text)
    return namespace


@pytest.fixture
def blocks():
    return steps.marked_blocks(QUICKSTART.read_text(encoding="utf-8"))


def test_the_page_has_every_marked_block(blocks):
    markers = [block.marker for block in blocks]
    for marker in ("install", "installed_apps", "middleware", "urls", "settings", "run"):
        assert marker in markers
    assert all(block.lang == ("sh" if block.marker in ("install", "run") else "python") for block in blocks)
    assert "python manage.py migrate" in steps.commands(blocks)
    assert "python manage.py tenantportal_setup_pages" in steps.commands(blocks)


def test_apps_and_middleware_land_where_the_page_says(blocks):
    source = (TEMPLATE / "settings" / "base.py").read_text()
    for block in blocks:
        if block.marker in steps.SETTINGS_MARKERS:
            source = steps.apply_settings_block(source, block.code)
    names = settings_names(source)
    apps, middleware = names["INSTALLED_APPS"], names["MIDDLEWARE"]
    assert apps.index("wagtail_tenantportal") < apps.index("wagtail.contrib.forms")
    assert apps.index("wagtail_tenantportal") > apps.index("search")  # the site's own apps stay first
    assert len(apps) == len(set(apps))
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1] == "django_otp.middleware.OTPMiddleware"
    assert names["WAGTAIL_TENANTPORTAL"]["BASE_TEMPLATE"] == "base.html"


def test_the_portal_urls_come_before_the_catch_all(blocks):
    source = (TEMPLATE / "urls.py").read_text()
    for block in blocks:
        if block.marker == "urls":
            source = steps.apply_urls_block(source, block.code)
    ast.parse(source)
    assert source.index('"portal/"') < source.index('path("", include(wagtail_urls))')
    assert source.count("wagtail_tenantportal.urls") == 1
    # Applying again changes nothing.
    for block in blocks:
        if block.marker == "urls":
            assert steps.apply_urls_block(source, block.code) == source


def test_merge_entries():
    assert steps.merge_entries(["a", "c"], ["a", "b", "c"]) == ["a", "b", "c"]
    assert steps.merge_entries(["x", "c"], ["b", "c"]) == ["x", "b", "c"]
    assert steps.merge_entries(["a"], ["a", "b", "b2"]) == ["a", "b", "b2"]
    with pytest.raises(steps.QuickstartError):
        steps.merge_entries(["x"], ["y"])


def test_a_block_that_does_not_fit_fails():
    with pytest.raises(steps.QuickstartError, match="MIDDLEWARE"):
        steps.apply_settings_block("A = 1\n", 'MIDDLEWARE = ["m"]\n')
    with pytest.raises(steps.QuickstartError):
        steps.apply_urls_block("urlpatterns = []\n", 'urlpatterns = [path("x/", view)]\n')


def test_the_go_live_sections_set_what_the_checks_ask_for(blocks):
    """Base URL, German, consent texts and a task worker come from the page's own blocks."""
    source = (TEMPLATE / "settings" / "base.py").read_text()
    for block in blocks:
        if block.marker in steps.SETTINGS_MARKERS:
            source = steps.apply_settings_block(source, block.code)
    names = settings_names(source)
    assert names["LANGUAGE_CODE"] == "de"
    assert (
        names["WAGTAILADMIN_BASE_URL"].startswith("https://")
        and "example.com" not in names["WAGTAILADMIN_BASE_URL"]
    )
    assert all(names["WAGTAIL_TENANTPORTAL"]["CONSENT_URLS"].values())
    assert names["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in names["INSTALLED_APPS"]
    assert "pip install django-tasks-db" in steps.commands(blocks, "install")
