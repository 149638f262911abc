"""Production-like settings: everything secret or host-specific comes from the environment.

Follows "14. Production" of docs/integrator-guide.md; ``manage.py check --deploy`` passes
with it. Environment:

- ``DJANGO_SECRET_KEY`` (required), ``DJANGO_ALLOWED_HOSTS`` (comma-separated),
  ``DATABASE_URL`` (e.g. ``postgres://portal@db/portal``);
- ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``): the shared cache of attempt limits;
- ``PORTAL_BASE_URL`` (e.g. ``https://www.wg-lindenhof.de``): links in mails sent outside a
  request;
- ``EMAIL_HOST``, ``EMAIL_PORT`` (587), ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
  ``DEFAULT_FROM_EMAIL``.

Run ``manage.py db_worker`` next to the web server (it sends the mails), and schedule the
commands listed in the guide ("Scheduled commands").
"""

import os

import dj_database_url

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
DATABASES = {"default": dj_database_url.config(conn_max_age=60)}
WAGTAILADMIN_BASE_URL = os.environ.get("PORTAL_BASE_URL", WAGTAILADMIN_BASE_URL)  # noqa: F405

# Attempt limits and lockouts must hold across processes: a cache all of them share
# (check --deploy: W060). Sessions use it too, backed by the database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Mails leave the request: the database task backend and `manage.py db_worker` (package
# django-tasks-db; then `manage.py migrate`). The default ImmediateBackend would send them
# inside the request, and the answer's time would tell whether an address has an account
# (check --deploy: W062).
INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# SMTP with TLS; the sender must be allowed by the domain's SPF/DKIM/DMARC (check --deploy: W064).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_USE_TLS = True
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mieterportal <portal@example.org>")

# HTTPS only: the portal holds personal data. The proxy in front sets X-Forwarded-Proto and
# overwrites any value the client sent.
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# The admin holds tenants' personal data: staff need a second factor (check --deploy: W031).
WAGTAIL_TENANTPORTAL = {
    **WAGTAIL_TENANTPORTAL,  # noqa: F405
    "STAFF_TWO_FACTOR": "required",
    # one nginx in front (it appends the client address to X-Forwarded-For); attempt limits
    # would otherwise count every tenant as the proxy
    "TRUSTED_PROXY_COUNT": int(os.environ.get("TRUSTED_PROXY_COUNT", "1")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"wagtail_tenantportal": {"handlers": ["console"], "level": "WARNING"}},
}
