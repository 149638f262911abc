from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "wagtail_tenantportal.notices"
    label = "tenantportal_notices"
    verbose_name = _("Tenant portal: notice board")
    default_auto_field = "django.db.models.BigAutoField"
