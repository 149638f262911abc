"""System checks: fail loudly when the host's settings contradict what the portal needs.

Messages are for developers (``manage.py check``) and so, like Django's own, not translated.
Ids are stable; docs/settings.md lists them.
"""

import codecs
import difflib
import numbers
import os

from django.apps import apps
from django.core.checks import Error, Tags, Warning, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from .conf import DEFAULTS, SETTING_NAME, portal_settings

ID = "wagtail_tenantportal.{}"
REQUIRED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def setting_label(key):
    """How messages name a setting: ``WAGTAIL_TENANTPORTAL['KEY']``."""
    return f"{SETTING_NAME}[{key!r}]"


def is_int(value):
    """True for an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs):
    """The ``WAGTAIL_TENANTPORTAL`` dict: known keys, importable adapter, sane import limits."""
    from django.conf import settings

    raw = getattr(settings, SETTING_NAME, {})
    if not isinstance(raw, dict):
        return [
            Error(
                f"{SETTING_NAME} must be a dict, not {type(raw).__name__}.",
                hint="See the settings reference in the documentation (docs/settings.md).",
                id=ID.format("E001"),
            )
        ]
    errors = []
    for key in portal_settings.unknown_keys():
        close = difflib.get_close_matches(str(key), DEFAULTS, n=1)
        hint = f"Did you mean {close[0]!r}?" if close else "Known keys: " + ", ".join(sorted(DEFAULTS))
        errors.append(Warning(f"{SETTING_NAME} has an unknown key {key!r}.", hint=hint, id=ID.format("W001")))
    errors += _check_adapter()
    errors += _check_import_settings()
    errors += _check_simple_types()
    return errors


def _check_adapter():
    # The default class joins the policy of every layer and lives at the top of the package:
    # the core knows it only by the dotted path of its default setting.
    default_adapter = import_string(DEFAULTS["ADAPTER"])
    path = portal_settings.ADAPTER
    if not isinstance(path, str):
        return [
            Error(
                f"{setting_label('ADAPTER')} must be a dotted path (a string), not {path!r}.",
                id=ID.format("E008"),
            )
        ]
    try:
        adapter = import_string(path)
    except ImportError as exc:
        return [Error(f"{setting_label('ADAPTER')} cannot be imported: {exc}", id=ID.format("E002"))]
    if not isinstance(adapter, type):
        return [Error(f"{setting_label('ADAPTER')} = {path!r} is not a class.", id=ID.format("E008"))]
    if not issubclass(adapter, default_adapter):
        return [
            Warning(
                f"{setting_label('ADAPTER')} = {path!r} does not subclass DefaultPortalAdapter.",
                hint="Subclass wagtail_tenantportal.adapter.DefaultPortalAdapter and override single methods, "
                "so hooks added in later versions keep working.",
                id=ID.format("W002"),
            )
        ]
    return []


def _check_import_settings():
    errors = []
    batch = portal_settings.IMPORT_BATCH_SIZE
    if not is_int(batch) or batch < 1:
        errors.append(
            Error(
                f"{setting_label('IMPORT_BATCH_SIZE')} must be a positive integer, not {batch!r}.",
                id=ID.format("E003"),
            )
        )
    encodings = portal_settings.IMPORT_ENCODINGS
    if not encodings or not isinstance(encodings, list | tuple):
        errors.append(
            Error(
                f"{setting_label('IMPORT_ENCODINGS')} must be a non-empty list of codec names, not {encodings!r}.",
                hint='For example ["utf-8", "cp1252"]: tried in this order.',
                id=ID.format("E004"),
            )
        )
    else:
        for name in encodings:
            try:
                codecs.lookup(name)
            except (LookupError, TypeError):
                errors.append(
                    Error(
                        f"{setting_label('IMPORT_ENCODINGS')} names an unknown codec {name!r}.",
                        id=ID.format("E005"),
                    )
                )
    max_mb = portal_settings.IMPORT_MAX_UPLOAD_MB
    if not isinstance(max_mb, numbers.Real) or isinstance(max_mb, bool) or max_mb <= 0:
        errors.append(
            Error(
                f"{setting_label('IMPORT_MAX_UPLOAD_MB')} must be a positive number, not {max_mb!r}.",
                id=ID.format("E006"),
            )
        )
    keep = portal_settings.IMPORT_KEEP_RUNS
    if keep is not None and (not is_int(keep) or keep < 0):
        errors.append(
            Error(
                f"{setting_label('IMPORT_KEEP_RUNS')} must be None or an integer of 0 or more, not {keep!r}.",
                id=ID.format("E007"),
            )
        )
    return errors


def _check_simple_types():
    errors = []
    name = portal_settings.PORTAL_NAME
    if not isinstance(name, str) or not name.strip():
        errors.append(
            Error(
                f"{setting_label('PORTAL_NAME')} must be a non-empty string, not {name!r}.",
                id=ID.format("E007"),
            )
        )
    label = portal_settings.ADMIN_MENU_LABEL
    if label is not None and not isinstance(label, str | Promise):  # Promise: a lazy translation
        errors.append(
            Error(
                f"{setting_label('ADMIN_MENU_LABEL')} must be None or a string, not {label!r}.",
                id=ID.format("E007"),
            )
        )
    order = portal_settings.ADMIN_MENU_ORDER
    if not is_int(order):
        errors.append(
            Error(
                f"{setting_label('ADMIN_MENU_ORDER')} must be an integer, not {order!r}.",
                id=ID.format("E007"),
            )
        )
    return errors


@register(Tags.compatibility)
def check_installed_apps(app_configs=None, **kwargs):
    """The apps the portal relies on are installed: Django's auth and sessions, and the tenancy app."""
    errors = []
    for app in REQUIRED_APPS:
        if not apps.is_installed(app):
            errors.append(
                Error(
                    f"{app!r} must be in INSTALLED_APPS: the tenant portal needs logins and sessions.",
                    id=ID.format("E020"),
                )
            )
    if apps.is_installed("wagtail_tenantportal") and not apps.is_installed("wagtail_tenantportal.tenancy"):
        errors.append(
            Error(
                "'wagtail_tenantportal.tenancy' must be in INSTALLED_APPS together with 'wagtail_tenantportal'.",
                hint="Paste the whole INSTALLED_APPS block from the quickstart.",
                id=ID.format("E030"),
            )
        )
    return errors


