from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "wagtail_tenantportal.tenancy"
    label = "tenantportal_tenancy"
    verbose_name = _("Tenant portal: tenancy")
    default_auto_field = "django.db.models.BigAutoField"
