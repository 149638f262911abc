"""Settings for testing the example site (tests/test_demo.py): its own settings, an in-memory DB.

The rest of the suite does not depend on the example site; only this module puts it on the
path. Run it as a second pytest invocation:

    pytest --ds=tests.example_settings tests/test_demo.py

DATABASE_URL selects the database as in tests/settings.py.
"""

import os
import sys

import dj_database_url

EXAMPLE_SITE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "example_site")
if EXAMPLE_SITE_DIR not in sys.path:
    sys.path.insert(0, EXAMPLE_SITE_DIR)

from example_site.settings.base import *  # noqa: E402, F403

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", "sqlite://:memory:"), conn_max_age=0)
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses the defaults
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