def middleware_position(middleware, wanted_path):
    """Index of ``wanted_path`` or a subclass of it in MIDDLEWARE, else None."""
    wanted = import_string(wanted_path)
    for index, path in enumerate(middleware):
        if path == wanted_path:
            return index
        try:
            cls = import_string(path)
        except ImportError:
            continue  # Django reports broken middleware itself
        if isinstance(cls, type) and issubclass(cls, wanted):
            return index
    return None


@register(Tags.compatibility)
def check_middleware(app_configs=None, **kwargs):
    """Session and authentication middleware are present, in that order."""
    from django.conf import settings

    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    session = middleware_position(middleware, SESSION_MIDDLEWARE)
    auth = middleware_position(middleware, AUTH_MIDDLEWARE)
    errors = []
    if session is None:
        errors.append(Error(f"{SESSION_MIDDLEWARE!r} must be in MIDDLEWARE.", id=ID.format("E021")))
    if auth is None:
        errors.append(Error(f"{AUTH_MIDDLEWARE!r} must be in MIDDLEWARE.", id=ID.format("E022")))
    if session is not None and auth is not None and auth < session:
        errors.append(
            Error(
                f"{AUTH_MIDDLEWARE!r} must come after {SESSION_MIDDLEWARE!r} in MIDDLEWARE.",
                id=ID.format("E023"),
            )
        )
    return errors


def _block_names(template, depth=0):
    """Names of the blocks a Django template defines, following constant {% extends %} upwards.

    None when unknown (another template engine, or a parent chosen at render time).
    """
    from django.template.loader_tags import BlockNode, ExtendsNode

    nodelist = getattr(getattr(template, "template", None), "nodelist", None)
    if nodelist is None or depth > 10:
        return None
    names = {node.name for node in nodelist.get_nodes_by_type(BlockNode)}
    extends = nodelist.get_nodes_by_type(ExtendsNode)
    if not extends:
        return names
    parent = extends[0].parent_name
    if parent.filters or not isinstance(parent.var, str):
        return None
    parent_names = _block_names(get_template(parent.var), depth + 1)
    return None if parent_names is None else names | parent_names


