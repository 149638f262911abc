"""System checks of the API: the apps it needs must be installed."""

from django.apps import apps
from django.core import checks

REQUIRED = {
    "rest_framework": "Django REST framework (browsable API templates)",
    "drf_spectacular_sidecar": "drf-spectacular-sidecar (the API docs' files, served offline)",
    "wagtail_tenantportal.accounts": "the portal's accounts (logins, tokens)",
}


@checks.register(checks.Tags.compatibility)
def check_api_apps(app_configs=None, **kwargs):
    errors = []
    for app, what in REQUIRED.items():
        if not apps.is_installed(app):
            errors.append(
                checks.Error(
                    f"wagtail_tenantportal.api needs {app!r} in INSTALLED_APPS: {what}.",
                    hint=f'Add "{app}" to INSTALLED_APPS (see docs/api.md).',
                    id="wagtail_tenantportal.E301",
                )
            )
    return errors
