"""The tenant's account: me, profile (phones; the contact check), consents, email and password
change, the activation code, a further contract by letter, and the second-factor methods."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.response import Response

from ...accounts import auth, flows
from ...accounts import services as account_services
from ...accounts.forms import ContactDataForm
from ...core import session
from ...core.adapter import get_adapter
from .. import errors, services
from ..base import PortalAPIView, extend_schema
from ..permissions import LoggedIn, in_states
from ..serializers import account as s
from ..serializers import auth as auth_serializers
from .auth import AUTH_THROTTLES, _error_responses
from .common import client_ip, current_token, flow_errors, next_step, state_of, two_factor

TWO_FACTOR_STATES = in_states(session.TWO_FACTOR_SETUP_REQUIRED, session.CONTACT_CHECK_REQUIRED, session.OK)


def _two_factor_status(user):
    module = two_factor()
    if module is None:
        return {"enabled": False, "methods": [], "backup_codes": 0, "required": False}
    current = module.status(user)
    return {
        "enabled": current.enabled,
        "methods": current.methods,
        "backup_codes": current.backup_codes,
        "required": module.policy_requires_two_factor(user),
    }


class MeView(PortalAPIView):
    """Who is logged in, where the login stands, and what the account is linked to."""

    permission_classes = [LoggedIn]

    @extend_schema(operation_id="me", responses={200: s.MeSerializer})
    def get(self, request):
        user = request.user
        account = auth.get_account(user)
        state = state_of(request)
        data = {
            "id": user.pk,
            "email": get_adapter().user_email(user),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "state": state,
            "step": next_step(state),
            "email_verified": account.email_verified_at is not None,
            "created_at": account.created_at,
            "last_login_at": account.last_login_at,
            "two_factor": _two_factor_status(user),
            "parties": list(account_services.tenant_parties(user)),
            "registrations": list(account_services.open_claims(account)),
        }
        return Response(s.MeSerializer(data).data)


def _profile(user, account):
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": get_adapter().user_email(user),
        "phone": account.phone,
        "mobile": account.mobile,
        "phone_work": account.phone_work,
        "contact_checked_at": account.contact_checked_at,
    }


class ProfileView(PortalAPIView):
    """Name and address come from the landlord (read-only); the phones are the tenant's.
    Saving them completes the contact check of the first login."""

    permission_classes = [in_states(session.CONTACT_CHECK_REQUIRED, session.OK)]
    serializer_class = s.ProfileSerializer

    @extend_schema(operation_id="me_profile")
    def get(self, request):
        account = auth.get_account(request.user)
        return Response(s.ProfileSerializer(_profile(request.user, account)).data)

    @extend_schema(operation_id="me_profile_update", responses={200: s.ProfileSerializer, 400: None})
    def patch(self, request):
        account = auth.get_account(request.user)
        data = self.validated(partial=True)
        current = _profile(request.user, account)
        values = {name: data.get(name, current[name]) for name in ContactDataForm.Meta.fields}
        form = ContactDataForm(values, instance=account)
        if not form.is_valid():
            raise errors.FlowFailed(
                errors.GENERIC_MESSAGES[400],
                fields={k: list(v) for k, v in form.errors.items()},
            )
        flows.save_contact_data(
            account, **{name: form.cleaned_data[name] for name in ContactDataForm.Meta.fields}
        )
        return Response(s.ProfileSerializer(_profile(request.user, account)).data)

    @extend_schema(operation_id="me_profile_replace", responses={200: s.ProfileSerializer, 400: None})
    def put(self, request):
        return self.patch(request)


class ConsentsView(PortalAPIView):
    serializer_class = s.ConsentsSerializer

    def _answer(self, account):
        return Response(
            {
                "consents": s.ConsentSerializer(account_services.current_consents(account), many=True).data,
                "e_delivery": account_services.gives_e_delivery(account),
            }
        )

    @extend_schema(operation_id="me_consents")
    def get(self, request):
        return self._answer(auth.get_account(request.user))

    @extend_schema(operation_id="me_consents_update")
    def patch(self, request):
        data = self.validated()
        account = auth.get_account(request.user)
        flows.set_e_delivery(account, data["e_delivery"])
        return self._answer(account)


class EmailChangeView(PortalAPIView):
    permission_classes = [in_states(session.EMAIL_UNVERIFIED, session.OK)]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_email_change",
        request=auth_serializers.EmailChangeSerializer,
        responses={202: auth_serializers.ResultSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.EmailChangeSerializer)
        account = auth.get_account(request.user)
        with flow_errors():
            flows.check_password_attempt(request._request, request.user, data["password"])
            flows.request_email_change(request._request, account, data["email"])
        return Response(
            {
                "status": "code_sent",
                "message": str(
                    _(
                        "We have sent a code to the new address. Your address changes as soon as you confirm it."
                    )
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordChangeView(PortalAPIView):
    """A new password: every other session and token ends, this one stays."""

    permission_classes = [LoggedIn]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_password_change",
        request=auth_serializers.PasswordChangeSerializer,
        responses={200: auth_serializers.ResultSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.PasswordChangeSerializer)
        user = request.user
        with flow_errors():
            flows.check_password_attempt(request._request, user, data["current_password"])
            try:
                validate_password(data["new_password"], user)
            except ValidationError as error:
                raise ValidationError({"new_password": error.messages}) from None
        user.set_password(data["new_password"])
        user.save(update_fields=["password"])
        token = current_token(request)
        flows.password_was_changed(request._request, user, keep_session=token is None)
        if token is not None:
            services.restamp(token, user)
            services.revoke_all(user, except_token=token)
        else:
            services.revoke_all(user)
        return Response(
            {
                "status": "password_changed",
                "message": str(_("Your password has been changed. Other devices have been logged out.")),
            }
        )


class ActivationView(PortalAPIView):
    """The activation code from the letter, after staff matched a registration with personal data."""

    permission_classes = [in_states(session.PENDING_MATCH, session.ACTIVATION_REQUIRED)]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_activate",
        request=auth_serializers.CodeOnlySerializer,
        responses={200: auth_serializers.SessionStateSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.CodeOnlySerializer)
        with flow_errors():
            flows.activate_with_code(auth.get_account(request.user), data["code"], ip=client_ip(request))
        state = state_of(request)
        return Response(
            {"state": state, "step": next_step(state), "authenticated_by": "token", "methods": []}
        )


class AddContractView(PortalAPIView):
    """A further contract (another flat, a parking space, another landlord) by its letter."""

    throttle_scopes = [*AUTH_THROTTLES, ("api_register_ip", "ip")]

    @extend_schema(
        operation_id="me_contracts_add",
        request=s.AddContractSerializer,
        responses={201: auth_serializers.ResultSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(s.AddContractSerializer)
        with flow_errors():
            flows.add_party_with_code(request._request, auth.get_account(request.user), **data)
        return Response(
            {"status": "linked", "message": str(_("Thank you: the contract is now linked to your account."))},
            status=status.HTTP_201_CREATED,
        )


# -- second factor -----------------------------------------------------------------------------------


def _mark_verified(request, device):
    token = current_token(request)
    if token is not None:
        services.mark_verified(token, device)
    else:
        two_factor().mark_session_verified(request._request, device)


class TwoFactorView(PortalAPIView):
    permission_classes = [TWO_FACTOR_STATES]

    @extend_schema(operation_id="me_two_factor", responses={200: auth_serializers.TwoFactorStatusSerializer})
    def get(self, request):
        return Response(_two_factor_status(request.user))


class TotpSetupView(PortalAPIView):
    """Start setting up an authenticator app (password again): the secret and a QR code."""

    permission_classes = [TWO_FACTOR_STATES]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_two_factor_totp_start",
        request=auth_serializers.PasswordSerializer,
        responses={200: auth_serializers.TotpSetupSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.PasswordSerializer)
        module = two_factor()
        user = request.user
        with flow_errors():
            module.check_reauth_password(user, data["password"])
            device = module.start_totp_setup(user)
        url = module.totp_config_url(device, issuer=module.issuer_name(user))
        return Response(
            {
                "secret": module.totp_secret(device),
                "otpauth_url": url,
                "qr_svg": module.qr_svg(url, title=_("QR code for your authenticator app")),
            }
        )


class TotpConfirmView(PortalAPIView):
    permission_classes = [TWO_FACTOR_STATES]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_two_factor_totp_confirm",
        request=auth_serializers.CodeOnlySerializer,
        responses={200: auth_serializers.BackupCodesSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.CodeOnlySerializer)
        with flow_errors():
            device, codes = two_factor().confirm_totp_device(
                request.user, data["code"], ip=client_ip(request)
            )
        _mark_verified(request, device)
        return Response({"backup_codes": [two_factor().display_code(code) for code in codes]})


class EmailMethodSetupView(PortalAPIView):
    """Start codes by email (password again): a code goes to the account's address."""

    permission_classes = [TWO_FACTOR_STATES]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_two_factor_email_start",
        request=auth_serializers.PasswordSerializer,
        responses={202: auth_serializers.ResultSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.PasswordSerializer)
        module = two_factor()
        with flow_errors():
            module.check_reauth_password(request.user, data["password"])
            module.start_email_setup(request.user, request=request._request)
        return Response({"status": "code_sent"}, status=status.HTTP_202_ACCEPTED)


