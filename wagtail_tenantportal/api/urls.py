"""URLs of the API, mounted by the package's URLconf under ``api/v1/`` (namespace ``api``).

Endpoints of optional apps exist only when those apps are installed. Every path under the
prefix that names no endpoint answers 404 in the API's error body.
"""

from django.apps import apps
from django.urls import path, re_path, register_converter

from . import schema
from .views import account, auth, leaving, registration
from .views.root import ApiRootView, NotFoundView

app_name = "api"


class IdConverter:
    """A database id: 1 to 18 digits (longer numbers would overflow the database's integers)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class ReferenceConverter:
    """A request reference such as ``2026-000123``."""

    regex = "[0-9A-Za-z][0-9A-Za-z_-]{0,19}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "tp_id")
register_converter(ReferenceConverter, "tp_ref")


def installed(app):
    return apps.is_installed(f"wagtail_tenantportal.{app}")


def endpoint_patterns():
    """Every endpoint of the installed apps (without the schema and docs)."""
    patterns = [
        # authentication
        path("auth/login/", auth.LoginView.as_view(), name="auth_login"),
        path("auth/2fa/verify/", auth.SecondFactorVerifyView.as_view(), name="auth_2fa_verify"),
        path("auth/2fa/email-code/", auth.SecondFactorEmailCodeView.as_view(), name="auth_2fa_email_code"),
        path("auth/session/", auth.SessionStateView.as_view(), name="auth_session"),
        path("auth/csrf/", auth.CsrfView.as_view(), name="auth_csrf"),
        path("auth/logout/", auth.LogoutView.as_view(), name="auth_logout"),
        path("auth/logout-everywhere/", auth.LogoutEverywhereView.as_view(), name="auth_logout_everywhere"),
        path("auth/tokens/", auth.DeviceSessionListView.as_view(), name="auth_tokens"),
        path("auth/tokens/<tp_id:token_id>/", auth.DeviceSessionDetailView.as_view(), name="auth_token"),
        path("auth/email/verify/", auth.EmailVerifyView.as_view(), name="auth_email_verify"),
        path("auth/email/resend/", auth.EmailResendView.as_view(), name="auth_email_resend"),
        path("auth/password/reset/", auth.PasswordResetView.as_view(), name="auth_password_reset"),
        path(
            "auth/password/reset/confirm/",
            auth.PasswordResetConfirmView.as_view(),
            name="auth_password_reset_confirm",
        ),
        # registration
        path(
            "register/companies/", registration.RegistrationCompaniesView.as_view(), name="register_companies"
        ),
        path("register/code/", registration.CodeRegistrationView.as_view(), name="register_code"),
        path("register/personal/", registration.ClaimRegistrationView.as_view(), name="register_personal"),
        # the account
        path("me/", account.MeView.as_view(), name="me"),
        path("me/profile/", account.ProfileView.as_view(), name="me_profile"),
        path("me/consents/", account.ConsentsView.as_view(), name="me_consents"),
        path("me/email/", account.EmailChangeView.as_view(), name="me_email"),
        path("me/password/", account.PasswordChangeView.as_view(), name="me_password"),
        path("me/activation/", account.ActivationView.as_view(), name="me_activation"),
        path("me/contracts/", account.AddContractView.as_view(), name="me_contracts_add"),
        path("me/two-factor/", account.TwoFactorView.as_view(), name="me_two_factor"),
        path("me/two-factor/totp/", account.TotpSetupView.as_view(), name="me_two_factor_totp"),
        path(
            "me/two-factor/totp/confirm/",
            account.TotpConfirmView.as_view(),
            name="me_two_factor_totp_confirm",
        ),
        path("me/two-factor/email/", account.EmailMethodSetupView.as_view(), name="me_two_factor_email"),
        path(
            "me/two-factor/email/confirm/",
            account.EmailMethodConfirmView.as_view(),
            name="me_two_factor_email_confirm",
        ),
        path(
            "me/two-factor/backup-codes/",
            account.BackupCodesView.as_view(),
            name="me_two_factor_backup_codes",
        ),
        path("me/two-factor/remove/", account.RemoveMethodView.as_view(), name="me_two_factor_remove"),
        path("me/delete/", leaving.DeleteAccountView.as_view(), name="me_delete"),
        path("me/exports/", leaving.DataExportListView.as_view(), name="me_exports"),
        path("me/exports/<uuid:export_id>/", leaving.DataExportDetailView.as_view(), name="me_export"),
        path(
            "me/exports/<uuid:export_id>/file/", leaving.DataExportFileView.as_view(), name="me_export_file"
        ),
    ]
    if installed("tenancy"):
        from .views import contracts

        patterns += [
            path("contracts/", contracts.ContractListView.as_view(), name="contracts"),
            path("contracts/<tp_id:contract_id>/", contracts.ContractDetailView.as_view(), name="contract"),
            path(
                "contracts/<tp_id:contract_id>/bank-details/",
                contracts.ContractBankDetailsView.as_view(),
                name="contract_bank_details",
            ),
        ]
    if installed("tickets"):
        from .views import requests

        patterns += [
            path("requests/", requests.RequestListView.as_view(), name="requests"),
            path("requests/shared/", requests.SharedRequestListView.as_view(), name="requests_shared"),
            path("requests/<tp_ref:reference>/", requests.RequestDetailView.as_view(), name="request"),
            path(
                "requests/<tp_ref:reference>/messages/",
                requests.RequestMessageView.as_view(),
                name="request_messages",
            ),
            path(
                "requests/<tp_ref:reference>/read/", requests.RequestReadView.as_view(), name="request_read"
            ),
            path(
                "requests/<tp_ref:reference>/me-too/",
                requests.RequestJoinView.as_view(),
                name="request_me_too",
            ),
            path(
                "requests/<tp_ref:reference>/attachments/<tp_id:attachment_id>/",
                requests.RequestAttachmentView.as_view(),
                name="requests_attachment",
            ),
            path("request-types/", requests.RequestTypesView.as_view(), name="request_types"),
            path("damage-taxonomy/", requests.DamageTaxonomyView.as_view(), name="damage_taxonomy"),
        ]
        from .views import messages

        patterns += [
            path("messages/", messages.ConversationListView.as_view(), name="messages"),
            path("messages/unread/", messages.UnreadView.as_view(), name="messages_unread"),
        ]
    if installed("documents"):
        from .views import documents

        patterns += [
            path("documents/", documents.DocumentListView.as_view(), name="documents"),
            path("documents/<uuid:document_id>/", documents.DocumentDetailView.as_view(), name="document"),
            path(
                "documents/<uuid:document_id>/file/",
                documents.DocumentFileView.as_view(),
                name="documents_file",
            ),
            path(
                "documents/<uuid:document_id>/link/",
                documents.DocumentLinkView.as_view(),
                name="documents_link",
            ),
            path(
                "documents/<uuid:document_id>/read/",
                documents.DocumentReadView.as_view(),
                name="documents_read",
            ),
            path("downloads/<str:signed>/", documents.SignedDownloadView.as_view(), name="documents_signed"),
            path("certificates/", documents.CertificateView.as_view(), name="certificates"),
            path("document-requests/", documents.DocumentRequestView.as_view(), name="document_requests"),
        ]
    if installed("notices"):
        from .views import notices

        patterns += [
            path("notices/", notices.NoticeListView.as_view(), name="notices"),
            path("notices/<tp_id:notice_id>/", notices.NoticeDetailView.as_view(), name="notice"),
            path("notices/<tp_id:notice_id>/read/", notices.NoticeReadView.as_view(), name="notice_read"),
        ]
    if installed("consumption"):
        from .views import figures

        patterns.append(path("consumption/", figures.ConsumptionView.as_view(), name="consumption"))
    if installed("savings"):
        from .views import figures

        patterns += [
            path("savings/accounts/", figures.SavingsAccountListView.as_view(), name="savings_accounts"),
            path(
                "savings/accounts/<tp_id:account_id>/",
                figures.SavingsAccountDetailView.as_view(),
                name="savings_account",
            ),
            path(
                "savings/accounts/<tp_id:account_id>/transactions/",
                figures.SavingsTransactionListView.as_view(),
                name="savings_transactions",
            ),
            path(
                "savings/exemption-orders/",
                figures.ExemptionOrdersView.as_view(),
                name="savings_exemption_orders",
            ),
        ]
    from .views import feed

    patterns.append(path("feed/", feed.FeedView.as_view(), name="feed"))
    return patterns


urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.RedocView.as_view(), name="docs"),
    path("docs/swagger/", schema.SwaggerView.as_view(), name="docs_swagger"),
    *endpoint_patterns(),
    re_path(r"^[\s\S]*$", NotFoundView.as_view()),  # unnamed: nothing to reverse
]
