from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ErpConfig(AppConfig):
    name = "wagtail_tenantportal.erp"
    label = "tenantportal_erp"
    verbose_name = _("Tenant portal: ERP link")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..accounts.signals import account_deleted
        from ..core.outbox import register_transport
        from ..tenancy.signals import bank_details_approved
        from ..tickets.signals import ticket_event
        from .events import CHANNEL, on_account_deleted, on_bank_details_approved, on_ticket_event
        from .transport import ErpTransport

        register_transport(CHANNEL, ErpTransport)
        ticket_event.connect(on_ticket_event, dispatch_uid="tenantportal_erp_ticket_event")
        account_deleted.connect(on_account_deleted, dispatch_uid="tenantportal_erp_account_deleted")
        bank_details_approved.connect(on_bank_details_approved, dispatch_uid="tenantportal_erp_bank_details")
        if apps.is_installed("wagtail_tenantportal.savings"):
            from ..savings.signals import exemption_request_confirmed
            from .events import on_exemption_request_confirmed

            exemption_request_confirmed.connect(
                on_exemption_request_confirmed, dispatch_uid="tenantportal_erp_exemption_order"
            )
        if apps.is_installed("wagtail_tenantportal.documents"):
            from ..documents.signals import document_requested
            from .events import on_document_requested

            document_requested.connect(
                on_document_requested, dispatch_uid="tenantportal_erp_document_requested"
            )
