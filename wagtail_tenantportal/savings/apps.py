from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SavingsConfig(AppConfig):
    name = "wagtail_tenantportal.savings"
    label = "tenantportal_savings"
    verbose_name = _("Tenant portal: savings")
    default_auto_field = "django.db.models.BigAutoField"
