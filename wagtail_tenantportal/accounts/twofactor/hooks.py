"""Wagtail hooks of two-factor: admin URLs and account menu, audit-log actions, and page
privacy (login-restricted pages and documents accept only fully verified sessions).

Imported by the accounts app's ``wagtail_hooks.py``.
"""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import BaseViewRestriction

from ...core import session
from . import admin
from . import services as twofactor
from .views import ADMIN

LOGIN_RESTRICTIONS = (BaseViewRestriction.LOGIN, BaseViewRestriction.GROUPS)


@hooks.register("register_admin_urls")
def register_two_factor_admin_urls():
    return admin.urlpatterns()


@hooks.register("register_account_menu_item")
def two_factor_account_menu_item(request):
    if twofactor.staff_mode() == "off":
        return None
    return {
        "url": reverse("tenantportal_2fa_admin_setup"),
        "label": _("Two-factor authentication"),
        "help_text": _("Protect your account with a code from an authenticator app."),
    }


@hooks.register("register_log_actions")
def register_two_factor_log_actions(actions):
    actions.register_action(
        twofactor.ACTION_ENABLED, _("Set up two-factor method"), _("Two-factor method set up")
    )
    actions.register_action(
        twofactor.ACTION_DISABLED, _("Remove two-factor method"), _("Two-factor method removed")
    )
    actions.register_action(
        twofactor.ACTION_BACKUP_CODES, _("Create backup codes"), _("New backup codes created")
    )
    actions.register_action(
        twofactor.ACTION_FAILED, _("Lock two-factor attempts"), _("Too many wrong two-factor codes")
    )


def private_content_response(request):
    """None if this session may see login-restricted pages and documents, else a redirect.

    Allowed: full portal sessions (``session.is_portal_verified``) and admin users whose session
    the admin accepts (verified with a second factor, or not needed under ``STAFF_TWO_FACTOR``).
    Anonymous sessions (a pending second factor included) are left to Wagtail's own check,
    which sends them to ``WAGTAIL_FRONTEND_LOGIN_URL``.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if session.is_portal_verified(request):
        return None
    if twofactor.is_admin_user(user):
        need = twofactor.staff_requirement(request)
        if need is None:
            return None
        response = HttpResponseRedirect(ADMIN.url(need, next=request.get_full_path()))
    else:
        response = session.redirect_for_state(request)
    add_never_cache_headers(response)
    return response


@hooks.register("before_serve_page")
def require_verified_session_for_private_pages(page, request, serve_args, serve_kwargs):
    restrictions = page.get_view_restrictions()
    if any(r.restriction_type in LOGIN_RESTRICTIONS for r in restrictions):
        return private_content_response(request)
    return None


@hooks.register("before_serve_document")
def require_verified_session_for_private_documents(document, request):
    restrictions = document.collection.get_view_restrictions()
    if any(r.restriction_type in LOGIN_RESTRICTIONS for r in restrictions):
        return private_content_response(request)
    return None
