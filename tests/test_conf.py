"""The settings object: defaults, overrides, unknown names, and that it never writes settings."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from wagtail_tenantportal.core.conf import DEFAULTS, SETTING_NAME, portal_settings

SETTINGS_DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_defaults_apply_when_nothing_is_set(settings):
    settings.WAGTAIL_TENANTPORTAL = {}
    for key, default in DEFAULTS.items():
        assert getattr(portal_settings, key) == default, key


def test_defaults_apply_when_the_setting_is_missing(settings):
    del settings.WAGTAIL_TENANTPORTAL
    assert portal_settings.PORTAL_NAME == DEFAULTS["PORTAL_NAME"]
    assert portal_settings.IMPORT_BATCH_SIZE == DEFAULTS["IMPORT_BATCH_SIZE"]


def test_override_settings_changes_the_value_and_restores_it():
    before = portal_settings.PORTAL_NAME
    with override_settings(WAGTAIL_TENANTPORTAL={"PORTAL_NAME": "Serviceportal", "IMPORT_BATCH_SIZE": 5}):
        assert portal_settings.PORTAL_NAME == "Serviceportal"
        assert portal_settings.IMPORT_BATCH_SIZE == 5
        # keys not given keep their defaults
        assert portal_settings.ADAPTER == DEFAULTS["ADAPTER"]
    assert portal_settings.PORTAL_NAME == before


def test_pytest_settings_fixture_changes_the_value(settings):
    settings.WAGTAIL_TENANTPORTAL = {"INCLUDE_CSS": False}
    assert portal_settings.INCLUDE_CSS is False
    settings.WAGTAIL_TENANTPORTAL = {"INCLUDE_CSS": True, "ADMIN_MENU_ORDER": 10}
    assert portal_settings.INCLUDE_CSS is True
    assert portal_settings.ADMIN_MENU_ORDER == 10


def test_a_setting_that_is_not_a_dict_falls_back_to_the_defaults(settings):
    # The system check wagtail_tenantportal.E001 reports it; reading must not crash meanwhile.
    settings.WAGTAIL_TENANTPORTAL = ["PORTAL_NAME"]
    assert portal_settings.PORTAL_NAME == DEFAULTS["PORTAL_NAME"]


@pytest.mark.parametrize("name", ["NO_SUCH_SETTING", "portal_name", "_defaults_", "__wrapped__"])
def test_unknown_attribute_raises_attribute_error(name):
    with pytest.raises(AttributeError, match=name):
        getattr(portal_settings, name)
    assert not hasattr(portal_settings, name)


def test_unknown_keys_are_listed_not_served(settings):
    settings.WAGTAIL_TENANTPORTAL = {"PORTAL_NAME": "X", "BATCH_SIZE": 1, "zzz": 2}
    assert portal_settings.unknown_keys() == ["BATCH_SIZE", "zzz"]
    with pytest.raises(AttributeError):
        portal_settings.BATCH_SIZE  # noqa: B018


def test_dir_lists_the_settings():
    assert set(DEFAULTS) <= set(dir(portal_settings))


def test_never_writes_django_settings(settings):
    del settings.WAGTAIL_TENANTPORTAL
    before = dict(django_settings._wrapped.__dict__)
    for key in DEFAULTS:
        getattr(portal_settings, key)
    portal_settings.unknown_keys()
    assert not hasattr(django_settings, SETTING_NAME)
    assert dict(django_settings._wrapped.__dict__) == before


def test_changing_a_returned_value_changes_neither_defaults_nor_host_settings(settings):
    host = {"IMPORT_ENCODINGS": ["utf-8"]}
    settings.WAGTAIL_TENANTPORTAL = host
    portal_settings.IMPORT_ENCODINGS.append("latin-1")
    assert host == {"IMPORT_ENCODINGS": ["utf-8"]}
    assert portal_settings.IMPORT_ENCODINGS == ["utf-8"]

    settings.WAGTAIL_TENANTPORTAL = {}
    default = list(DEFAULTS["IMPORT_ENCODINGS"])
    portal_settings.IMPORT_ENCODINGS.append("latin-1")
    assert DEFAULTS["IMPORT_ENCODINGS"] == default


def _documented_keys():
    """Setting names documented as headings ``### `NAME` `` in docs/settings.md."""
    text = SETTINGS_DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,4} `([A-Z][A-Z0-9_]*)`", text, flags=re.MULTILINE))


def test_every_setting_is_documented():
    missing = sorted(set(DEFAULTS) - _documented_keys())
    assert not missing, f"add these settings to docs/settings.md: {missing}"


def test_no_setting_is_documented_that_does_not_exist():
    stale = sorted(_documented_keys() - set(DEFAULTS))
    assert not stale, f"docs/settings.md documents settings that conf.DEFAULTS lacks: {stale}"
