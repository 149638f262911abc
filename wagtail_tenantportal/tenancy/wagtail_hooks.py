"""Admin wiring of the master data: viewsets in the "Tenant portal" menu group, plus the
viewsets without a menu entry (contract parties, rent components, choosers)."""

from wagtail import hooks

from .admin_views import hidden_viewsets, menu_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=100)
def register_tenancy_menu_viewsets():
    return menu_viewsets()


@hooks.register("register_admin_viewset")
def register_tenancy_hidden_viewsets():
    return hidden_viewsets()
