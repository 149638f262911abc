"""Tenant URLs of the dashboard app (namespace ``wagtail_tenantportal``, included under ``overview/``)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.dashboard_view, name="dashboard")]
