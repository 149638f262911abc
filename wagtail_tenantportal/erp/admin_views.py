"""The ERP link in the Wagtail admin: connections (connector, case mappings, keys), the
ERP's calls, and the sync state on each request's staff page."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from ..admin.scoping import ScopedViewSetMixin
from ..admin.utils import field_label
from ..admin.viewsets import InspectSection, PortalModelViewSet, read_only_urlpatterns
from ..core import outbox
from ..core.outbox_models import OutboxMessage
from ..tickets.admin_views import ticket_admin_url
from ..tickets.models import Ticket
from . import events
from .models import Connection, InboundCall

connection_permissions = ModelPermissionPolicy(Connection)
outbox_permissions = ModelPermissionPolicy(OutboxMessage)
ticket_permissions = ModelPermissionPolicy(Ticket)

#: How long a replaced key or secret keeps working, so the ERP can switch without a gap.
ROTATION_GRACE = timedelta(hours=24)


def inbound_api_url(request):
    """The address of the inbound API, if the site includes its URLs."""
    try:
        return request.build_absolute_uri(reverse("tenantportal_erp:ping")).removesuffix("ping")
    except NoReverseMatch:
        return ""


class ConnectionKeysView(View):
    """The keys of one connection: issue a new API key (shown once), rotate the signing
    secret; the old ones keep working for ``ROTATION_GRACE``."""

    template_name = "wagtail_tenantportal/erp/admin/keys.html"

    def dispatch(self, request, pk):
        if not connection_permissions.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.connection = get_object_or_404(Connection.objects.for_staff(request.user, write=True), pk=pk)
        return super().dispatch(request, pk)

    def render(self, request, **extra):
        context = {
            "connection": self.connection,
            "grace_hours": int(ROTATION_GRACE.total_seconds() // 3600),
            "edit_url": reverse("tenantportal_erp_connection:edit", args=[self.connection.pk]),
            "inbound_url": inbound_api_url(request),
            **extra,
        }
        return TemplateResponse(request, self.template_name, context)

    def get(self, request, pk):
        return self.render(request)

    def post(self, request, pk):
        action = request.POST.get("action")
        grace = ROTATION_GRACE if request.POST.get("grace") == "1" else None
        if action == "issue_key":
            key = self.connection.issue_key(grace=grace)
            messages.success(request, _("A new API key was issued. Copy it now: it is not shown again."))
            return self.render(request, new_key=key)
        if action == "rotate_secret":
            self.connection.rotate_signing_secret(grace=grace)
            messages.success(request, _("A new signing secret was made. Give it to the ERP."))
            return self.render(request)
        messages.error(request, _("Unknown action."))
        return self.render(request)


class ConnectionViewSet(PortalModelViewSet):
    model = Connection
    name = "tenantportal_erp_connection"
    url_prefix = "tenantportal/erp/connections"
    icon = "link"
    menu_label = _("ERP connections")
    list_display = [
        "company",
        "name",
        "active",
        Column("connector", label=_("Connector"), accessor=lambda c: (c.connector or {}).get("CLASS", "")),
    ]
    list_filter = ["active"]
    search_fields = ["name", "company__name"]
    inspect_view_fields = [
        "company",
        "name",
        "active",
        "connector",
        "default_case_type",
        "default_clerk",
        "allowed_addresses",
        "key_prefix",
        "key_created_at",
    ]
    without_views = ("history", "usage")
    object_querysets = {"keys": "get_write_queryset"}

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company")

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("keys/<int:pk>/", ConnectionKeysView.as_view(), name="keys")]

    def get_inspect_sections(self, obj):
        calls = list(obj.calls.order_by("-received_at", "-pk")[:20])
        table = Table(
            [
                Column(name, label=field_label(InboundCall, name))
                for name in ("received_at", "action", "target", "status_code")
            ],
            calls,
        )
        return [
            InspectSection(
                heading=_("Latest calls of the ERP"),
                table=table,
                empty_message=_("The ERP has not called yet."),
                actions=[(_("API key and signing secret"), reverse(f"{self.name}:keys", args=[obj.pk]))],
            )
        ]


class InboundCallViewSet(PortalModelViewSet):
    model = InboundCall
    name = "tenantportal_erp_call"
    url_prefix = "tenantportal/erp/calls"
    icon = "history"
    menu_label = _("ERP calls")
    ordering = "-received_at"
    list_display = ["received_at", "connection", "action", "target", "status_code", "webhook_id"]
    list_filter = ["action", "status_code"]
    search_fields = ["target", "webhook_id"]
    inspect_view_fields = [
        "received_at",
        "connection",
        "action",
        "target",
        "status_code",
        "webhook_id",
        "remote_addr",
        "body_sha256",
        "response",
    ]
    without_views = ("add", "edit", "delete", "history", "usage")

    def get_listing_queryset(self, queryset):
        return queryset.select_related("connection__company")

    def get_urlpatterns(self):
        return read_only_urlpatterns(self)


class SyncRetryView(View):
    """POST: send the failed ERP events of one request again (a request of the user's
    companies; any other id is answered 404)."""

    def post(self, request, pk):
        if not outbox_permissions.user_has_permission(request.user, "change"):
            raise PermissionDenied
        ticket = get_object_or_404(Ticket.objects.for_staff(request.user), pk=pk)
        outbox.retry(
            OutboxMessage.objects.filter(channel=events.CHANNEL, stream=events.ticket_stream(ticket))
        )
        messages.success(request, _("The ERP events of this request will be sent again."))
        return HttpResponseRedirect(ticket_admin_url("detail", ticket.pk))


class SyncViewSet(ScopedViewSetMixin, ViewSet):
    """The ERP sync actions on a request (``tenantportal_erp_sync:retry``): their object ids
    are requests, checked against the staff scope like every object URL of the admin."""

    model = Ticket
    name = "tenantportal_erp_sync"
    url_prefix = "tenantportal/erp/sync"
    icon = "link"
    object_querysets = {"retry": "get_write_queryset"}

    def get_urlpatterns(self):
        return [path("retry/<int:pk>/", SyncRetryView.as_view(), name="retry")]


class SyncStatePanel(Component):
    """Below a request's staff page: each ERP event with its state, the error of a failing one,
    and "Send again"."""

    template_name = "wagtail_tenantportal/erp/admin/sync_panel.html"

    def __init__(self, request, ticket, rows):
        self.request = request
        self.ticket = ticket
        self.rows = rows

    def get_context_data(self, parent_context=None):
        failing = [
            row
            for row in self.rows
            if row.state == OutboxMessage.State.DEAD
            or (row.state == OutboxMessage.State.PENDING and row.last_error)
        ]
        return {
            "rows": self.rows,
            "failing": failing,
            "retry_url": reverse("tenantportal_erp_sync:retry", args=[self.ticket.pk]),
            "can_retry": outbox_permissions.user_has_permission(self.request.user, "change"),
            "request": self.request,
        }


def sync_panel(request, ticket):
    """The panel for ``ticket``'s staff page (None without a connection and without events)."""
    rows = events.sync_state(ticket)
    if not rows and events.active_connection(ticket.company_id) is None:
        return None
    return SyncStatePanel(request, ticket, rows)
