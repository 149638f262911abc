"""The portal's URLs. A host site adds one line: ``path("portal/", include("wagtail_tenantportal.urls"))``."""

from django.apps import apps
from django.urls import include, path

from .core.theming import theme_css_view

app_name = "wagtail_tenantportal"

urlpatterns = [
    path("", include("wagtail_tenantportal.accounts.urls")),
    path("2fa/", include("wagtail_tenantportal.accounts.twofactor.urls")),
    path("theme.css", theme_css_view, name="theme_css"),
]

# Optional sub-apps bring their URLs only when installed.
if apps.is_installed("wagtail_tenantportal.tickets"):
    urlpatterns.append(path("requests/", include("wagtail_tenantportal.tickets.urls")))
if apps.is_installed("wagtail_tenantportal.documents"):
    urlpatterns.append(path("documents/", include("wagtail_tenantportal.documents.urls")))
if apps.is_installed("wagtail_tenantportal.tenancy"):
    urlpatterns.append(path("contracts/", include("wagtail_tenantportal.tenancy.urls")))
for _app, _prefix in (
    ("dashboard", "overview/"),
    ("notices", "notices/"),
    ("consumption", "consumption/"),
    ("savings", "savings/"),
):
    if apps.is_installed(f"wagtail_tenantportal.{_app}"):
        urlpatterns.append(path(_prefix, include(f"wagtail_tenantportal.{_app}.urls")))
