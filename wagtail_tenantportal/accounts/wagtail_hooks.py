"""Admin wiring of the accounts app: registration codes, code requests and letter texts in
the "Tenant portal" menu group, and the audit-log actions of codes."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import services
from .admin_views import admin_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=200)
def register_accounts_viewsets():
    return admin_viewsets()


@hooks.register("register_log_actions")
def register_code_log_actions(actions):
    actions.register_action(
        services.ACTION_ISSUED, _("Issue registration code"), _("Registration code issued")
    )
    actions.register_action(
        services.ACTION_REVOKED, _("Revoke registration code"), _("Registration code revoked")
    )
    actions.register_action(
        services.ACTION_REDEEMED, _("Redeem registration code"), _("Registration code used")
    )
    actions.register_action(
        services.ACTION_RESERVED,
        _("Keep registration code for an existing account"),
        _("Registration code used with an address that has an account"),
    )
    actions.register_action(
        services.ACTION_REQUESTED, _("Request registration code"), _("Registration code requested")
    )
    actions.register_action(
        services.ACTION_REQUEST_HANDLED, _("Handle code request"), _("Code request handled")
    )
    actions.register_action(
        services.ACTION_REQUEST_REJECTED, _("Reject code request"), _("Code request rejected")
    )


# Hooks of the other parts of the accounts app:
# - account_hooks: registration and login (audit-log actions);
# - twofactor.hooks: two-factor (admin URLs and account menu item, audit-log actions, page privacy);
# - cms_hooks: staff admin of accounts and registrations to match (viewsets, audit-log actions).
from . import account_hooks, cms_hooks  # noqa: E402, F401
from .twofactor import hooks as twofactor_hooks  # noqa: E402, F401
