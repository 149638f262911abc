"""Tenant URLs of the consumption app (namespace ``wagtail_tenantportal``, included under ``consumption/``)."""

urlpatterns = []
