"""The ERP's inbound API, version 1. The site includes it beside the portal, e.g.
``path("portal/erp/", include("wagtail_tenantportal.erp.urls"))``: it is a machine interface
with its own authentication, not a page of the portal (docs/erp.md)."""

from django.urls import path

from . import api

app_name = "tenantportal_erp"

urlpatterns = [
    path("v1/ping", api.PingView.as_view(), name="ping"),
    path("v1/requests/<str:key>/status", api.StatusView.as_view(), name="status"),
    path("v1/requests/<str:key>/messages", api.MessageView.as_view(), name="messages"),
    path("v1/documents", api.DocumentView.as_view(), name="documents"),
    path("v1/master-data", api.MasterDataView.as_view(), name="master_data"),
    path("v1/attachments/<int:pk>", api.AttachmentView.as_view(), name="attachment"),
]
