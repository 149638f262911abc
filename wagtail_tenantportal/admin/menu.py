"""The "Tenant portal" (Mieterportal) menu group of the Wagtail admin.

Sub-apps do not register their own top-level menu entries. They contribute viewsets to one
group through the hook ``register_tenantportal_admin_viewset`` (:data:`ADMIN_VIEWSET_HOOK`;
same calling convention as Wagtail's ``register_admin_viewset``: the function returns a
viewset or a list of them)::

    @hooks.register("register_tenantportal_admin_viewset", order=200)
    def register_ticket_viewsets():
        return [TicketViewSet("tenantportal_ticket"), ...]

Items appear in hook order (``order`` argument), then in list order. Viewsets that should
have URLs but no menu entry are registered with Wagtail's plain ``register_admin_viewset``.
The group itself is registered by the package's ``wagtail_hooks``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from ..core.conf import portal_settings

#: Hook name sub-apps use to put viewsets into the portal's menu group.
ADMIN_VIEWSET_HOOK = "register_tenantportal_admin_viewset"


class TenantPortalViewSetGroup(ViewSetGroup):
    """The "Tenant portal" menu group; label and position come from the settings object."""

    menu_icon = "home"
    menu_name = "tenantportal"

    def __init__(self, items):
        self.items = tuple(items)
        super().__init__()

    @property
    def menu_label(self):
        return portal_settings.ADMIN_MENU_LABEL or _("Tenant portal")

    @property
    def menu_order(self):
        return portal_settings.ADMIN_MENU_ORDER


def collect_group_items():
    """The viewsets (and other menu registerables) contributed through ``ADMIN_VIEWSET_HOOK``."""
    items = []
    for fn in hooks.get_hooks(ADMIN_VIEWSET_HOOK):
        result = fn()
        items.extend(result if isinstance(result, (list, tuple)) else [result])
    return items
