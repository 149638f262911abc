"""Registration over the API: the web's flows (``accounts.flows``), the emailed 6-digit code
instead of a link.

``POST register/code`` (contract number + letter code) and ``POST register/personal``
(personal data first; staff match; the activation code from the letter later) answer alike
whether or not the address was free: 202 with a *verification token* that opens only
``POST auth/email/verify``. After the code, the answer carries a session token and the next
step (``pending_match``/``activation_required``, two-factor set-up, contact check).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.response import Response

from ...accounts import flows
from ...accounts.services import registration_companies
from ...core.adapter import get_adapter
from ...tenancy.models import Company
from .. import services
from ..base import PortalAPIView, extend_schema
from ..errors import FlowFailed
from ..models import AppToken
from ..permissions import Anybody
from ..serializers import auth as auth_serializers
from ..serializers import registration as s
from .auth import AUTH_THROTTLES, _error_responses
from .common import flow_errors

REGISTRATION_THROTTLES = [*AUTH_THROTTLES, ("api_register_ip", "ip")]


def _verification_sent(request, result, device_name):
    user = result.account.user if result.account is not None else None
    _token, secret = services.issue(
        user, AppToken.Kind.VERIFICATION, email=result.email, name=device_name, request=request._request
    )
    return Response(
        {
            "status": "verification_sent",
            "email": result.email,
            "verification_token": secret,
            "expires_in": services.lifetime(AppToken.Kind.VERIFICATION),
        },
        status=status.HTTP_202_ACCEPTED,
    )


class RegistrationCompaniesView(PortalAPIView):
    """The companies open for registration and their flow."""

    permission_classes = [Anybody]
    serializer_class = s.RegistrationCompanySerializer
    etag = True

    @extend_schema(
        operation_id="register_companies",
        auth=[],
        responses={200: s.RegistrationCompanySerializer(many=True)},
    )
    def get(self, request):
        companies = registration_companies(request._request)  # in the order of the adapter (by name)
        return Response(self.get_serializer(companies, many=True).data)


class CodeRegistrationView(PortalAPIView):
    permission_classes = [Anybody]
    throttle_scopes = REGISTRATION_THROTTLES
    serializer_class = s.CodeRegistrationSerializer

    @extend_schema(
        operation_id="register_with_code",
        responses={202: auth_serializers.VerificationSentSerializer, **_error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        data = self.validated()
        cleaned = data["cleaned"]
        with flow_errors():
            result = flows.register_with_code(
                request._request,
                company=cleaned.get("company"),
                contract_number=cleaned["contract_number"],
                code=cleaned["code"],
                last_name=cleaned["last_name"],
                email=cleaned["email"],
                password=cleaned["password1"],
                consents=data["consents"],
            )
        return _verification_sent(request, result, request.data.get("device_name") or "")


class ClaimRegistrationView(PortalAPIView):
    permission_classes = [Anybody]
    throttle_scopes = REGISTRATION_THROTTLES
    serializer_class = s.ClaimRegistrationSerializer

    @extend_schema(
        operation_id="register_with_personal_data",
        responses={202: auth_serializers.VerificationSentSerializer, **_error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        data = self.validated()
        cleaned = data["cleaned"]
        company = cleaned["company"]
        if company.registration_flow != Company.RegistrationFlow.VERIFY_LATER or not (
            get_adapter().is_open_for_signup(request._request, company)
        ):
            raise FlowFailed(
                _("Tenants of this landlord register with the code of our letter (POST register/code)."),
                fields={"company": [_("Choose a landlord that registers with personal data.")]},
            )
        with flow_errors():
            result = flows.register_for_matching(
                request._request,
                company=cleaned["company"],
                first_name=cleaned["first_name"],
                last_name=cleaned["last_name"],
                street=cleaned["street"],
                postal_code=cleaned["postal_code"],
                city=cleaned["city"],
                phone=cleaned.get("phone", ""),
                contract_number=cleaned.get("contract_number", ""),
                email=cleaned["email"],
                password=cleaned["password1"],
                consents=data["consents"],
            )
        return _verification_sent(request, result, request.data.get("device_name") or "")
