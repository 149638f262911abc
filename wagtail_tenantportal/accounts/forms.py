"""Forms of registration, login, email verification and the account pages.

Forms check the format of what was typed (and the password rules); whether the details
fit a registration code or an account is decided by ``flows`` after the form is valid.
Widgets carry ``autocomplete`` and ``inputmode`` attributes for password managers, phones
and assistive technology.
"""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..core.adapter import get_adapter
from ..core.identity import canonical_email
from ..core.phones import PhoneField
from .consent_texts import consent_url
from .models import Consent, PortalAccount


def _attrs(autocomplete, **extra):
    return {"autocomplete": autocomplete, **extra}


class CanonicalEmailField(forms.EmailField):
    """An email address in its canonical form (``core.identity.canonical_email``), the form
    the flows compare, store and key attempt limits on; the length is checked on that form."""

    def to_python(self, value):
        return canonical_email(super().to_python(value))


def email_field(label=None, autocomplete="email"):
    return CanonicalEmailField(
        label=label or _("Email address"),
        max_length=get_adapter().username_max_length(),
        widget=forms.EmailInput(attrs=_attrs(autocomplete, spellcheck="false", autocapitalize="none")),
    )


def _consent_label(text, kind, company=None):
    url = consent_url(kind, company)
    if not url:
        return text
    return format_html('{} (<a href="{}" target="_blank" rel="noopener">{}</a>)', text, url, _("read"))


class CompanyField(forms.ModelChoiceField):
    """A company by its slug (hidden on the registration forms)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None)  # set by the form (the adapter decides)
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("label", _("Landlord"))
        super().__init__(**kwargs)


class NewPasswordMixin:
    """Two password fields; the rules of ``AUTH_PASSWORD_VALIDATORS`` are shown before typing
    and checked against the other details of the form."""

    def add_password_fields(self):
        self.fields["password1"] = forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs=_attrs("new-password")),
            help_text=password_validation.password_validators_help_text_html(),
        )
        self.fields["password2"] = forms.CharField(
            label=_("Repeat the password"),
            strip=False,
            widget=forms.PasswordInput(attrs=_attrs("new-password")),
        )

    def user_for_password_check(self):
        """An unsaved user with the form's details, for ``UserAttributeSimilarityValidator``."""
        user_model = get_user_model()
        user = user_model()
        data = self.cleaned_data
        field_names = {field.name for field in user_model._meta.get_fields()}
        for name in ("first_name", "last_name"):
            if name in field_names and data.get(name):
                setattr(user, name, data[name])
        if data.get("email"):
            get_adapter().set_user_email(user, data["email"])
        return user

    def clean_passwords(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
            return
        if password1:
            try:
                password_validation.validate_password(password1, self.user_for_password_check())
            except ValidationError as error:
                self.add_error("password1", error)


class ConsentMixin:
    """Check boxes for the privacy notice and the terms (required) and e-delivery (optional),
    each linking to its text: the company's own (``consent_company``), else ``CONSENT_URLS``."""

    def add_consent_fields(self, company=None):
        self.fields["consent_privacy"] = forms.BooleanField(
            label=_consent_label(_("I have read the privacy notice."), Consent.Kind.PRIVACY, company),
            required=True,
            error_messages={"required": _("Please confirm that you have read the privacy notice.")},
        )
        self.fields["consent_terms"] = forms.BooleanField(
            label=_consent_label(_("I accept the terms of use of the portal."), Consent.Kind.TERMS, company),
            required=True,
            error_messages={"required": _("Please accept the terms of use.")},
        )
        self.fields["consent_e_delivery"] = forms.BooleanField(
            label=_consent_label(
                _("I would like to receive documents electronically in the portal instead of by post."),
                Consent.Kind.E_DELIVERY,
                company,
            ),
            required=False,
            help_text=_("Optional. You can change this later."),
        )

    def consents(self):
        """The consent kinds given (valid form only)."""
        kinds = [Consent.Kind.PRIVACY, Consent.Kind.TERMS]
        if self.cleaned_data.get("consent_e_delivery"):
            kinds.append(Consent.Kind.E_DELIVERY)
        return kinds


class CodeRegistrationForm(NewPasswordMixin, ConsentMixin, forms.Form):
    """The "code first" flow: contract number, code and last name from the letter, email, password."""

    company = CompanyField(required=False)
    contract_number = forms.CharField(
        label=_("Contract number"),
        max_length=40,
        help_text=_("As printed on your registration letter."),
        widget=forms.TextInput(attrs=_attrs("off", spellcheck="false")),
    )
    code = forms.CharField(
        label=_("Registration code"),
        max_length=40,
        help_text=_("The code from our letter, e.g. 7KQ4-M9TX-2HRP. Hyphens and spaces do not matter."),
        widget=forms.TextInput(attrs=_attrs("off", spellcheck="false", autocapitalize="characters")),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=200,
        help_text=_("As written on the letter."),
        widget=forms.TextInput(attrs=_attrs("family-name")),
    )

    def __init__(self, *args, consent_company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = get_adapter().registration_companies()
        self.fields["email"] = email_field()
        self.add_password_fields()
        self.add_consent_fields(consent_company)

    def clean(self):
        super().clean()
        self.clean_passwords()
        return self.cleaned_data


class AddContractForm(forms.Form):
    """A further contract for a logged-in tenant: the details of its registration letter."""

    contract_number = forms.CharField(
        label=_("Contract number"),
        max_length=40,
        help_text=_("As printed on your registration letter."),
        widget=forms.TextInput(attrs=_attrs("off", spellcheck="false")),
    )
    code = forms.CharField(
        label=_("Registration code"),
        max_length=40,
        help_text=_("The code from our letter, e.g. 7KQ4-M9TX-2HRP. Hyphens and spaces do not matter."),
        widget=forms.TextInput(attrs=_attrs("off", spellcheck="false", autocapitalize="characters")),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=200,
        help_text=_("As written on the letter."),
        widget=forms.TextInput(attrs=_attrs("family-name")),
    )


class ClaimRegistrationForm(NewPasswordMixin, ConsentMixin, forms.Form):
    """The "verify later" flow: who you are and where you live, email, password."""

    company = CompanyField()
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs=_attrs("given-name"))
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=200, widget=forms.TextInput(attrs=_attrs("family-name"))
    )
    street = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        # "address-line1": "street-address" is for a multi-line <textarea> only (HTML's autofill rules)
        widget=forms.TextInput(attrs=_attrs("address-line1")),
    )
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\s*[0-9A-Za-z -]{3,10}\s*$",
        max_length=10,
        error_messages={"invalid": _("Please enter a valid postal code.")},
        widget=forms.TextInput(attrs=_attrs("postal-code", inputmode="numeric")),
    )
    city = forms.CharField(
        label=_("City"), max_length=100, widget=forms.TextInput(attrs=_attrs("address-level2"))
    )
    phone = PhoneField(label=_("Phone"), help_text=_("Optional. For questions about your registration."))
    contract_number = forms.CharField(
        label=_("Contract number"),
        max_length=40,
        required=False,
        help_text=_("Optional. Helps us to find your contract faster."),
        widget=forms.TextInput(attrs=_attrs("off", spellcheck="false")),
    )

    def __init__(self, *args, consent_company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = get_adapter().registration_companies()
        self.fields["email"] = email_field()
        self.add_password_fields()
        self.add_consent_fields(consent_company)

    def clean_postal_code(self):
        return self.cleaned_data["postal_code"].strip()

    def clean(self):
        super().clean()
        self.clean_passwords()
        return self.cleaned_data


class CompanyChoiceForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Who is your landlord?"),
        queryset=None,
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Please choose your landlord.")},
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies


class LoginForm(forms.Form):
    email = CanonicalEmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=_attrs("email", spellcheck="false", autocapitalize="none")),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs=_attrs("current-password"))
    )
    remember = forms.BooleanField(
        label=_("Stay logged in"),
        required=False,
        help_text=_("Only on a device that you alone use."),
    )


class EmailCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Confirmation code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        help_text=_("The 6-digit code from our email."),
        error_messages={"invalid": _("Please enter the 6 digits of the code.")},
        widget=forms.TextInput(
            attrs=_attrs("one-time-code", inputmode="numeric", pattern=r"[0-9 ]*", maxlength="8")
        ),
    )


class EmailForm(forms.Form):
    """One email address (resend verification, password reset)."""

    email = CanonicalEmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=_attrs("email", spellcheck="false", autocapitalize="none")),
    )


class PortalSetPasswordForm(SetPasswordForm):
    """Django's form (rules shown as help, ``new-password`` autocomplete) with our labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("Repeat the new password")


class PortalPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("Repeat the new password")


class EmailChangeForm(forms.Form):
    """A new address and the current password."""

    password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs=_attrs("current-password"))
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields = {"email": email_field(_("New email address")), **self.fields}


class ActivationForm(forms.Form):
    code = forms.CharField(
        label=_("Activation code"),
        max_length=40,
        help_text=_("The code from the letter we sent you, e.g. 7KQ4-M9TX-2HRP."),
        widget=forms.TextInput(attrs=_attrs("off", spellcheck="false", autocapitalize="characters")),
    )


class EDeliveryForm(forms.Form):
    e_delivery = forms.BooleanField(
        label=_("I would like to receive documents electronically in the portal instead of by post."),
        required=False,
    )


class ContactDataForm(forms.ModelForm):
    """The tenant's phone numbers, stored in E.164 and shown formatted (``core.phones``)."""

    phone = PhoneField(label=_("Phone"))
    mobile = PhoneField(label=_("Mobile phone"))
    phone_work = PhoneField(label=_("Work phone"))

    class Meta:
        model = PortalAccount
        fields = ["phone", "mobile", "phone_work"]
