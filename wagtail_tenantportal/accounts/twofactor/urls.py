"""Two-factor pages of the portal, mounted at ``2fa/`` by ``wagtail_tenantportal.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.portal_setup, name="two_factor_setup"),
    path("verify/", views.portal_verify, name="two_factor_verify"),
    path("confirm-password/", views.portal_reauth, name="two_factor_reauth"),
    path("app/", views.portal_totp_setup, name="two_factor_totp_setup"),
    path("email/", views.portal_email_setup, name="two_factor_email_setup"),
    path("backup-codes/", views.portal_backup_codes, name="two_factor_backup_codes"),
    path("remove/", views.portal_disable, name="two_factor_disable"),
]