@register(Tags.templates)
def check_base_template(app_configs=None, **kwargs):
    """``BASE_TEMPLATE`` loads and has the blocks the portal's layout fills."""
    name = portal_settings.BASE_TEMPLATE
    if not isinstance(name, str) or not name:
        return [
            Error(
                f"{setting_label('BASE_TEMPLATE')} must be a template name, not {name!r}.",
                id=ID.format("E011"),
            )
        ]
    try:
        template = get_template(name)
        blocks = _block_names(template)
    except TemplateDoesNotExist:
        return [
            Error(
                f"{setting_label('BASE_TEMPLATE')} = {name!r} does not exist.",
                hint="Point it at the host site's base template (it must define the blocks "
                "'title' and 'content'), or remove it to use the portal's standalone layout.",
                id=ID.format("E010"),
            )
        ]
    except Exception as exc:  # a syntax error in the host template is reported, not raised
        return [
            Error(
                f"{setting_label('BASE_TEMPLATE')} = {name!r} cannot be loaded: {exc}", id=ID.format("E011")
            )
        ]
    if blocks is None:
        return []
    errors = []
    if "content" not in blocks:
        errors.append(
            Error(
                f"{setting_label('BASE_TEMPLATE')} = {name!r} has no block 'content': portal pages would be empty.",
                hint="Wrap the main area of the host's base template in {% block content %}{% endblock %}.",
                id=ID.format("E012"),
            )
        )
    if "title" not in blocks:
        errors.append(
            Warning(
                f"{setting_label('BASE_TEMPLATE')} = {name!r} has no block 'title': portal pages get no own title.",
                hint="Put {% block title %}{% endblock %} into the <title> of the host's base template.",
                id=ID.format("W012"),
            )
        )
    if portal_settings.INCLUDE_CSS and "extra_css" not in blocks:
        errors.append(
            Warning(
                f"{setting_label('BASE_TEMPLATE')} = {name!r} has no block 'extra_css': the portal stylesheet is not linked.",
                hint="Add {% block extra_css %}{% endblock %} to the <head> of the host's base template, "
                f"or set {setting_label('INCLUDE_CSS')} to False and style the portal in the host's CSS.",
                id=ID.format("W013"),
            )
        )
    return errors


# -- private storage (tenant files) -------------------------------------------------------------

PRIVATE_SERVE_MODES = ("stream", "x-accel-redirect", "x-sendfile", "redirect")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")


def _inside(path, parent):
    """True if ``path`` is ``parent`` or lies inside it (both resolved, symlinks followed)."""
    if not path or not parent:
        return False
    path, parent = os.path.realpath(str(path)), os.path.realpath(str(parent))
    return os.path.commonpath([path, parent]) == parent


