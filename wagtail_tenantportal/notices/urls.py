"""Tenant URLs of the notices app (namespace ``wagtail_tenantportal``, included under ``notices/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.notice_list_view, name="notices"),
    path("email/", views.notice_mail_preference_view, name="notice_mail_preference"),
    # str, not int: any text gives the same 404 as a foreign or missing notice.
    path("<str:notice_id>/", views.notice_detail_view, name="notice_detail"),
]
