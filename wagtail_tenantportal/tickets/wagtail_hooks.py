"""Admin wiring of the tickets app: the inbox, routing rules and the configuration snippets in
the "Tenant portal" menu group, audit-log actions, and the dashboard panel."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import services
from .admin_views import (
    SNIPPET_VIEWSETS,
    RoutingRuleViewSet,
    TicketSummaryPanel,
    TicketViewSet,
    show_panel,
)

for viewset_class in SNIPPET_VIEWSETS:
    register_snippet(viewset_class)


class SnippetMenuLink:
    """A registered snippet viewset's menu entry placed into the portal's menu group.

    Snippets must be registered through ``register_snippet`` (choosers, permissions and bulk
    actions depend on it), so the group gets only a link, which has no URLs of its own.
    """

    def __init__(self, model):
        self.model = model

    def on_register(self):
        pass

    def get_urlpatterns(self):
        return []

    def get_menu_item(self, order=None):
        return self.model.snippet_viewset.get_menu_item(order=order)


@hooks.register("register_tenantportal_admin_viewset", order=300)
def register_ticket_viewsets():
    return [
        TicketViewSet(),
        RoutingRuleViewSet(),
        *(SnippetMenuLink(viewset_class.model) for viewset_class in SNIPPET_VIEWSETS),
    ]


@hooks.register("register_log_actions")
def register_ticket_log_actions(actions):
    for action, label, message in services.LOG_ACTIONS:
        actions.register_action(action, label, message)


@hooks.register("construct_homepage_panels")
def add_ticket_panel(request, panels):
    if show_panel(request.user):
        panels.append(TicketSummaryPanel(request.user))
