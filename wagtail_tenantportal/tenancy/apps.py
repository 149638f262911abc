from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "wagtail_tenantportal.tenancy"
    label = "tenantportal_tenancy"
    verbose_name = _("Tenant portal: tenancy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..core import scope
        from .scope import CompanyStaffScope

        # Staff work for the companies of their groups: every admin view asks core.scope.
        scope.register_provider(CompanyStaffScope())
        from . import checks  # noqa: F401  (registers the staff-scope check)
