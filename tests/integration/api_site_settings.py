"""Settings of the example site for the API's HTTP tests and bench/api_bench.py: the example
site as it is (DEBUG off), with the database, mail folder and private files in a scratch folder
given by the environment (``API_SITE_DIR``), mails written to files, and the attempt limits of
the API raised so that schemathesis' many calls from one address are not throttled (the
flows' own limits on wrong passwords and codes stay as they are)."""

import os

from example_site.settings.base import *  # noqa: F403

_DIR = os.environ["API_SITE_DIR"]

DEBUG = False
SECRET_KEY = "api-http-tests-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(_DIR, "db.sqlite3")}}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.path.join(_DIR, "mail")
DEFAULT_FROM_EMAIL = "Mieterportal <portal@wg-lindenhof.example>"
STORAGES = {
    **STORAGES,  # noqa: F405
    "tenantportal_private": {
        "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": os.path.join(_DIR, "private")},
    },
}
MEDIA_ROOT = os.path.join(_DIR, "media")
# One gunicorn worker process: its memory is the shared cache of the attempt limits.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fast hashing: the journey and schemathesis log in many times (production keeps Django's default).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WAGTAILADMIN_BASE_URL = os.environ.get("API_SITE_URL", "http://127.0.0.1:8000")
_HIGH = {"limit": 100000, "window": 60, "lockout": 1}
WAGTAIL_TENANTPORTAL = {
    **WAGTAIL_TENANTPORTAL,  # noqa: F405
    "RATE_LIMITS": dict.fromkeys(
        ("api_auth_ip", "api_register_ip", "api_upload", "ticket_submit", "ticket_message", "email_send_ip"),
        _HIGH,
    ),
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
