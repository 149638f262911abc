"""The tenant's overview (Startseite) at ``overview/``: greeting and the widgets of all sub-apps."""

from django.views.decorators.http import require_GET

from ..core.context import portal_renderer
from ..core.session import portal_login_required
from .services import dashboard_context

TEMPLATE_DIR = "wagtail_tenantportal/dashboard/"


render_portal = portal_renderer(TEMPLATE_DIR)


@require_GET
@portal_login_required
def dashboard_view(request):
    return render_portal(request, "dashboard.html", dashboard_context(request))
