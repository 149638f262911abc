"""The portal's URLs. A host site adds one line: ``path("portal/", include("wagtail_tenantportal.urls"))``."""

app_name = "wagtail_tenantportal"

urlpatterns = []