class EmailMethodConfirmView(PortalAPIView):
    permission_classes = [TWO_FACTOR_STATES]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_two_factor_email_confirm",
        request=auth_serializers.CodeOnlySerializer,
        responses={200: auth_serializers.BackupCodesSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.CodeOnlySerializer)
        with flow_errors():
            device, codes = two_factor().confirm_email_device(
                request.user, data["code"], ip=client_ip(request)
            )
        _mark_verified(request, device)
        return Response({"backup_codes": [two_factor().display_code(code) for code in codes]})


class BackupCodesView(PortalAPIView):
    """New backup codes (password again); the old ones stop working."""

    permission_classes = [TWO_FACTOR_STATES]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_two_factor_backup_codes",
        request=auth_serializers.PasswordSerializer,
        responses={200: auth_serializers.BackupCodesSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.PasswordSerializer)
        module = two_factor()
        with flow_errors():
            module.check_reauth_password(request.user, data["password"])
            codes = module.generate_backup_codes(request.user)
        return Response({"backup_codes": [module.display_code(code) for code in codes]})


class RemoveMethodView(PortalAPIView):
    """Remove a method (password again); not the last one while the landlord requires two-factor."""

    permission_classes = [TWO_FACTOR_STATES]
    throttle_scopes = AUTH_THROTTLES

    @extend_schema(
        operation_id="me_two_factor_remove",
        request=auth_serializers.RemoveMethodSerializer,
        responses={200: auth_serializers.TwoFactorStatusSerializer, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(auth_serializers.RemoveMethodSerializer)
        module = two_factor()
        user = request.user
        with flow_errors():
            module.check_reauth_password(user, data["password"])
            remaining = module.remove_user_method(user, data["method"])
        token = current_token(request)
        if remaining.enabled:
            _mark_verified(request, module.device_for(user, remaining.methods[0]))
        elif token is not None:
            services.mark_verified(token, None)
        return Response(_two_factor_status(user))
