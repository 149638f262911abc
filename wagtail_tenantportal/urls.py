"""The portal's URLs. A host site adds one line: ``path("portal/", include("wagtail_tenantportal.urls"))``."""

from django.urls import include, path

app_name = "wagtail_tenantportal"

urlpatterns = [
    path("", include("wagtail_tenantportal.accounts.urls")),
    path("2fa/", include("wagtail_tenantportal.accounts.twofactor_urls")),
]
