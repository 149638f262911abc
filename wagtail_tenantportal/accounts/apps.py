from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "wagtail_tenantportal.accounts"
    label = "tenantportal_accounts"
    verbose_name = _("Tenant portal: accounts")
    default_auto_field = "django.db.models.BigAutoField"
