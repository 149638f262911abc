from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "wagtail_tenantportal.api"
    label = "tenantportal_api"
    verbose_name = _("Tenant portal: REST API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401  (system checks; tokens die with sessions)
