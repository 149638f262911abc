from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "wagtail_tenantportal.tickets"
    label = "tenantportal_tickets"
    verbose_name = _("Tenant portal: requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
