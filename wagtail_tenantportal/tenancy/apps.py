from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "wagtail_tenantportal.tenancy"
    label = "tenantportal_tenancy"
    verbose_name = _("Tenant portal: tenancy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..core import companies, scope
        from . import checks  # noqa: F401  (registers the staff-scope and go-live checks)
        from .scope import CompanyStaffScope
        from .voice import TenancyCompanies

        # Staff work for the companies of their groups: every admin view asks core.scope.
        scope.register_provider(CompanyStaffScope())
        # The core asks which company a site or a user belongs to (core.companies): mails,
        # letters, links and pages speak with that company's voice.
        companies.register_provider(TenancyCompanies())
