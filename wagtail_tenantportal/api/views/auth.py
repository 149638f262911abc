"""Authentication for apps (tokens) and same-origin front ends (session + CSRF).

The flow (docs/api.md has it as curl commands):

1. ``POST auth/login`` with email and password. Without a second factor the answer carries a
   session token; with one, a *pending* token that opens only the next two endpoints.
2. ``POST auth/2fa/email-code`` (codes by email only) and ``POST auth/2fa/verify`` with the
   pending token: TOTP, email or backup code; the answer carries the session token.
3. Every further call sends ``Authorization: Bearer <token>``. ``GET auth/session`` tells the
   state; a login that misses a step (email, activation, two-factor set-up, contact check)
   gets 403 with ``step`` everywhere else, as the web leads to that step.
"""

from django.core.exceptions import ValidationError
from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response

from ...accounts import auth, flows
from ...core import session
from ...core.adapter import get_adapter
from .. import errors, services
from ..authentication import PortalSessionAuthentication, token_of
from ..base import PortalAPIView, extend_schema
from ..models import AppToken
from ..permissions import Anybody, LoggedIn
from ..serializers import auth as s
from .common import (
    client_ip,
    current_token,
    flow_errors,
    next_step,
    session_answer,
    state_of,
    token_answer,
    two_factor,
)

AUTH_THROTTLES = [("api_auth_ip", "ip")]
ERRORS = {
    400: OpenApiResponse(description="Invalid input (the error body)"),
    401: OpenApiResponse(description="Not logged in, or the token is not valid"),
    429: OpenApiResponse(description="Too many attempts; see retry_after"),
}


def _error_responses(*codes):
    return {code: ERRORS.get(code, OpenApiResponse(description="Error body")) for code in codes}


LOGIN_ANSWER = PolymorphicProxySerializer(
    component_name="LoginAnswer",
    serializers=[s.AuthenticatedSerializer, s.SecondFactorRequiredSerializer],
    resource_type_field_name=None,
)


class PendingSecondFactor(permissions.BasePermission):
    """A pending token, or a browser session whose login waits for the second factor."""

    def has_permission(self, request, view):
        token = token_of(request)
        if token is not None and token.kind == AppToken.Kind.PENDING:
            return True
        if token is None and session.two_factor_pending(request._request):
            return True
        raise exceptions.NotAuthenticated(
            _("No login is waiting for a second factor. Please log in first."), code="no_pending_login"
        )


def _enforce_csrf(request):
    PortalSessionAuthentication().enforce_csrf(request)


def _second_factor_required(user, secret=None):
    module = two_factor()
    body = {
        "status": "second_factor_required",
        "methods": module.available_methods(user) if module else [],
        "expires_in": services.lifetime(AppToken.Kind.PENDING),
    }
    if secret is not None:
        body["pending_token"] = secret
    return body


class LoginView(PortalAPIView):
    permission_classes = [Anybody]
    throttle_scopes = AUTH_THROTTLES
    serializer_class = s.LoginSerializer

    @extend_schema(
        operation_id="auth_login",
        request=s.LoginSerializer,
        responses={200: LOGIN_ANSWER, **_error_responses(400, 403, 429)},
        auth=[],
    )
    def post(self, request):
        data = self.validated()
        browser = data["client"] == "browser"
        if browser:
            _enforce_csrf(request)
        with flow_errors():
            user = flows.authenticate_login(request._request, data["email"], data["password"])
        has_device = auth.user_has_device(user)
        if browser:
            if has_device:
                two_factor().begin_second_factor(request._request, user)
                return Response(_second_factor_required(user))
            auth.complete_login(request._request, user)
            return Response(session_answer(request))
        if has_device:
            _token, secret = services.issue(
                user, AppToken.Kind.PENDING, name=data["device_name"], request=request._request
            )
            return Response(_second_factor_required(user, secret))
        return Response(token_answer(request, user, name=data["device_name"]))


