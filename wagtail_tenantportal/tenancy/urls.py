"""Tenant pages of the master data, mounted at ``contracts/`` by ``wagtail_tenantportal.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.contract_list_view, name="contract_list"),
    path("<int:contract_id>/", views.contract_detail_view, name="contract_detail"),
    path("<int:contract_id>/bank-details/", views.bank_details_change_view, name="contract_bank_details"),
]
