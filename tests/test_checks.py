"""System checks: each fires on a bad configuration and stays silent on a good one."""

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import checks as django_checks
from django.core.cache.backends.locmem import LocMemCache
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.test import override_settings
from django.utils.translation import gettext_lazy

from wagtail_tenantportal.adapter import DefaultPortalAdapter
from wagtail_tenantportal.core import checks

ALL_CHECKS = [
    checks.check_settings,
    checks.check_installed_apps,
    checks.check_middleware,
    checks.check_base_template,
]


class SiteAdapter(DefaultPortalAdapter):
    pass


class UnrelatedAdapter:
    pass


NOT_A_CLASS = object()


class CustomSessionMiddleware(SessionMiddleware):
    pass


class CustomAuthenticationMiddleware(AuthenticationMiddleware):
    pass


def ids(messages):
    return [message.id for message in messages]


def run_all():
    return [message for check in ALL_CHECKS for message in check()]


def test_registered_with_django():
    registered = django_checks.registry.registry.get_checks()
    for check in ALL_CHECKS:
        assert check in registered


def test_good_configuration_is_silent(settings):
    assert run_all() == []
    settings.WAGTAIL_TENANTPORTAL = {
        "BASE_TEMPLATE": "host_base.html",
        "ADAPTER": "tests.test_checks.SiteAdapter",
        "IMPORT_ENCODINGS": ("utf-8-sig", "cp1252", "latin-1"),
        "IMPORT_BATCH_SIZE": 1,
        "IMPORT_MAX_UPLOAD_MB": 0.5,
        "IMPORT_KEEP_RUNS": None,
        "ADMIN_MENU_LABEL": gettext_lazy("Tenant portal"),
        "ADMIN_MENU_ORDER": -1,
    }
    assert run_all() == []


def test_django_check_framework_reports_nothing_for_the_test_settings():
    messages = django_checks.run_checks(include_deployment_checks=False)
    assert [m for m in messages if (m.id or "").startswith("wagtail_tenantportal.")] == []


def test_setting_must_be_a_dict(settings):
    settings.WAGTAIL_TENANTPORTAL = [("PORTAL_NAME", "X")]
    assert ids(checks.check_settings()) == ["wagtail_tenantportal.E001"]


def test_unknown_key_warns_with_a_suggestion(settings):
    settings.WAGTAIL_TENANTPORTAL = {"IMPORT_BATCHSIZE": 10, "TOTALLY_UNRELATED": 1}
    messages = checks.check_settings()
    assert ids(messages) == ["wagtail_tenantportal.W001", "wagtail_tenantportal.W001"]
    assert isinstance(messages[0], django_checks.Warning)
    assert "'IMPORT_BATCHSIZE'" in messages[0].msg
    assert messages[0].hint == "Did you mean 'IMPORT_BATCH_SIZE'?"
    assert "BASE_TEMPLATE" in messages[1].hint  # no close match: all known keys


@pytest.mark.parametrize(
    ("adapter", "expected"),
    [
        ("tests.test_checks.NoSuchAdapter", "wagtail_tenantportal.E002"),
        ("no.such.module.Adapter", "wagtail_tenantportal.E002"),
        ("notadottedpath", "wagtail_tenantportal.E002"),
        (SiteAdapter, "wagtail_tenantportal.E008"),
        ("tests.test_checks.NOT_A_CLASS", "wagtail_tenantportal.E008"),
        ("tests.test_checks.UnrelatedAdapter", "wagtail_tenantportal.W002"),
    ],
)
def test_adapter(settings, adapter, expected):
    settings.WAGTAIL_TENANTPORTAL = {"ADAPTER": adapter}
    assert ids(checks.check_settings()) == [expected]


@pytest.mark.parametrize("value", [0, -1, "100", 1.5, True, None])
def test_import_batch_size(settings, value):
    settings.WAGTAIL_TENANTPORTAL = {"IMPORT_BATCH_SIZE": value}
    assert ids(checks.check_settings()) == ["wagtail_tenantportal.E003"]


