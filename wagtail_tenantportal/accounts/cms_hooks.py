"""Wagtail hooks of the staff admin of accounts and registrations to match (imported by
``wagtail_hooks``): the viewsets in the "Tenant portal" menu group and the audit-log actions
of the staff actions (``staff.py``)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import staff
from .admin_accounts import admin_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=210)
def register_account_admin_viewsets():
    return admin_viewsets()


@hooks.register("register_log_actions")
def register_staff_log_actions(actions):
    actions.register_action(
        staff.ACTION_LINK_DEACTIVATED, _("Deactivate link to a party"), _("Link to a party deactivated")
    )
    actions.register_action(
        staff.ACTION_TWO_FACTOR_RESET,
        _("Reset two-factor authentication"),
        _("Two-factor authentication reset"),
    )
    actions.register_action(
        staff.ACTION_VERIFICATION_RESENT, _("Send confirmation mail again"), _("Confirmation mail sent again")
    )
    actions.register_action(
        staff.ACTION_ACTIVATION_LETTER, _("Print activation letter"), _("Activation letter printed")
    )
