"""Tenant URLs of the consumption app (namespace ``wagtail_tenantportal``, included under ``consumption/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.consumption_view, name="consumption"),
    path("export.csv", views.consumption_export_view, name="consumption_export"),
]
