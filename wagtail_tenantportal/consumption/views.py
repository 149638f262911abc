"""Tenant views of the consumption information: the overview with month selection and a CSV
download of the tenant's own monthly values.

Thin: figures from ``services``, ownership from ``visible_to`` there. Both views need a full
portal session (``portal_login_required`` leads everybody else to their next step).
"""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..core.context import portal_renderer
from ..core.session import portal_login_required
from . import services
from .forms import MonthForm

TEMPLATE_DIR = "wagtail_tenantportal/consumption/"


render_portal = portal_renderer(TEMPLATE_DIR)


def consumption_context(request):
    """Context of the overview: figures of the chosen month (``?month=2026-10``) and the form."""
    context = services.overview_context(request.user, request.GET.get("month"))
    context["month_form"] = MonthForm(context["month_options"], context["selected_month"])
    context["export_url"] = reverse("wagtail_tenantportal:consumption_export")
    return context


@require_GET
@portal_login_required
def consumption_view(request):
    return render_portal(request, "consumption.html", consumption_context(request))


@require_GET
@portal_login_required
def consumption_export_view(request):
    response = HttpResponse(
        "\ufeff" + services.export_csv(request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="verbrauch.csv"'
    return response
