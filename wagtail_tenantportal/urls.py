"""The portal's URLs. A host site adds one line: ``path("portal/", include("wagtail_tenantportal.urls"))``."""

from django.apps import apps
from django.urls import include, path
from wagtail.utils.urlpatterns import decorate_urlpatterns

from .core.headers import portal_headers
from .core.theming import theme_css_view
from .views import portal_home

app_name = "wagtail_tenantportal"

urlpatterns = [
    path("", portal_home, name="home"),
    path("", include("wagtail_tenantportal.accounts.urls")),
    path("2fa/", include("wagtail_tenantportal.accounts.twofactor.urls")),
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

# Every portal response carries the portal's security headers (core/headers.py); the theme is
# a stylesheet, which a policy does not govern.
urlpatterns = [
    *decorate_urlpatterns(urlpatterns, portal_headers),
    path("theme.css", theme_css_view, name="theme_css"),
]

# The REST API answers JSON with its own headers; its rendered docs (ReDoc, Swagger UI) run the
# sidecar's scripts, which the portal's policy would block.
if apps.is_installed("wagtail_tenantportal.api"):
    urlpatterns.append(path("api/v1/", include("wagtail_tenantportal.api.urls")))
