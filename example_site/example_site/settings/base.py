"""Settings of the example site: a small cooperative website that adds the tenant portal
exactly as the quickstart describes (one INSTALLED_APPS block, one include(), migrate)."""

import os

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_DIR = os.path.dirname(PROJECT_DIR)

INSTALLED_APPS = [
    "home",
    "example_erp",  # the example ERP that receives the portal's events (docs/erp.md)
    # --- wagtail-tenantportal: paste this block ---
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
    "wagtail_tenantportal.erp",  # optional: the ERP link (docs/erp.md)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "rest_framework",  # the REST API (wagtail_tenantportal.api)
    "drf_spectacular_sidecar",  # the API docs' ReDoc and Swagger UI, served by the site
    # --- end of wagtail-tenantportal ---
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
    "django.middleware.security.SecurityMiddleware",  # first: HTTPS redirect and headers
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # wagtail-tenantportal: two-factor
    "wagtail_tenantportal.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "example_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                # optional: portal_base_template, portal_include_css, portal_name in every template
                "wagtail_tenantportal.context_processors.portal",
            ]
        },
    }
]

WSGI_APPLICATION = "example_site.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE_DIR, "db.sqlite3"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [os.path.join(BASE_DIR, "static")]
STATIC_ROOT = os.path.join(BASE_DIR, "static_collected")
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Tenant documents and attachments: outside MEDIA_ROOT, no public URL (see docs).
    "tenantportal_private": {
        "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": os.path.join(BASE_DIR, "private")},
    },
}

WAGTAIL_SITE_NAME = "Wohnungsgenossenschaft Lindenhof eG"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login-restricted pages send visitors to the portal login (which includes the second factor).
WAGTAIL_FRONTEND_LOGIN_URL = "/portal/login/"

# --- wagtail-tenantportal settings (see docs/settings.md) ---
# Two cooperatives, two Wagtail sites, one portal. THEME is the look of the default site
# (Lindenhof: brick red); SITE_THEMES gives Elsteraue's site (by its site name) its own.
# The portal serves the values as /portal/theme.css; templates/base.html links it on every
# page, so the site's own header and buttons (static/css/site.css) follow it too.
LINDENHOF_THEME = {
    "--tp-color-primary": "#9b2915",
    "--tp-color-primary-hover": "#7a1f10",
    "--tp-color-info": "#9b2915",
    "--tp-color-info-bg": "#fbeee9",
    "--tp-font-family": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    "--tp-radius": "0.25rem",
}
ELSTERAUE_THEME = {
    "--tp-color-primary": "#1d4d33",
    "--tp-color-primary-hover": "#133a26",
    "--tp-color-info": "#1d4d33",
    "--tp-color-info-bg": "#e6f0ea",
    "--tp-color-surface": "#eef3ef",
    "--tp-font-family": 'Georgia, "Iowan Old Style", "Times New Roman", serif',
    "--tp-font-size": "1.0625rem",
    "--tp-radius": "0.75rem",
}
WAGTAIL_TENANTPORTAL = {
    "BASE_TEMPLATE": "base.html",
    "PORTAL_NAME": "Mieterportal",
    "THEME": LINDENHOF_THEME,
    "SITE_THEMES": {"Bauverein Elsteraue eG": ELSTERAUE_THEME},
    # The texts tenants agree to when they register: pages of each site (the demo makes them).
    "CONSENT_URLS": {
        "privacy": "/datenschutz/",
        "terms": "/nutzungsbedingungen/",
        "e_delivery": "/elektronische-zustellung/",
    },
}
