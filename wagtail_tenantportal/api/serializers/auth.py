"""Bodies of the authentication, registration and account-security endpoints."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...core import session
from ..base import StrictSerializer

STATE_CHOICES = [*session.STATES]
STEP_CHOICES = [s for s in session.STATES if s != session.OK] + [session.TWO_FACTOR_PENDING]
METHOD_CHOICES = ["totp", "email", "backup"]


def code_field(**kwargs):
    return serializers.CharField(max_length=40, trim_whitespace=True, **kwargs)


def device_name_field():
    return serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A name the tenant recognises in the list of devices, e.g. 'Phone'."),
    )


class LoginSerializer(StrictSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    device_name = device_name_field()
    client = serializers.ChoiceField(
        choices=["app", "browser"],
        default="app",
        help_text=_("'app': answer with a token; 'browser': log the session (cookie) in, CSRF required."),
    )


class SecondFactorSerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=METHOD_CHOICES)
    code = code_field()
    device_name = device_name_field()


class EmailCodeSerializer(StrictSerializer):
    code = code_field()
    device_name = device_name_field()


class EmailSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    code = code_field()
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class PasswordChangeSerializer(StrictSerializer):
    current_password = serializers.CharField(max_length=4096, trim_whitespace=False)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False)


class PasswordSerializer(StrictSerializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class EmailChangeSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RemoveMethodSerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=["totp", "email", "all"])
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class CodeOnlySerializer(StrictSerializer):
    code = code_field()


# -- answers ---------------------------------------------------------------------------------------


class AuthenticatedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["authenticated"])
    token = serializers.CharField(required=False, help_text=_("Only for app clients; shown once."))
    token_id = serializers.IntegerField(required=False)
    expires_at = serializers.DateTimeField(required=False)
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    step = serializers.ChoiceField(choices=STEP_CHOICES, allow_null=True)


class SecondFactorRequiredSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["second_factor_required"])
    pending_token = serializers.CharField(
        required=False, help_text=_("Opens only the second-factor endpoints; app clients only.")
    )
    methods = serializers.ListField(child=serializers.ChoiceField(choices=METHOD_CHOICES))
    expires_in = serializers.IntegerField()


class VerificationSentSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["verification_sent"])
    email = serializers.EmailField()
    verification_token = serializers.CharField(
        help_text=_("Opens only POST auth/email/verify; the same answer whether or not the address was free.")
    )
    expires_in = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField(required=False)


class SessionStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    step = serializers.ChoiceField(choices=STEP_CHOICES, allow_null=True)
    authenticated_by = serializers.ChoiceField(choices=["token", "session", "none"])
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=METHOD_CHOICES),
        help_text=_("Second-factor methods of a login that waits for one."),
    )


class CsrfSerializer(serializers.Serializer):
    csrf_token = serializers.CharField()


class DeviceSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    client = serializers.CharField(source="user_agent")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    second_factor = serializers.BooleanField(source="second_factor_verified")
    current = serializers.SerializerMethodField()

    def get_current(self, token) -> bool:
        current = self.context.get("current_token")
        return current is not None and current.pk == token.pk


class TwoFactorStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    methods = serializers.ListField(child=serializers.ChoiceField(choices=["totp", "email"]))
    backup_codes = serializers.IntegerField(help_text=_("Unused backup codes left."))
    required = serializers.BooleanField(help_text=_("The landlord requires two-factor authentication."))


class TotpSetupSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text=_("Base32, to type into an authenticator app by hand."))
    otpauth_url = serializers.CharField()
    qr_svg = serializers.CharField(help_text=_("The otpauth URL as an inline SVG QR code."))


class BackupCodesSerializer(serializers.Serializer):
    backup_codes = serializers.ListField(child=serializers.CharField(), help_text=_("Shown once."))
