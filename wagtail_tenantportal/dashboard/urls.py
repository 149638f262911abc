"""Tenant URLs of the dashboard app (namespace ``wagtail_tenantportal``, included under ``dashboard/``)."""

urlpatterns = []
