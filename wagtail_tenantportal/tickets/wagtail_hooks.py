"""Admin wiring of the tickets app: the inbox, routing rules and the configuration snippets in
the "Tenant portal" menu group, audit-log actions, and the dashboard panel."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from ..core.widgets import HOOK_NAME as DASHBOARD_WIDGETS
from ..core.widgets import Widget, widget_function
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


# -- dashboard widget (the tenant's overview) ---------------------------------------------------

#: How many unread replies the widget lists (one per request, newest first).
WIDGET_REPLIES = 3


def _tickets_widget(open_count, awaiting_count, replies, unread_count=None):
    """The widget; ``unread_count`` is the number of requests with a staff reply the tenant has
    not read yet (default: one per reply listed). It is the attention text, before the
    requests that await the tenant's reply."""
    if unread_count is None:
        unread_count = len(replies)
    notes = []
    if unread_count:
        notes.append(
            ngettext(
                "%(count)d request has an unread reply",
                "%(count)d requests have unread replies",
                unread_count,
            )
            % {"count": unread_count}
        )
    if awaiting_count:
        notes.append(
            ngettext(
                "%(count)d request awaits your reply", "%(count)d requests await your reply", awaiting_count
            )
            % {"count": awaiting_count}
        )
    return Widget(
        key="tickets",
        title=_("My requests"),
        template="wagtail_tenantportal/tickets/dashboard_widget.html",
        context={
            "open_count": open_count,
            "awaiting_count": awaiting_count,
            "unread_count": unread_count,
            "replies": replies,
        },
        url=reverse("wagtail_tenantportal:ticket_list"),
        url_label=_("All my requests"),
        order=10,
        attention="; ".join(notes) or None,
    )


def _sample_tickets_widget():
    """Made-up data for the editor's preview of the dashboard."""
    import datetime

    from django.utils import timezone

    reply = {
        "reference": "2026-000412",
        "subject": "Wasserhahn im Bad tropft",
        "excerpt": "Der Handwerker kommt am Dienstag zwischen 8 und 10 Uhr.",
        "created_at": timezone.now() - datetime.timedelta(hours=5),
        "url": "#",
    }
    return _tickets_widget(2, 1, [reply])


@hooks.register(DASHBOARD_WIDGETS)
@widget_function("tickets", _("My requests"), sample=_sample_tickets_widget)
def tickets_dashboard_widget(request):
    """Open requests, how many await the tenant's reply, how many have a staff reply the tenant
    has not read, and the newest unread replies (2 queries whatever the number of requests)."""
    from django.utils.text import Truncator

    counts = services.request_counts(request.user)
    # Messages of reports joined with "me too" are not shown to supporters: not counted here.
    replies = [
        {
            "reference": message.ticket.reference,
            "subject": message.ticket.subject,
            "excerpt": Truncator(message.body).chars(120),
            "created_at": message.created_at,
            "url": message.ticket.get_absolute_url(),
        }
        for message in services.newest_unread_replies(request.user, WIDGET_REPLIES)
    ]
    return _tickets_widget(counts["open"], counts["awaiting"], replies, counts["unread"])
