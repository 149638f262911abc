"""Registration bodies. Validation is the web's: the bodies are checked by the registration
forms of the accounts app (password rules, consents, postal code...), so the API accepts
exactly what the web pages accept."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...accounts.forms import ClaimRegistrationForm, CodeRegistrationForm
from ...accounts.models import Consent
from ..base import StrictSerializer

CONSENT_CHOICES = [Consent.Kind.PRIVACY, Consent.Kind.TERMS, Consent.Kind.E_DELIVERY]
#: API field -> form field, and back for the errors.
FORM_FIELDS = {"password": "password1", "company": "company"}
FORM_ERRORS = {
    "password1": "password",
    "password2": "password",
    "consent_privacy": "consents",
    "consent_terms": "consents",
    "consent_e_delivery": "consents",
    "__all__": "non_field_errors",
}


class FormBackedSerializer(StrictSerializer):
    """Declares the API fields (for the schema and types); ``validate`` runs the web's form."""

    form_class = None

    def form_data(self, attrs):
        data = {FORM_FIELDS.get(key, key): value for key, value in attrs.items() if key != "consents"}
        data["password2"] = data.get("password1", "")
        for kind in CONSENT_CHOICES:
            data[f"consent_{kind}"] = "on" if kind in attrs.get("consents", []) else ""
        return {key: item for key, item in data.items() if item not in (None, "")}

    def validate(self, attrs):
        form = self.form_class(data=self.form_data(attrs))
        if not form.is_valid():
            fields = {}
            for name, messages in form.errors.items():
                fields.setdefault(FORM_ERRORS.get(name, name), []).extend(messages)
            raise serializers.ValidationError(fields)
        return {"cleaned": form.cleaned_data, "consents": form.consents()}


def _consents():
    return serializers.ListField(
        child=serializers.ChoiceField(choices=CONSENT_CHOICES),
        max_length=3,
        help_text=_("Consents given: privacy and terms are required, e_delivery is optional."),
    )


class CodeRegistrationSerializer(FormBackedSerializer):
    form_class = CodeRegistrationForm

    company = serializers.SlugField(required=False, help_text=_("Optional: the code names the company."))
    contract_number = serializers.CharField(max_length=40)
    code = serializers.CharField(max_length=40, help_text=_("The code from the letter."))
    last_name = serializers.CharField(max_length=200)
    email = serializers.CharField(
        max_length=254, help_text=_("An email address (checked like the web form).")
    )
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    consents = _consents()
    device_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def form_data(self, attrs):
        attrs = {key: value for key, value in attrs.items() if key != "device_name"}
        return super().form_data(attrs)


class ClaimRegistrationSerializer(FormBackedSerializer):
    form_class = ClaimRegistrationForm

    company = serializers.SlugField()
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=200)
    street = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=10)
    city = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contract_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(
        max_length=254, help_text=_("An email address (checked like the web form).")
    )
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    consents = _consents()
    device_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def form_data(self, attrs):
        attrs = {key: value for key, value in attrs.items() if key != "device_name"}
        return super().form_data(attrs)


class RegistrationCompanySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    registration_flow = serializers.CharField(
        help_text=_("'code_first': contract number and letter code; 'verify_later': personal data first.")
    )