class SecondFactorVerifyView(PortalAPIView):
    permission_classes = [PendingSecondFactor]
    throttle_scopes = AUTH_THROTTLES
    serializer_class = s.SecondFactorSerializer

    @extend_schema(
        operation_id="auth_2fa_verify",
        request=s.SecondFactorSerializer,
        responses={200: s.AuthenticatedSerializer, **_error_responses(400, 401, 429)},
    )
    def post(self, request):
        data = self.validated()
        module = two_factor()
        token = token_of(request)
        if token is not None:
            user, pending = token.user, None
        else:
            try:
                pending = module.pending_login(request._request)
            except module.PendingExpired as error:
                raise exceptions.NotAuthenticated(error.message, code="pending_expired") from None
            user = pending.user
        with flow_errors():
            device = module.verify(user, data["method"], data["code"], ip=client_ip(request))
        if token is not None:
            services.consume(token)
            return Response(
                token_answer(request, user, device=device, name=data["device_name"] or token.name)
            )
        module.finish_second_factor(request._request, pending, device)
        return Response(session_answer(request))


class SecondFactorEmailCodeView(PortalAPIView):
    permission_classes = [PendingSecondFactor]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_2fa_email_code",
        request=None,
        responses={202: s.ResultSerializer, **_error_responses(400, 401, 429)},
    )
    def post(self, request):
        module = two_factor()
        token = token_of(request)
        if token is not None:
            user = token.user
        else:
            try:
                user = module.pending_login(request._request).user
            except module.PendingExpired as error:
                raise exceptions.NotAuthenticated(error.message, code="pending_expired") from None
        with flow_errors():
            module.send_email_code(user, request=request._request)
        return Response({"status": "code_sent"}, status=status.HTTP_202_ACCEPTED)


class SessionStateView(PortalAPIView):
    """Where the caller stands: the state, the missing step, how it is authenticated."""

    permission_classes = [Anybody]

    @extend_schema(operation_id="auth_session", responses={200: s.SessionStateSerializer})
    def get(self, request):
        token = token_of(request)
        methods = []
        if token is not None and token.kind == AppToken.Kind.PENDING:
            state, step = session.ANONYMOUS, session.TWO_FACTOR_PENDING
            methods = two_factor().available_methods(token.user)
        else:
            state = state_of(request)
            step = next_step(state)
            if state == session.ANONYMOUS:
                pending = token is None and session.two_factor_pending(request._request)
                step = session.TWO_FACTOR_PENDING if pending else session.ANONYMOUS
                if pending:
                    methods = two_factor().available_methods(
                        two_factor().pending_login(request._request).user
                    )
        if token is not None and token.kind == AppToken.Kind.SESSION:
            by = "token"
        elif token is None and request.user.is_authenticated:
            by = "session"
        else:
            by = "none"
        return Response({"state": state, "step": step, "authenticated_by": by, "methods": methods})


class CsrfView(PortalAPIView):
    """The CSRF token for a same-origin front end (also set as the ``csrftoken`` cookie)."""

    permission_classes = [Anybody]

    @extend_schema(operation_id="auth_csrf", responses={200: s.CsrfSerializer}, auth=[])
    def get(self, request):
        return Response({"csrf_token": get_token(request._request)})


class LogoutView(PortalAPIView):
    """Ends this token (or this browser session)."""

    permission_classes = [Anybody]

    @extend_schema(operation_id="auth_logout", request=None, responses={204: None, 401: ERRORS[401]})
    def post(self, request):
        token = token_of(request)
        if token is not None:
            services.revoke(token)
        elif request.user.is_authenticated or session.two_factor_pending(request._request):
            auth.logout(request._request)
        else:
            raise exceptions.NotAuthenticated()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutEverywhereView(PortalAPIView):
    """Ends every session and token of the account, this one included."""

    permission_classes = [LoggedIn]

    @extend_schema(operation_id="auth_logout_everywhere", request=None, responses={204: None})
    def post(self, request):
        account = auth.get_account(request.user)
        if account is not None:
            auth.bump_session_epoch(account)
        services.revoke_all(request.user)
        if token_of(request) is None:
            auth.logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceSessionListView(PortalAPIView):
    """The devices (tokens) logged in to the account."""

    permission_classes = [LoggedIn]
    serializer_class = s.DeviceSessionSerializer
    etag = True

    @extend_schema(operation_id="auth_tokens_list", responses={200: s.DeviceSessionSerializer(many=True)})
    def get(self, request):
        tokens = services.device_sessions(request.user)
        context = {**self.get_serializer_context(), "current_token": current_token(request)}
        return Response(s.DeviceSessionSerializer(tokens, many=True, context=context).data)