@register(Tags.security, Tags.compatibility)
def check_private_storage(app_configs=None, **kwargs):
    """Tenant files have a storage without public URLs, and downloads can leave the chosen way.

    The storage alias ``PRIVATE_STORAGE_ALIAS`` (or ``PRIVATE_STORAGE_ROOT``) must exist; a
    filesystem root must not lie inside MEDIA_ROOT or STATIC_ROOT (the web server publishes
    those); an S3 storage must sign its URLs (``querystring_auth``), have no ``custom_domain``
    and no public ACL; ``PRIVATE_SERVE_MODE`` must be known and fit the storage.
    """
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage, InvalidStorageError, storages

    errors = []
    alias = portal_settings.PRIVATE_STORAGE_ALIAS
    root = portal_settings.PRIVATE_STORAGE_ROOT
    storage = None
    try:
        storage = storages[alias]
    except InvalidStorageError:
        if not root:
            errors.append(
                Error(
                    f"No storage for tenant files: STORAGES has no alias {alias!r} and "
                    f"{setting_label('PRIVATE_STORAGE_ROOT')} is not set.",
                    hint=f"Add STORAGES[{alias!r}] (a folder outside MEDIA_ROOT, or a private S3 bucket); "
                    "see docs/storage.md.",
                    id=ID.format("E040"),
                )
            )
    except Exception as exc:  # the backend cannot be imported or configured
        errors.append(Error(f"STORAGES[{alias!r}] cannot be loaded: {exc}", id=ID.format("E040")))
    if storage is None and root:
        from .storage import PrivateFileSystemStorage

        storage = PrivateFileSystemStorage(location=root)

    location = getattr(storage, "location", None) if isinstance(storage, FileSystemStorage) else None
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = getattr(settings, name, None)
        if location and _inside(location, public):
            errors.append(
                Error(
                    f"The folder of tenant files ({location}) lies inside {name} ({public}): the web server "
                    "would publish them.",
                    hint="Choose a folder outside MEDIA_ROOT and STATIC_ROOT.",
                    id=ID.format("E041"),
                )
            )
    if storage is not None and hasattr(storage, "querystring_auth"):  # django-storages (S3 and alike)
        if getattr(storage, "custom_domain", None):
            errors.append(
                Error(
                    f"STORAGES[{alias!r}] has a custom_domain ({storage.custom_domain}): its URLs are public.",
                    hint="Remove custom_domain; tenant files are served through short-lived signed URLs.",
                    id=ID.format("E042"),
                )
            )
        if not storage.querystring_auth:
            errors.append(
                Error(
                    f"STORAGES[{alias!r}] has querystring_auth off: its URLs would need no signature.",
                    hint="Set querystring_auth to True (the default) and keep the bucket private.",
                    id=ID.format("E043"),
                )
            )
        if getattr(storage, "default_acl", None) in PUBLIC_ACLS:
            errors.append(
                Error(
                    f"STORAGES[{alias!r}] uploads with the public ACL {storage.default_acl!r}.",
                    hint="Set default_acl to None or 'private'.",
                    id=ID.format("E044"),
                )
            )

    mode = portal_settings.PRIVATE_SERVE_MODE
    if mode not in PRIVATE_SERVE_MODES:
        errors.append(
            Error(
                f"{setting_label('PRIVATE_SERVE_MODE')} must be one of {', '.join(PRIVATE_SERVE_MODES)}, not {mode!r}.",
                id=ID.format("E045"),
            )
        )
    elif storage is not None:
        if mode == "redirect" and not hasattr(storage, "querystring_auth"):
            errors.append(
                Error(
                    f"{setting_label('PRIVATE_SERVE_MODE')} is 'redirect' but the private storage "
                    f"({type(storage).__name__}) cannot make signed URLs.",
                    hint="Use 'redirect' with a private S3 bucket (django-storages); else 'stream', "
                    "'x-accel-redirect' or 'x-sendfile'.",
                    id=ID.format("E046"),
                )
            )
        if mode in ("x-accel-redirect", "x-sendfile") and not isinstance(storage, FileSystemStorage):
            errors.append(
                Error(
                    f"{setting_label('PRIVATE_SERVE_MODE')} is {mode!r} but the private storage "
                    f"({type(storage).__name__}) has no files on this server.",
                    hint="Use 'redirect' (or 'stream') with S3.",
                    id=ID.format("E046"),
                )
            )
    prefix = portal_settings.PRIVATE_SERVE_PREFIX
    if mode == "x-accel-redirect" and not (isinstance(prefix, str) and prefix.startswith("/")):
        errors.append(
            Error(
                f"{setting_label('PRIVATE_SERVE_PREFIX')} must be a path starting with '/', not {prefix!r}.",
                hint="The internal location of nginx that maps to the private folder, e.g. '/protected/'.",
                id=ID.format("E047"),
            )
        )
    expiry = portal_settings.PRIVATE_URL_EXPIRY
    if not is_int(expiry) or expiry < 1:
        errors.append(
            Error(
                f"{setting_label('PRIVATE_URL_EXPIRY')} must be a positive number of seconds, not {expiry!r}.",
                id=ID.format("E048"),
            )
        )
    elif expiry > 300:
        errors.append(
            Warning(
                f"{setting_label('PRIVATE_URL_EXPIRY')} is {expiry} seconds: a signed URL of a tenant file can "
                "be passed on for that long.",
                hint="A few seconds are enough; the browser follows the redirect at once.",
                id=ID.format("W048"),
            )
        )
    return errors


# -- theme (theming.py) -------------------------------------------------------------------------


