"""Tenant views of the consumption information: the overview with month selection and a CSV
download of the tenant's own monthly values.

Thin: figures from ``services``, ownership from ``visible_to`` there. Both views need a full
portal session (``portal_login_required`` leads everybody else to their next step).
"""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from ..core.context import portal_renderer
from ..core.session import portal_login_required
from . import services

TEMPLATE_DIR = "wagtail_tenantportal/consumption/"


render_portal = portal_renderer(TEMPLATE_DIR)


@require_GET
@portal_login_required
def consumption_view(request):
    context = services.consumption_page_context(request.user, request.GET.get("month"))
    return render_portal(request, "consumption.html", context)


@require_GET
@portal_login_required
def consumption_export_view(request):
    response = HttpResponse(
        "\ufeff" + services.export_csv(request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="verbrauch.csv"'
    return response
