"""Bodies of the account endpoints: me, profile (phones), consents, activation, contracts by letter."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..base import StrictSerializer
from .auth import STATE_CHOICES, STEP_CHOICES, TwoFactorStatusSerializer


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    company = serializers.CharField(source="company.name")


class ClaimSerializer(serializers.Serializer):
    company = serializers.CharField(source="company.name")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    step = serializers.ChoiceField(choices=STEP_CHOICES, allow_null=True)
    email_verified = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    last_login_at = serializers.DateTimeField(allow_null=True)
    two_factor = TwoFactorStatusSerializer()
    parties = PartySerializer(many=True)
    registrations = ClaimSerializer(many=True, help_text=_("Registrations waiting for staff or activation."))


class ProfileSerializer(StrictSerializer):
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True, help_text=_("Change it with POST me/email."))
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone_work = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_checked_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ConsentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    version = serializers.CharField()
    given_at = serializers.DateTimeField()


class ConsentsSerializer(StrictSerializer):
    consents = ConsentSerializer(many=True, read_only=True)
    e_delivery = serializers.BooleanField(help_text=_("Receive documents in the portal instead of by post."))


class AddContractSerializer(StrictSerializer):
    contract_number = serializers.CharField(max_length=40)
    code = serializers.CharField(max_length=40)
    last_name = serializers.CharField(max_length=200)
