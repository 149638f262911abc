"""Admin wiring of the ERP link: connections and calls in the "Tenant portal" menu group, the
sync state on each request's page, and the audit-log action of the ERP's calls."""

from wagtail import hooks

from ..tickets.admin_views import TICKET_ADMIN_PANELS_HOOK
from . import services
from .admin_views import ConnectionViewSet, InboundCallViewSet, SyncViewSet, sync_panel


@hooks.register("register_tenantportal_admin_viewset", order=800)
def register_erp_viewsets():
    return [ConnectionViewSet(), InboundCallViewSet()]


@hooks.register("register_admin_viewset")
def register_erp_sync_viewset():
    return SyncViewSet()


@hooks.register(TICKET_ADMIN_PANELS_HOOK)
def erp_sync_panel(request, ticket):
    return sync_panel(request, ticket)


@hooks.register("register_log_actions")
def register_erp_log_actions(actions):
    for action, label, message in services.LOG_ACTIONS:
        actions.register_action(action, label, message)