@pytest.mark.parametrize("value", ["utf-8", [], None, {"utf-8": 1}])
def test_import_encodings_must_be_a_list(settings, value):
    settings.WAGTAIL_TENANTPORTAL = {"IMPORT_ENCODINGS": value}
    assert ids(checks.check_settings()) == ["wagtail_tenantportal.E004"]


def test_import_encodings_must_be_known_codecs(settings):
    settings.WAGTAIL_TENANTPORTAL = {"IMPORT_ENCODINGS": ["utf-8", "klingon", 8]}
    messages = checks.check_settings()
    assert ids(messages) == ["wagtail_tenantportal.E005", "wagtail_tenantportal.E005"]
    assert "'klingon'" in messages[0].msg


@pytest.mark.parametrize("value", [0, -5, "100", True, None])
def test_import_max_upload_mb(settings, value):
    settings.WAGTAIL_TENANTPORTAL = {"IMPORT_MAX_UPLOAD_MB": value}
    assert ids(checks.check_settings()) == ["wagtail_tenantportal.E006"]


@pytest.mark.parametrize(
    "override",
    [
        {"IMPORT_KEEP_RUNS": -1},
        {"IMPORT_KEEP_RUNS": "all"},
        {"PORTAL_NAME": ""},
        {"PORTAL_NAME": None},
        {"ADMIN_MENU_LABEL": 5},
        {"ADMIN_MENU_ORDER": "250"},
    ],
)
def test_wrong_types(settings, override):
    settings.WAGTAIL_TENANTPORTAL = override
    messages = checks.check_settings()
    assert ids(messages) == ["wagtail_tenantportal.E007"]
    assert repr(next(iter(override))) in messages[0].msg


@pytest.mark.parametrize("missing", checks.REQUIRED_APPS)
def test_required_django_apps(monkeypatch, missing):
    is_installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != missing and is_installed(name))
    messages = checks.check_installed_apps()
    assert ids(messages) == ["wagtail_tenantportal.E020"]
    assert repr(missing) in messages[0].msg


def test_tenancy_app_required_with_the_core_app(monkeypatch):
    is_installed = apps.is_installed
    monkeypatch.setattr(
        apps, "is_installed", lambda name: name != "wagtail_tenantportal.tenancy" and is_installed(name)
    )
    assert ids(checks.check_installed_apps()) == ["wagtail_tenantportal.E030"]


def _without(middleware, path):
    return [entry for entry in middleware if entry != path]


def test_session_middleware_required(settings):
    settings.MIDDLEWARE = _without(settings.MIDDLEWARE, checks.SESSION_MIDDLEWARE)
    assert ids(checks.check_middleware()) == ["wagtail_tenantportal.E021"]


def test_authentication_middleware_required(settings):
    settings.MIDDLEWARE = _without(settings.MIDDLEWARE, checks.AUTH_MIDDLEWARE)
    assert ids(checks.check_middleware()) == ["wagtail_tenantportal.E022"]


def test_no_middleware_at_all(settings):
    settings.MIDDLEWARE = []
    assert ids(checks.check_middleware()) == ["wagtail_tenantportal.E021", "wagtail_tenantportal.E022"]


def test_authentication_after_session_middleware(settings):
    settings.MIDDLEWARE = [checks.AUTH_MIDDLEWARE, checks.SESSION_MIDDLEWARE]
    assert ids(checks.check_middleware()) == ["wagtail_tenantportal.E023"]


def test_subclassed_middleware_counts(settings):
    settings.MIDDLEWARE = [
        "tests.test_checks.CustomSessionMiddleware",
        "no.such.Middleware",  # Django reports that one itself
        "tests.test_checks.CustomAuthenticationMiddleware",
    ]
    assert checks.check_middleware() == []


