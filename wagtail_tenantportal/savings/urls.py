"""Tenant URLs of the savings app (namespace ``wagtail_tenantportal``, included under ``savings/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.savings_overview_view, name="savings"),
    path("exemption-orders/", views.exemption_orders_view, name="savings_exemption"),
    # str, not int: any text gives the same 404 as a foreign or missing account.
    path("<str:account_id>/", views.savings_account_view, name="savings_account"),
    path(
        "<str:account_id>/statement/<str:year>.pdf",
        views.savings_statement_view,
        name="savings_statement",
    ),
]
