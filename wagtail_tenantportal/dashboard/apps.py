from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "wagtail_tenantportal.dashboard"
    label = "tenantportal_dashboard"
    verbose_name = _("Tenant portal: dashboard")
    default_auto_field = "django.db.models.BigAutoField"