HOST_TEMPLATES = {
    "broken.html": "{% block content %}",
    "no_content.html": "<title>{% block title %}{% endblock %}</title>{% block extra_css %}{% endblock %}<main></main>",
    "no_title.html": "<head>{% block extra_css %}{% endblock %}</head>{% block content %}{% endblock %}",
    "no_css.html": "<title>{% block title %}{% endblock %}</title>{% block content %}{% endblock %}",
    "child.html": '{% extends "host_base.html" %}{% block content %}<div>{{ block.super }}</div>{% endblock %}',
    "grandchild.html": '{% extends "child.html" %}',
    "dynamic.html": "{% extends parent_template %}",
}


@pytest.fixture
def host_templates(settings):
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = dict(
        engine["OPTIONS"],
        loaders=[
            ("django.template.loaders.locmem.Loader", HOST_TEMPLATES),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    )
    settings.TEMPLATES = [engine]


@pytest.mark.parametrize(
    ("template", "include_css", "expected"),
    [
        ("host_base.html", True, []),
        ("child.html", True, []),
        ("grandchild.html", True, []),
        ("dynamic.html", True, []),  # parent chosen at render time: nothing to say
        ("wagtail_tenantportal/layouts/standalone.html", True, []),
        ("no_such_template.html", True, ["wagtail_tenantportal.E010"]),
        ("broken.html", True, ["wagtail_tenantportal.E011"]),
        ("", True, ["wagtail_tenantportal.E011"]),
        (None, True, ["wagtail_tenantportal.E011"]),
        ("no_content.html", True, ["wagtail_tenantportal.E012"]),
        ("no_title.html", True, ["wagtail_tenantportal.W012"]),
        ("no_css.html", True, ["wagtail_tenantportal.W013"]),
        ("no_css.html", False, []),
    ],
)
def test_base_template(settings, host_templates, template, include_css, expected):
    settings.WAGTAIL_TENANTPORTAL = {"BASE_TEMPLATE": template, "INCLUDE_CSS": include_css}
    assert ids(checks.check_base_template()) == expected


# -- deployment checks (manage.py check --deploy) -------------------------------------------------

DEPLOY_CHECKS = [
    checks.check_rate_limit_cache_deploy,
    checks.check_task_backend_deploy,
    checks.check_mail_backend_deploy,
]
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/9"}
WORKER_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class SiteLocMemCache(LocMemCache):
    pass


class SiteConsoleEmailBackend(ConsoleEmailBackend):
    pass


def test_deploy_checks_run_only_with_deploy():
    registry = django_checks.registry.registry
    for check in DEPLOY_CHECKS:
        assert check in registry.get_checks(include_deployment_checks=True)
        assert check not in registry.get_checks(include_deployment_checks=False)
    assert checks.check_rate_limit_cache in registry.get_checks()


@override_settings(CACHES={"default": REDIS}, TASKS=WORKER_TASKS, EMAIL_BACKEND=SMTP)
def test_a_production_configuration_passes_the_deploy_checks():
    assert [message for check in DEPLOY_CHECKS for message in check()] == []
    messages = django_checks.run_checks(include_deployment_checks=True)
    assert [m.id for m in messages if m.id in {f"wagtail_tenantportal.W06{n}" for n in range(5)}] == []


@pytest.mark.parametrize("alias", ["nope", None, 5])
def test_rate_limit_cache_must_be_an_alias_of_caches(settings, alias):
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMIT_CACHE": alias}
    messages = checks.check_rate_limit_cache()
    assert ids(messages) == ["wagtail_tenantportal.E060"]
    assert repr(alias) in messages[0].msg
    assert checks.check_rate_limit_cache_deploy() == []  # E060 says it already


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", ["wagtail_tenantportal.W060"]),
        ("tests.test_checks.SiteLocMemCache", ["wagtail_tenantportal.W060"]),
        ("django.core.cache.backends.dummy.DummyCache", ["wagtail_tenantportal.W061"]),
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django.core.cache.backends.memcached.PyMemcacheCache", []),
        ("django.core.cache.backends.db.DatabaseCache", []),
        ("no.such.Cache", []),  # Django reports that itself
    ],
)
def test_rate_limit_cache_must_be_shared_in_production(backend, expected):
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": "x"}}):
        messages = checks.check_rate_limit_cache_deploy()
    assert ids(messages) == expected
    for message in messages:
        assert isinstance(message, django_checks.Warning)
        assert "CACHES['default']" in message.msg
        assert "RedisCache" in message.hint and "docs/integrator-guide.md" in message.hint