@register(Tags.compatibility)
def check_theme(app_configs=None, **kwargs):
    """``THEME`` and ``SITE_THEMES`` name known ``--tp-*`` variables with safe values, and their
    colours keep the contrast of the defaults (text 4.5:1 on the background, the button text
    on the primary colour)."""
    from .theming import clean_theme, contrast_problems

    messages = []
    themes = [(setting_label("THEME"), portal_settings.THEME)]
    site_themes = portal_settings.SITE_THEMES
    if not isinstance(site_themes, dict):
        messages.append(
            Error(
                f"{setting_label('SITE_THEMES')} must be a dict of site hostnames or names to themes, "
                f"not {type(site_themes).__name__}.",
                id=ID.format("E050"),
            )
        )
        site_themes = {}
    base = clean_theme(portal_settings.THEME)[0] if isinstance(portal_settings.THEME, dict) else {}
    for key, theme in site_themes.items():
        themes.append((f"{setting_label('SITE_THEMES')}[{key!r}]", theme))
    for index, (label, theme) in enumerate(themes):
        if not isinstance(theme, dict):
            messages.append(
                Error(
                    f"{label} must be a dict of --tp-* names and values, not {type(theme).__name__}.",
                    id=ID.format("E050"),
                )
            )
            continue
        variables, problems = clean_theme(theme)
        for problem in problems:
            messages.append(
                Warning(
                    f"{label}: {problem}; it is left out of theme.css.",
                    hint="Use the names listed in docs/theming.md; values may contain letters, digits, "
                    "spaces and # % . , ( ) + - * / \" ' only.",
                    id=ID.format("W050"),
                )
            )
        if index:  # a site's colours are judged together with THEME, as they are served
            variables = {**base, **variables}
        for foreground, background, ratio, minimum in contrast_problems(variables):
            messages.append(
                Warning(
                    f"{label}: {foreground} on {background} has a contrast of {ratio:.2f}:1, "
                    f"less than {minimum}:1 (WCAG 2.1 AA).",
                    hint="Choose a darker text or a lighter background colour (or the reverse).",
                    id=ID.format("W051"),
                )
            )
    return messages


# -- deployment: shared attempt limits, mails outside the request --------------------------------

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "exists once per process",
    "django.core.cache.backends.dummy.DummyCache": "stores nothing",
}
TEST_MAIL_BACKENDS = {  # what each does with the portal's mails
    "django.core.mail.backends.console.EmailBackend": "writes them to the console (and so to the logs)",
    "django.core.mail.backends.filebased.EmailBackend": "writes them to files",
    "django.core.mail.backends.locmem.EmailBackend": "keeps them in memory",
    "django.core.mail.backends.dummy.EmailBackend": "drops them",
}


def _subclass_of(backend_path, candidates):
    """The entry of ``candidates`` (dotted paths) that ``backend_path`` is or subclasses, else None."""
    if not isinstance(backend_path, str):
        return None
    if backend_path in candidates:
        return backend_path
    try:
        cls = import_string(backend_path)
    except ImportError:
        return None  # Django reports a backend it cannot import itself
    for path in candidates:
        if isinstance(cls, type) and issubclass(cls, import_string(path)):
            return path
    return None


@register(Tags.caches, Tags.compatibility)
def check_rate_limit_cache(app_configs=None, **kwargs):
    """``RATE_LIMIT_CACHE`` names a cache of ``CACHES``: every attempt limit reads it."""
    from django.conf import settings

    alias = portal_settings.RATE_LIMIT_CACHE
    if isinstance(alias, str) and alias in (getattr(settings, "CACHES", None) or {}):
        return []
    return [
        Error(
            f"{setting_label('RATE_LIMIT_CACHE')} = {alias!r} is not an alias of CACHES: logins, registration "
            "codes and mails would fail when they count an attempt.",
            hint="Name a cache of CACHES (default 'default').",
            id=ID.format("E060"),
        )
    ]


@register(Tags.security, Tags.caches, deploy=True)
def check_rate_limit_cache_deploy(app_configs=None, **kwargs):
    """``manage.py check --deploy``: attempt limits need a cache that all processes share."""
    from django.conf import settings

    alias = portal_settings.RATE_LIMIT_CACHE
    config = (getattr(settings, "CACHES", None) or {}).get(alias) if isinstance(alias, str) else None
    if not isinstance(config, dict):
        return []  # E060
    backend = _subclass_of(config.get("BACKEND"), PER_PROCESS_CACHES)
    if backend is None:
        return []
    if backend.endswith("DummyCache"):
        return [
            Warning(
                f"The cache of the attempt limits (CACHES[{alias!r}]) is a DummyCache, which stores "
                "nothing: logins, registration codes and two-factor codes can be guessed without limit.",
                hint="Use a cache all processes share: Redis (django.core.cache.backends.redis.RedisCache), "
                "Memcached or the database cache. See 'A shared cache' in docs/integrator-guide.md.",
                id=ID.format("W061"),
            )
        ]
    return [
        Warning(
            f"The cache of the attempt limits (CACHES[{alias!r}]) is a {backend.rsplit('.', 1)[-1]}, which "
            f"{PER_PROCESS_CACHES[backend]}: each worker process counts attempts and holds lockouts on its "
            "own, and a restart forgets them.",
            hint="Use a cache all processes share: Redis (django.core.cache.backends.redis.RedisCache), "
            f"Memcached or the database cache, as CACHES[{alias!r}] or named by "
            f"{setting_label('RATE_LIMIT_CACHE')}. See 'A shared cache' in docs/integrator-guide.md.",
            id=ID.format("W060"),
        )
    ]


