from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "wagtail_tenantportal.tenancy"
    label = "tenantportal_tenancy"
    verbose_name = _("Tenant portal: tenancy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core asks which company a site or a user belongs to (core.companies): mails,
        # letters, links and pages speak with that company's voice.
        from ..core import companies
        from . import checks  # noqa: F401  (registers the go-live checks of the companies)
        from .voice import TenancyCompanies

        companies.register_provider(TenancyCompanies())
