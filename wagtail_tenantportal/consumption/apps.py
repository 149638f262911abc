from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsumptionConfig(AppConfig):
    name = "wagtail_tenantportal.consumption"
    label = "tenantportal_consumption"
    verbose_name = _("Tenant portal: consumption")
    default_auto_field = "django.db.models.BigAutoField"