class DeviceSessionDetailView(PortalAPIView):
    permission_classes = [LoggedIn]

    @extend_schema(operation_id="auth_tokens_revoke", responses={204: None, 404: OpenApiResponse()})
    def delete(self, request, token_id):
        token = services.get_device_session(request.user, token_id)
        if token is None:
            raise exceptions.NotFound()
        services.revoke(token)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- email verification and password reset by code ------------------------------------------------


class EmailVerifyPermission(permissions.BasePermission):
    """A verification token (after registration) or a login (an unconfirmed address, or a new
    address after ``POST me/email/``)."""

    def has_permission(self, request, view):
        token = token_of(request)
        if token is not None and token.kind == AppToken.Kind.VERIFICATION:
            return True
        if token is not None and token.kind == AppToken.Kind.PENDING:
            raise errors.SecondFactorPending()
        # A logged-in tenant confirms a registration's address or a new one (email change).
        if state_of(request) == session.ANONYMOUS:
            raise exceptions.NotAuthenticated()
        return True


class EmailVerifyView(PortalAPIView):
    permission_classes = [EmailVerifyPermission]
    throttle_scopes = AUTH_THROTTLES
    serializer_class = s.EmailCodeSerializer

    @extend_schema(
        operation_id="auth_email_verify",
        request=s.EmailCodeSerializer,
        responses={200: s.AuthenticatedSerializer, **_error_responses(400, 401, 429)},
    )
    def post(self, request):
        data = self.validated()
        token = token_of(request)
        if token is not None and token.kind == AppToken.Kind.VERIFICATION:
            account = auth.get_account(token.user)
            with flow_errors():
                account = flows.verify_email_code(account, data["code"])
            services.consume(token)
            user = account.user
            if auth.user_has_device(user) or not get_adapter().can_log_in(user):
                return Response({"status": "verified", "message": str(_("Please log in."))})
            return Response(token_answer(request, user, name=data["device_name"] or token.name))
        with flow_errors():
            flows.verify_email_code(auth.get_account(request.user), data["code"])
        if current_token(request) is None:
            return Response(session_answer(request))
        state = state_of(request)
        return Response({"status": "authenticated", "state": state, "step": next_step(state)})


class EmailResendView(PortalAPIView):
    """A new code for the address being confirmed: with a verification token, a login whose
    address is not confirmed, or ``email`` (the same answer whatever the address)."""

    permission_classes = [Anybody]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_email_resend",
        request=s.EmailSerializer,
        responses={202: s.ResultSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        token = token_of(request)
        with flow_errors():
            if token is not None and token.kind == AppToken.Kind.VERIFICATION:
                account = auth.get_account(token.user)
                if account is not None:
                    flows.resend_verification(request._request, account)
            elif state_of(request) == session.EMAIL_UNVERIFIED:
                flows.resend_verification(request._request, auth.get_account(request.user))
            else:
                data = self.validated(s.EmailSerializer)
                flows.resend_verification_by_email(request._request, data["email"])
        return Response({"status": "code_sent"}, status=status.HTTP_202_ACCEPTED)


class PasswordResetView(PortalAPIView):
    permission_classes = [Anybody]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_password_reset",
        request=s.EmailSerializer,
        responses={202: s.ResultSerializer, **_error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        data = self.validated(s.EmailSerializer)
        with flow_errors():
            flows.request_password_reset_code(request._request, data["email"])
        return Response(
            {
                "status": "code_sent",
                "message": str(_("If an account belongs to this address, we have sent a code to it.")),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PortalAPIView):
    permission_classes = [Anybody]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=s.PasswordResetConfirmSerializer,
        responses={200: s.ResultSerializer, **_error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        data = self.validated(s.PasswordResetConfirmSerializer)
        with flow_errors():
            try:
                flows.reset_password_with_code(
                    request._request, data["email"], data["code"], data["password"]
                )
            except ValidationError as error:  # the password validators: name the field
                raise ValidationError({"password": error.messages}) from None
        return Response({"status": "password_changed", "message": str(_("Your password has been changed."))})
