"""Admin wiring of the package: the "Tenant portal" (Mieterportal) menu group.

The group and the hook sub-apps contribute to (``register_tenantportal_admin_viewset``) are
defined in the admin toolkit, ``wagtail_tenantportal.admin.menu``.
"""

from wagtail import hooks

from .admin.menu import TenantPortalViewSetGroup, collect_group_items
from .admin.outbox import OutboxHealthPanel, OutboxViewSet, show_health_panel

__all__ = ["TenantPortalViewSetGroup", "register_tenant_portal_group"]


@hooks.register("register_admin_viewset")
def register_tenant_portal_group():
    items = collect_group_items()
    # No contributing sub-app installed: no empty menu entry.
    return [TenantPortalViewSetGroup(items)] if items else []


@hooks.register("register_tenantportal_admin_viewset", order=900)
def register_outbox_viewset():
    return OutboxViewSet()


@hooks.register("construct_homepage_panels")
def add_outbox_panel(request, panels):
    if show_health_panel(request.user):
        panels.append(OutboxHealthPanel(request.user))
