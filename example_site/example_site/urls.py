from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # --- wagtail-tenantportal: one include() ---
    path("portal/", include("wagtail_tenantportal.urls")),
    # optional: the ERP link's inbound API (docs/erp.md)
    path("portal/erp/", include("wagtail_tenantportal.erp.urls")),
    # The example ERP (not part of the package): receives the portal's events, calls back.
    path("example-erp/", include("example_erp.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
