"""Admin wiring of the master data: viewsets in the "Tenant portal" menu group, plus the
viewsets without a menu entry (contract parties, rent components, choosers); the panel of the
companies a group works for on Wagtail's group page (the staff scope); the dashboard widget
"Your contact person"."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from ..core.widgets import HOOK_NAME as DASHBOARD_WIDGETS
from ..core.widgets import Widget, widget_function
from .admin_views import hidden_viewsets, menu_viewsets
from .forms import GroupCompaniesForm


@hooks.register("register_tenantportal_admin_viewset", order=100)
def register_tenancy_menu_viewsets():
    return menu_viewsets()


@hooks.register("register_admin_viewset")
def register_tenancy_hidden_viewsets():
    return hidden_viewsets()


@hooks.register("register_log_actions", order=1000)  # after Wagtail registered its own log model
def scope_the_audit_log(actions):
    """Site history and its filters show staff the log of their companies' objects only: the
    scoped proxy of ``ModelLogEntry`` takes its place (same table, see ``audit``)."""
    from django.db import models
    from wagtail.models import ModelLogEntry

    from .audit import ScopedModelLogEntry

    actions.register_model(models.Model, ScopedModelLogEntry)
    log_models = getattr(actions, "log_entry_models", None)
    if isinstance(log_models, set):
        log_models.discard(ModelLogEntry)


@hooks.register("register_log_actions")
def register_bank_details_log_actions(actions):
    from .bank import log_actions

    for action, label, message in log_actions():
        actions.register_action(action, label, message)


@hooks.register("register_group_permission_panel")
def register_group_companies_panel():
    return GroupCompaniesForm


class NoCompanyPanel(Component):
    """The admin's start page for staff who work for no company: why they see no tenant data."""

    name = "tenantportal_no_company"
    order = 10
    template_name = "wagtail_tenantportal/admin/no_company_panel.html"


@hooks.register("construct_homepage_panels")
def add_no_company_panel(request, panels):
    from .staff_scope import works_for_no_company

    if works_for_no_company(request.user):
        panels.insert(0, NoCompanyPanel())


@hooks.register("construct_homepage_panels")
def add_bank_details_panel(request, panels):
    from .admin_bank import pending_panel

    panel = pending_panel(request.user)
    if panel is not None:
        panels.append(panel)


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