def _task_backend_classes(name):
    """The classes ``name`` (e.g. ``"immediate.ImmediateBackend"``) of django-tasks and of
    Django's own ``django.tasks`` (Django 6.0+), where importable: ``TASKS`` may name either."""
    classes = []
    for package in ("django_tasks.backends", "django.tasks.backends"):
        try:
            classes.append(import_string(f"{package}.{name}"))
        except ImportError:
            pass
    return tuple(classes)


@register(Tags.security, deploy=True)
def check_task_backend_deploy(app_configs=None, **kwargs):
    """``manage.py check --deploy``: the portal's mails go to a task backend with a worker."""
    from django_tasks import task_backends

    from .outbox import deliver_outbox_task

    try:
        backend = task_backends[deliver_outbox_task.backend]
    except Exception:  # django-tasks reports a broken TASKS itself
        return []
    setting = f"TASKS[{deliver_outbox_task.backend!r}]"
    if isinstance(backend, _task_backend_classes("dummy.DummyBackend")):
        return [
            Warning(
                f"The task backend of the portal's mails ({setting}) is the DummyBackend: it runs no "
                "task, so no confirmation, password-reset or notice mail is ever sent.",
                hint="Configure a backend with a worker (e.g. django_tasks_db.DatabaseBackend and "
                "'manage.py db_worker'). See 'Mails: django-tasks with a worker' in "
                "docs/integrator-guide.md.",
                id=ID.format("W063"),
            )
        ]
    if isinstance(backend, _task_backend_classes("immediate.ImmediateBackend")):
        return [
            Warning(
                f"The task backend of the portal's mails ({setting}) is the ImmediateBackend: mails are "
                "sent inside the request, so a slow mail server slows the portal, and the time an answer "
                "takes tells whether an address has an account.",
                hint="Configure a backend with a worker (e.g. django_tasks_db.DatabaseBackend and "
                "'manage.py db_worker'). See 'Mails: django-tasks with a worker' in "
                "docs/integrator-guide.md.",
                id=ID.format("W062"),
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_mail_backend_deploy(app_configs=None, **kwargs):
    """``manage.py check --deploy``: mails carry confirmation codes and reset links; a test
    backend writes them where they do not belong, or drops them."""
    from django.conf import settings

    backend = _subclass_of(getattr(settings, "EMAIL_BACKEND", None), TEST_MAIL_BACKENDS)
    if backend is None:
        return []
    return [
        Warning(
            f"EMAIL_BACKEND is the {backend.rsplit('.', 2)[-2]} backend: it does not send the portal's mails "
            f"but {TEST_MAIL_BACKENDS[backend]}. Tenants get no confirmation codes or password-reset links"
            + (
                "; whoever reads the output can use them." if "writes" in TEST_MAIL_BACKENDS[backend] else "."
            ),
            hint="Use django.core.mail.backends.smtp.EmailBackend (or a provider's backend). See 'SMTP' "
            "in docs/integrator-guide.md.",
            id=ID.format("W064"),
        )
    ]


@register(Tags.database)
def check_outbox_worker(app_configs=None, databases=None, **kwargs):
    """``manage.py check --database default`` (and ``migrate``): messages wait in the outbox
    and no worker has delivered for ``OUTBOX_WORKER_STALE_SECONDS``."""
    if not databases or "default" not in databases:
        return []
    from django.db import DatabaseError

    from .outbox import health

    try:
        state = health()
    except DatabaseError:  # not migrated yet: migrate reports that itself
        return []
    if not state.stale:
        return []
    last = state.last_run_at.isoformat(timespec="seconds") if state.last_run_at else "never"
    return [
        Warning(
            f"{state.due} outbox messages (mails, ERP events) are waiting since "
            f"{state.oldest_due_at.isoformat(timespec='seconds')} and no outbox worker has run since: {last}.",
            hint="Run 'manage.py db_worker' with a django-tasks worker backend, or schedule "
            "'manage.py tenantportal_outbox' every minute (or run it with --watch). See "
            "'Operations' in docs/outbox.md.",
            id=ID.format("W080"),
        )
    ]
