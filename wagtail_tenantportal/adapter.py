"""The default site policy: the class ``WAGTAIL_TENANTPORTAL["ADAPTER"]`` names by default.

Sites subclass :class:`DefaultPortalAdapter` and override single methods (django-allauth's
pattern). It joins the policy of each layer: ``core.adapter.BaseAdapter`` (names, theme,
client address, absolute URLs, mail) and ``accounts.adapter.AccountAdapterMixin``
(registration, users, login), and it knows the overview page, which only this top layer may.
"""

from django.apps import apps
from django.urls import reverse

from .accounts.adapter import AccountAdapterMixin
from .core.adapter import BaseAdapter
from .core.conf import portal_settings


class DefaultPortalAdapter(AccountAdapterMixin, BaseAdapter):
    def get_login_redirect_url(self, request):
        """Where a login leads without a ``next`` address.

        ``LOGIN_REDIRECT_URL`` if set; else the tenant's overview: the live dashboard page of
        the current site (the editors' page type) or the portal's ``overview/`` when the
        dashboard app is installed; else the account page.
        """
        if portal_settings.LOGIN_REDIRECT_URL:
            return portal_settings.LOGIN_REDIRECT_URL
        if apps.is_installed("wagtail_tenantportal.dashboard"):
            from .dashboard.services import dashboard_page_url

            return dashboard_page_url(request) or reverse("wagtail_tenantportal:dashboard")
        return super().get_login_redirect_url(request)
