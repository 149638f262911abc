"""Settings for the test suite. DATABASE_URL selects the database (default: SQLite in memory)."""

import os
import tempfile

import dj_database_url

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
LANGUAGE_CODE = "en"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
USE_I18N = True

INSTALLED_APPS = [
    "wagtail_tenantportal",
    "wagtail_tenantportal.tenancy",
    "wagtail_tenantportal.accounts",
    "wagtail_tenantportal.tickets",
    "wagtail_tenantportal.documents",
    "wagtail_tenantportal.dashboard",
    "wagtail_tenantportal.notices",
    "wagtail_tenantportal.consumption",
    "wagtail_tenantportal.savings",
    "wagtail_tenantportal.api",
    "wagtail_tenantportal.erp",
    "tests.testapp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "rest_framework",  # the REST API (wagtail_tenantportal.api)
    "drf_spectacular_sidecar",  # the API docs' ReDoc and Swagger UI, served by the site
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wagtail_tenantportal.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # The portal's security headers on host pages with portal blocks too (docs/security.md).
    "wagtail_tenantportal.core.headers.PortalSecurityHeadersMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", "sqlite://:memory:"), conn_max_age=0)
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses the defaults

STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "_static")
MEDIA_URL = "/media/"
MEDIA_ROOT = os.path.join(BASE_DIR, "_media")
# Tenant files: a private location outside MEDIA_ROOT, fresh per test process.
PRIVATE_ROOT = tempfile.mkdtemp(prefix="tenantportal-private-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "tenantportal_private": {
        "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "portal@example.org"

WAGTAIL_SITE_NAME = "Test site"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# The consent texts every go-live portal links (check W075); the pages need not exist here.
WAGTAIL_TENANTPORTAL = {
    "CONSENT_URLS": {
        "privacy": "/datenschutz/",
        "terms": "/nutzungsbedingungen/",
        "e_delivery": "/elektronische-zustellung/",
    }
}
