"""Migrations must load on the oldest Wagtail we support (7.4 LTS), though we generate them on 8.

``makemigrations`` on Wagtail 8 writes two things Wagtail 7.4 cannot load: foreign keys to
``settings.WAGTAIL_PAGE_MODEL`` (a setting 7.4 does not have) and dependencies on Wagtail
migrations that 7.4 lacks (such as ``wagtailcore.0098_apitoken``). CI runs the suite on 7.4
and would fail there; this test says why, and fails already on Wagtail 8.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIGRATION_DIRS = [
    *sorted((ROOT / "wagtail_tenantportal").glob("**/migrations")),
    ROOT / "tests" / "testapp" / "migrations",
    ROOT / "example_site" / "home" / "migrations",
]
# The last migration of each Wagtail app in Wagtail 7.4.
OLDEST_WAGTAIL_MIGRATIONS = {
    "wagtailcore": 97,
    "wagtailadmin": 6,
    "wagtailforms": 5,
    "wagtailredirects": 8,
    "wagtailsearchpromotions": 8,
    "wagtaildocs": 14,
    "wagtailembeds": 9,
    "wagtailimages": 27,
    "wagtailsearch": 10,
    "wagtailusers": 15,
}
DEPENDENCY = re.compile(r"""\(\s*['"](wagtail\w+)['"]\s*,\s*['"](\d{4})_\w*['"]\s*\)""")

MIGRATION_FILES = [
    path for folder in MIGRATION_DIRS for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.py"))
]


def test_there_are_migrations_to_check():
    assert any("wagtail_tenantportal" in str(path) for path in MIGRATION_FILES)


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_migration_loads_on_the_oldest_wagtail(path):
    text = path.read_text(encoding="utf-8")
    uses_page_model_setting = "WAGTAIL_PAGE_MODEL" in text
    assert not uses_page_model_setting, (
        "use to='wagtailcore.page' instead of settings.WAGTAIL_PAGE_MODEL (unknown to Wagtail 7.4)"
    )
    too_new = [
        f"{app}.{number}"
        for app, number in DEPENDENCY.findall(text)
        if app in OLDEST_WAGTAIL_MIGRATIONS and int(number) > OLDEST_WAGTAIL_MIGRATIONS[app]
    ]
    assert not too_new, f"depends on Wagtail migrations that 7.4 does not have: {too_new}"
