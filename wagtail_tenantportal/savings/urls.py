"""Tenant URLs of the savings app (namespace ``wagtail_tenantportal``, included under ``savings/``)."""

urlpatterns = []