@override_settings(CACHES={"default": LOCMEM, "attempts": REDIS})
def test_only_the_cache_named_by_rate_limit_cache_counts(settings):
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMIT_CACHE": "attempts"}
    assert checks.check_rate_limit_cache() == []
    assert checks.check_rate_limit_cache_deploy() == []
    settings.WAGTAIL_TENANTPORTAL = {}
    messages = checks.check_rate_limit_cache_deploy()
    assert ids(messages) == ["wagtail_tenantportal.W060"]
    assert "LocMemCache" in messages[0].msg and "RATE_LIMIT_CACHE" in messages[0].hint


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        (None, ["wagtail_tenantportal.W062"]),  # django-tasks' default: the ImmediateBackend
        (
            {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            ["wagtail_tenantportal.W062"],
        ),
        ({"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}, ["wagtail_tenantportal.W063"]),
        (WORKER_TASKS, []),
        ({"default": {"BACKEND": "no.such.Backend"}}, []),  # django-tasks reports that itself
    ],
)
def test_mails_need_a_task_worker_in_production(tasks, expected):
    if tasks is None:
        assert not hasattr(django_settings, "TASKS")  # the test settings configure no task backend
        messages = checks.check_task_backend_deploy()
    else:
        with override_settings(TASKS=tasks):
            messages = checks.check_task_backend_deploy()
    assert ids(messages) == expected
    for message in messages:
        assert "TASKS['default']" in message.msg
        assert "db_worker" in message.hint and "docs/integrator-guide.md" in message.hint


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("django.core.mail.backends.console.EmailBackend", "writes them to the console"),
        ("tests.test_checks.SiteConsoleEmailBackend", "writes them to the console"),
        ("django.core.mail.backends.filebased.EmailBackend", "writes them to files"),
        ("django.core.mail.backends.locmem.EmailBackend", "keeps them in memory"),
        ("django.core.mail.backends.dummy.EmailBackend", "drops them"),
        (SMTP, None),
        ("no.such.EmailBackend", None),
    ],
)
def test_mails_need_a_real_mail_backend_in_production(backend, expected):
    with override_settings(EMAIL_BACKEND=backend):
        messages = checks.check_mail_backend_deploy()
    if expected is None:
        assert messages == []
    else:
        assert ids(messages) == ["wagtail_tenantportal.W064"]
        assert expected in messages[0].msg
        assert SMTP in messages[0].hint


def test_the_example_sites_production_settings_pass_the_deploy_checks(tmp_path):
    """The example's production settings, with the environment their docstring names, import and
    give none of the package's warnings under ``manage.py check --deploy`` (a fresh process)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    example = root / "example_site"
    env = {
        **os.environ,
        "PYTHONPATH": str(root),  # this checkout's package, not an installed one
        "DJANGO_SETTINGS_MODULE": "example_site.settings.production",
        "DJANGO_SECRET_KEY": "x" * 30 + "-not-a-real-secret-but-long-and-varied-0123456789",
        "DJANGO_ALLOWED_HOSTS": "www.wg-lindenhof.de",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "PORTAL_BASE_URL": "https://www.wg-lindenhof.de",  # a real address (example.org: W070)
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "wagtail_tenantportal." not in output
    assert "(security.W0" not in output.replace("(security.W021)", "")  # only HSTS preload, a choice
