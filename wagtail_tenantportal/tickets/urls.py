"""Tenant URLs of the tickets app (namespace ``wagtail_tenantportal``, included under ``requests/``)."""

from django.urls import path, re_path

from . import views

REFERENCE = r"(?P<reference>\d{4}-\d{6,})"

urlpatterns = [
    path("", views.ticket_list_view, name="ticket_list"),
    path("new/", views.ticket_new_choose_view, name="ticket_new_choose"),
    path("new/<slug:type_code>/", views.ticket_new_view, name="ticket_new"),
    path("messages/", views.message_inbox_view, name="message_inbox"),
    path("messages/new/", views.message_new_view, name="message_new"),
    path("notifications/", views.notification_preferences_view, name="ticket_notifications"),
    re_path(rf"^{REFERENCE}/$", views.ticket_detail_view, name="ticket_detail"),
    re_path(rf"^{REFERENCE}/reply/$", views.ticket_reply_view, name="ticket_reply"),
    re_path(rf"^{REFERENCE}/join/$", views.ticket_join_view, name="ticket_join"),
    re_path(rf"^{REFERENCE}/files/(?P<pk>\d+)/$", views.ticket_attachment_view, name="ticket_attachment"),
    re_path(
        rf"^{REFERENCE}/files/(?P<pk>\d+)/thumbnail/$",
        views.ticket_attachment_view,
        {"thumbnail": True},
        name="ticket_attachment_thumbnail",
    ),
]
