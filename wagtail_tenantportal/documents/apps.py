from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "wagtail_tenantportal.documents"
    label = "tenantportal_documents"
    verbose_name = _("Tenant portal: documents")
    default_auto_field = "django.db.models.BigAutoField"
