"""Two-factor for the Wagtail admin: the code entry after the Wagtail login and the set-up pages.

Registered with ``register_admin_urls`` (see ``hooks.py``) under
``<admin>/tenantportal/two-factor/``. ``StaffTwoFactorMiddleware`` leads admin users here
(``STAFF_TWO_FACTOR``); these views are exempt from its redirect and check the session
themselves. The Wagtail login itself stays Wagtail's.
"""

from django.http import HttpResponseRedirect
from django.urls import include, path, reverse
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ...core import session
from . import services as twofactor
from . import views
from .views import ADMIN, manage_view


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second factor of an admin session (after the Wagtail login)."""
    user = request.user
    if not user.is_authenticated:  # require_admin_access normally catches this first
        login = reverse("wagtailadmin_login")
        return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
    next_url = session.safe_next_url(request, request.POST.get("next") or request.GET.get("next") or "")
    if twofactor.staff_requirement(request) != "verify":
        return HttpResponseRedirect(next_url or ADMIN.url("done"))

    def on_success(device):
        twofactor.mark_session_verified(request, device)
        return HttpResponseRedirect(next_url or ADMIN.url("done"))

    return views._verify_page(request, ADMIN, user, on_success=on_success)


setup = manage_view(ADMIN)(views.setup)
reauth = sensitive_post_parameters()(manage_view(ADMIN)(views.reauth))
totp_setup = sensitive_post_parameters()(manage_view(ADMIN, reauth=True)(views.totp_setup))
backup_codes = manage_view(ADMIN)(views.backup_codes)
disable = manage_view(ADMIN, reauth=True)(views.disable)


def urlpatterns():
    """The admin URLs (for the ``register_admin_urls`` hook)."""
    return [
        path(
            "tenantportal/two-factor/",
            include(
                [
                    path("", setup, name="tenantportal_2fa_admin_setup"),
                    path("verify/", verify, name="tenantportal_2fa_admin_verify"),
                    path("confirm-password/", reauth, name="tenantportal_2fa_admin_reauth"),
                    path("app/", totp_setup, name="tenantportal_2fa_admin_totp"),
                    path("backup-codes/", backup_codes, name="tenantportal_2fa_admin_backup_codes"),
                    path("remove/", disable, name="tenantportal_2fa_admin_disable"),
                ]
            ),
        )
    ]
