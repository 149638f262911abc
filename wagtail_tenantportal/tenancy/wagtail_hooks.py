"""Admin wiring of the master data: viewsets in the "Tenant portal" menu group, plus the
viewsets without a menu entry (contract parties, rent components, choosers); the dashboard
widget "Your contact person"."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from ..core.widgets import HOOK_NAME as DASHBOARD_WIDGETS
from ..core.widgets import Widget, widget_function
from .admin_views import hidden_viewsets, menu_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=100)
def register_tenancy_menu_viewsets():
    return menu_viewsets()


@hooks.register("register_admin_viewset")
def register_tenancy_hidden_viewsets():
    return hidden_viewsets()


def _contact_widget(context):
    return Widget(
        key="contact_person",
        title=_("Your contact person"),
        template="wagtail_tenantportal/tenancy/widgets/contact_person.html",
        context=context,
        url=reverse("wagtail_tenantportal:contract_list"),
        url_label=_("My contracts"),
        order=90,
    )


def _sample_contact_widget():
    """Made-up data for the editor's preview of the dashboard."""
    from .blocks import ContactPersonBlock

    block = ContactPersonBlock()
    return _contact_widget(block.get_preview_portal_context(block.get_default(), None))


@hooks.register(DASHBOARD_WIDGETS)
@widget_function("contact_person", _("Your contact person"), sample=_sample_contact_widget)
def contact_person_widget(request):
    """The general contact person of the tenant's current contracts (else the landlord's
    channels); None without a current contract. Two queries whatever the number of contracts."""
    from .models import Topic
    from .services import contact_context

    context = contact_context(request.user, Topic.GENERAL)
    if not context["people"] and not context["companies"]:
        return None
    return _contact_widget(context)
