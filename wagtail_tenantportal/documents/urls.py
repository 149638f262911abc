"""Tenant URLs of the documents (namespace ``wagtail_tenantportal``, included under ``documents/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.document_list_view, name="documents"),
    path("certificates/", views.certificates_view, name="document_certificates"),
    path("requests/", views.document_requests_view, name="document_requests"),
    # str, not uuid: any text gives the same 404 as a foreign or missing document.
    path("<str:document_id>/", views.document_download_view, name="document_download"),
]
