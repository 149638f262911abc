"""Wagtail hooks of registration and login (imported by ``wagtail_hooks``): audit-log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import flows
from .leaving import ACTION_ACCOUNT_DELETED


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    actions.register_action(
        flows.ACTION_REGISTERED, _("Register portal account"), _("Portal account registered")
    )
    actions.register_action(
        flows.ACTION_EMAIL_CONFIRMED, _("Confirm email address"), _("Email address confirmed")
    )
    actions.register_action(
        flows.ACTION_CLAIM_MATCHED, _("Match registration"), _("Registration matched to a party")
    )
    actions.register_action(flows.ACTION_CLAIM_REJECTED, _("Reject registration"), _("Registration rejected"))
    actions.register_action(
        flows.ACTION_ACTIVATED,
        _("Activate portal account"),
        _("Portal account activated with the letter code"),
    )
    actions.register_action(
        ACTION_ACCOUNT_DELETED,
        _("Delete portal account"),
        _("The tenant deleted their portal account (open requests stay open)"),
    )
