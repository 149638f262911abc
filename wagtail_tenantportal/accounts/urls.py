"""URLs of registration, login and the account pages (namespace ``wagtail_tenantportal``)."""

from django.urls import path

from . import leaving_views, views
from .code_request_views import request_code_view

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("logout/everywhere/", views.logout_everywhere_view, name="logout_everywhere"),
    path("register/", views.register_view, name="register"),
    path("register/done/", views.register_done_view, name="register_done"),
    path("register/request-code/", request_code_view, name="request_code"),
    path("verify/code/", views.verify_email_code_view, name="verify_email_code"),
    path("verify/resend/", views.resend_verification_view, name="resend_verification"),
    path("verify/<str:token>/", views.verify_email_view, name="verify_email"),
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path(
        "password/reset/<uidb64>/<str:token>/",
        views.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path("password/change/", views.password_change_view, name="password_change"),
    path("account/", views.account_view, name="account"),
    path("account/email/", views.email_change_view, name="email_change"),
    path("account/contact/", views.contact_check_view, name="contact_check"),
    path("account/activate/", views.activate_view, name="activate"),
    path("account/add-contract/", views.add_contract_view, name="add_contract"),
    path("account/consents/", views.consents_view, name="consents"),
    path("account/data/", leaving_views.data_export_view, name="data_export"),
    path(
        "account/data/<uuid:export_id>/", leaving_views.data_export_download_view, name="data_export_download"
    ),
    path("account/delete/", leaving_views.delete_account_view, name="delete_account"),
    path("account/deleted/", leaving_views.account_deleted_view, name="account_deleted"),
]
