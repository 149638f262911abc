"""Go-live checks: what ``manage.py check`` can see that would make a new portal fail its
tenants on the first day, in plain ``check`` (not only ``--deploy``), so the quickstart's
reader sees them while setting up.

- ``W070``: the base URL of links (``PORTAL_BASE_URL``, else ``WAGTAILADMIN_BASE_URL``) is
  missing or a placeholder (``example.com``, ``localhost``): letters and their QR codes
  would point there.
- ``W075``: a consent text has no address (``CONSENT_URLS``): tenants would agree to a text
  they cannot read.
- ``W065``: mails really leave (an SMTP or other sending backend) but no task worker
  delivers them (the ImmediateBackend sends inside the request; the DummyBackend never).
- ``E070``/``W077``: the security-header settings are invalid, or weaken the policy with
  ``'unsafe-inline'``/``'unsafe-eval'``.

What the database holds (Site records, companies without a site or sender, damage
categories) is checked by ``tenancy.checks`` and ``tickets.checks`` with
:func:`tables_exist`, which lets them stay silent before ``migrate``.
"""

from urllib.parse import urlsplit

from django.core.checks import Error, Tags, Warning, register

from .checks import ID, TEST_MAIL_BACKENDS, _subclass_of, _task_backend_classes, setting_label
from .conf import portal_settings

#: Host names that are never a portal's public address.
PLACEHOLDER_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "example.com", "example.org", "example.net"}  # noqa: S104


def is_placeholder_host(hostname):
    """True for ``localhost``, loopback addresses, ``*.localhost`` and the reserved example
    domains (``example.com``, ``*.example.org``, ``*.example``)."""
    host = str(hostname or "").strip().lower().rstrip(".")
    if not host or host in PLACEHOLDER_HOSTS:
        return True
    if host.endswith((".localhost", ".example")):
        return True
    return any(host.endswith("." + domain) for domain in ("example.com", "example.org", "example.net"))


def tables_exist(*models):
    """True if the database answers and has the tables of ``models`` (False before
    ``migrate``, without a database, or where a test forbids database access)."""
    from django.db import connection

    try:
        tables = set(connection.introspection.table_names())
    except Exception:  # no database (yet), or access not allowed: nothing to check
        return False
    return all(model._meta.db_table in tables for model in models)


@register(Tags.compatibility)
def check_base_url(app_configs=None, **kwargs):
    """``W070``: links leaving the page need the portal's public address."""
    from django.conf import settings

    name = "PORTAL_BASE_URL" if portal_settings.PORTAL_BASE_URL else "WAGTAILADMIN_BASE_URL"
    value = portal_settings.PORTAL_BASE_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    label = setting_label(name) if name == "PORTAL_BASE_URL" else name
    try:
        host = urlsplit(str(value)).hostname
    except ValueError:
        host = None
    if value and not is_placeholder_host(host):
        return []
    problem = f"is {value!r}" if value else "is not set"
    return [
        Warning(
            f"{label} {problem}: links in mails and registration letters (and their QR codes) of companies "
            "without a web address of their own point to no real site.",
            hint="Set WAGTAILADMIN_BASE_URL (or PORTAL_BASE_URL) to the public address, e.g. "
            "'https://www.wg-beispiel.de', and give each company its website in the admin. See 'Base URL "
            "and the Site record' in docs/quickstart.md.",
            id=ID.format("W070"),
        )
    ]


@register(Tags.compatibility)
def check_consent_texts(app_configs=None, **kwargs):
    """``W075``: each consent a tenant gives links the text it agrees to."""
    from django.apps import apps

    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return []
    urls = portal_settings.CONSENT_URLS
    urls = urls if isinstance(urls, dict) else {}
    kinds = ["privacy", "terms"]
    if apps.is_installed("wagtail_tenantportal.documents"):
        kinds.append("e_delivery")
    missing = [kind for kind in kinds if not urls.get(kind)]
    if not missing:
        return []
    return [
        Warning(
            f"{setting_label('CONSENT_URLS')} has no address for {', '.join(missing)}: tenants would agree to "
            "texts they cannot read when they register.",
            hint="Publish the texts as pages of your site and enter their addresses, e.g. "
            "{'privacy': '/datenschutz/', 'terms': '/nutzungsbedingungen/', 'e_delivery': "
            "'/elektronische-zustellung/'}. See 'Consent texts' in docs/quickstart.md.",
            id=ID.format("W075"),
        )
    ]


