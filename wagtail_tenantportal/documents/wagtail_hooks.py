"""Admin wiring of the documents: viewsets in the "Tenant portal" menu group, audit-log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import services
from .admin_views import menu_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=300)
def register_document_viewsets():
    return menu_viewsets()


@hooks.register("register_log_actions")
def register_document_log_actions(actions):
    actions.register_action(services.ACTION_PUBLISHED, _("Publish document"), _("Document published"))
    actions.register_action(services.ACTION_WITHDRAWN, _("Withdraw document"), _("Document withdrawn"))
    actions.register_action(services.ACTION_VIEWED, _("View document"), _("Document viewed by staff"))
    actions.register_action(
        services.ACTION_DISTRIBUTED, _("Distribute documents"), _("Documents distributed from a ZIP file")
    )
    actions.register_action(services.ACTION_PRINT_BATCH, _("Create print batch"), _("Print batch created"))
