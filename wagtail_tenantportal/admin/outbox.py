"""The outbox in the Wagtail admin: every mail, task and ERP event with its state, the dead
letters to send again or discard, and the health panel of the admin's dashboard.

Staff need the "view" permission of outbox messages to see them and "change" to send again
or discard. The package's ``wagtail_hooks`` registers the viewset and the panel.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.permission_policies import ModelPermissionPolicy

from ..core import outbox, scope
from ..core.outbox_models import OutboxMessage
from .utils import field_label
from .viewsets import PortalInspectView, PortalModelViewSet, read_only_urlpatterns

permission_policy = ModelPermissionPolicy(OutboxMessage)


def outbox_url(view, *args):
    return reverse(f"{OutboxViewSet.name}:{view}", args=args)


def error_excerpt(message, length=120):
    text = " ".join((message.last_error or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def staff_rows(user):
    """The outbox rows ``user`` may see and act on: those of their companies (``core.scope``)."""
    return OutboxMessage.objects.for_staff(user)


class OutboxActionView(View):
    """POST ``action`` = ``retry`` or ``discard`` for the row ``pk`` (without ``pk``: for every
    dead letter of the user's companies); back to ``next`` or the listing. A row of another
    company is answered like a missing one (404)."""

    def post(self, request, pk=None):
        if not permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        action = request.POST.get("action")
        rows = staff_rows(request.user)
        if pk is None:
            rows = rows.filter(state=OutboxMessage.State.DEAD)
        else:
            rows = rows.filter(pk=get_object_or_404(rows, pk=pk).pk)
        if action == "retry":
            count = outbox.retry(rows)
            messages.success(
                request,
                ngettext(
                    "%(count)d message will be sent again.", "%(count)d messages will be sent again.", count
                )
                % {"count": count},
            )
        elif action == "discard":
            count = outbox.discard(rows)
            messages.success(
                request,
                ngettext("%(count)d message discarded.", "%(count)d messages discarded.", count)
                % {"count": count},
            )
        else:
            messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(get_valid_next_url_from_request(request) or outbox_url("index"))


class OutboxInspectView(PortalInspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = permission_policy.user_has_permission(self.request.user, "change")
        return context


class OutboxViewSet(PortalModelViewSet):
    """The outbox: list and inspect; dead letters are sent again or discarded from there."""

    model = OutboxMessage
    name = "tenantportal_outbox"
    url_prefix = "tenantportal/outbox"
    icon = "mail"
    menu_label = _("Outbox")
    ordering = "-pk"
    inspect_view_class = OutboxInspectView
    inspect_template_name = "wagtail_tenantportal/admin/outbox_inspect.html"
    without_views = ("add", "edit", "delete", "history", "usage")
    list_display = [
        "created_at",
        "channel",
        "topic",
        "stream",
        "state",
        "attempts",
        "next_attempt_at",
        Column("last_error", label=field_label(OutboxMessage, "last_error"), accessor=error_excerpt),
    ]
    list_filter = ["state", "channel", "topic"]
    search_fields = ["topic", "stream", "last_error"]
    list_export = [
        "uuid",
        "created_at",
        "channel",
        "destination",
        "topic",
        "stream",
        "state",
        "attempts",
        "last_error",
    ]
    inspect_view_fields = [
        "uuid",
        "channel",
        "destination",
        "topic",
        "stream",
        "company_id",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_attempt_at",
        "delivered_at",
        "last_error",
        "locked_by",
        "locked_until",
        "payload",
    ]

    def get_listing_queryset(self, queryset):
        return queryset.defer("payload")

    def get_urlpatterns(self):
        return [
            *read_only_urlpatterns(self),
            path("action/<int:pk>/", OutboxActionView.as_view(), name="action"),
            path("action/all/", OutboxActionView.as_view(), name="action_all"),
        ]


def health_scope(user):
    """The ``company_ids`` argument of ``outbox.health`` for ``user``: None (every row) for
    users who work for all companies, else their companies' ids (none: an empty list)."""
    ids = scope.company_ids(user)
    if ids is scope.ALL:
        return None
    return [] if ids is None else ids


class OutboxHealthPanel(Component):
    """The admin dashboard's panel: waiting, due and dead messages, the last worker run."""

    name = "tenantportal_outbox"
    order = 90
    template_name = "wagtail_tenantportal/admin/outbox_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return {
            "health": outbox.health(company_ids=health_scope(self.user)),
            "index_url": outbox_url("index"),
            "dead_url": outbox_url("index") + "?state=dead",
            "retry_all_url": outbox_url("action_all"),
            "can_change": permission_policy.user_has_permission(self.user, "change"),
        }


def show_health_panel(user):
    return permission_policy.user_has_permission(user, "view")
