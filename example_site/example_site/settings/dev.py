import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "example-site-dev-only-not-secret"  # noqa: S105
# The second cooperative's site answers at elsteraue.localhost (*.localhost is the loopback).
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "elsteraue.localhost"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo runs on 127.0.0.1 and elsteraue.localhost by design; a real site gets its public
# address (manage.py check: W070 base URL, W071 Site record; see docs/quickstart.md).
SILENCED_SYSTEM_CHECKS = ["wagtail_tenantportal.W070", "wagtail_tenantportal.W071"]
DEFAULT_FROM_EMAIL = "Mieterportal <portal@wg-lindenhof.example>"

# Another database than example_site/db.sqlite3, e.g. a throwaway one:
# DEMO_DATABASE_URL=sqlite:////tmp/demo.sqlite3 ../.venv/bin/python manage.py migrate
if os.environ.get("DEMO_DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(os.environ["DEMO_DATABASE_URL"])}
