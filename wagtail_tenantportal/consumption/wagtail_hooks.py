"""Admin wiring of the consumption data (viewsets in the "Tenant portal" menu group) and the
tenant dashboard widget."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from ..core.widgets import HOOK_NAME as DASHBOARD_WIDGETS
from ..core.widgets import Widget, widget_function
from .admin_views import menu_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=400)
def register_consumption_viewsets():
    return menu_viewsets()


def _consumption_widget(info):
    return Widget(
        key="consumption",
        title=_("My consumption"),
        template="wagtail_tenantportal/consumption/widget.html",
        context={"info": info},
        url=reverse("wagtail_tenantportal:consumption"),
        url_label=_("Show my consumption"),
        order=50,
    )


def _sample_consumption_widget():
    """Made-up figures for the editor's preview of the dashboard."""
    from .blocks import sample_information

    return _consumption_widget(sample_information(months=0))


@hooks.register(DASHBOARD_WIDGETS)
@widget_function("consumption", _("My consumption"), sample=_sample_consumption_widget)
def consumption_dashboard_widget(request):
    """Heating and hot water of the latest month against the same month last year; None
    without meters (at most four queries)."""
    from .services import dashboard_summary

    info = dashboard_summary(request.user)
    if info is None:
        return None
    return _consumption_widget(info)