@register(Tags.compatibility)
def check_task_worker(app_configs=None, **kwargs):
    """``W065``: mails that really leave need a task backend with a worker.

    Silent with a development mail backend (console, file, locmem, dummy): nothing leaves
    yet. ``check --deploy`` says more (``W062``-``W064``)."""
    from django.conf import settings

    from .outbox import deliver_outbox_task

    if _subclass_of(getattr(settings, "EMAIL_BACKEND", None), TEST_MAIL_BACKENDS) is not None:
        return []
    from django_tasks import task_backends

    try:
        backend = task_backends[deliver_outbox_task.backend]
    except Exception:  # django-tasks reports a broken TASKS itself
        return []
    if not isinstance(
        backend,
        _task_backend_classes("immediate.ImmediateBackend") + _task_backend_classes("dummy.DummyBackend"),
    ):
        return []
    return [
        Warning(
            f"Mails are sent through {settings.EMAIL_BACKEND}, but no task worker delivers them "
            f"(TASKS[{deliver_outbox_task.backend!r}] is the {type(backend).__name__}): a slow mail server slows "
            "every page that sends one, or no mail is sent at all.",
            hint="Install django-tasks-db, set TASKS to django_tasks_db.DatabaseBackend and run "
            "'manage.py db_worker' next to the web server (and 'manage.py tenantportal_outbox' "
            "every minute for retries). See 'Mail and the task worker' in docs/quickstart.md.",
            id=ID.format("W065"),
        )
    ]


@register(Tags.security)
def check_security_headers(app_configs=None, **kwargs):
    """``E070``: the header settings must build valid headers; ``W077``: the policy should
    not allow inline or evaluated script."""
    from .headers import content_security_policy, parse_origins, permissions_policy

    messages = []
    for key, build in (
        ("CONTENT_SECURITY_POLICY", content_security_policy),
        ("PERMISSIONS_POLICY", permissions_policy),
    ):
        value = getattr(portal_settings, key)
        if value is not None and not isinstance(value, dict):
            messages.append(Error(f"{setting_label(key)} must be a dict or None.", id=ID.format("E070")))
            continue
        try:
            build()
        except (ValueError, TypeError) as error:
            messages.append(Error(f"{setting_label(key)} is invalid: {error}", id=ID.format("E070")))
    ancestors = portal_settings.FRAME_ANCESTORS
    try:
        if not isinstance(ancestors, list | tuple):
            raise ValueError("not a list")
        parse_origins(" ".join(str(origin) for origin in ancestors))
    except ValueError as error:
        messages.append(
            Error(
                f"{setting_label('FRAME_ANCESTORS')} must be a list of origins like "
                f"'https://www.example.de' ({error}).",
                id=ID.format("E070"),
            )
        )
    policy = portal_settings.CONTENT_SECURITY_POLICY
    if isinstance(policy, dict):
        for directive in ("default-src", "script-src", "style-src"):
            sources = policy.get(directive) or []
            sources = sources.split() if isinstance(sources, str) else sources
            weak = [s for s in sources if s in ("'unsafe-inline'", "'unsafe-eval'")]
            if weak:
                messages.append(
                    Warning(
                        f"{setting_label('CONTENT_SECURITY_POLICY')} adds {', '.join(weak)} to {directive}: "
                        "injected script or style would run on pages with tenants' data.",
                        hint="The portal needs neither; move inline code of your base template into files.",
                        id=ID.format("W077"),
                    )
                )
    return messages
