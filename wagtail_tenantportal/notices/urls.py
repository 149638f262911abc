"""Tenant URLs of the notices app (namespace ``wagtail_tenantportal``, included under ``notices/``)."""

urlpatterns = []
