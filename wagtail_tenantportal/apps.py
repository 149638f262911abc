from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantPortalConfig(AppConfig):
    name = "wagtail_tenantportal"
    label = "wagtail_tenantportal"
    verbose_name = _("Tenant portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .core import checks, golive  # noqa: F401  (register system checks)
