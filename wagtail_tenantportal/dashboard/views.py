"""The tenant's overview (Startseite) at ``overview/``: greeting and the widgets of all sub-apps."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..accounts.auth import portal_login_required
from ..context import portal_context
from .services import dashboard_context

TEMPLATE_DIR = "wagtail_tenantportal/dashboard/"


def render_portal(request, template, context=None, status=200):
    return render(
        request, TEMPLATE_DIR + template, {**portal_context(request), **(context or {})}, status=status
    )


@require_GET
@portal_login_required
def dashboard_view(request):
    return render_portal(request, "dashboard.html", dashboard_context(request))
