"""Forms of the two-factor pages (portal and admin). They only check the shape of the input;
``services.py`` checks codes and passwords."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services as twofactor

CODE_LABELS = {
    twofactor.TOTP: _("Code from your authenticator app"),
    twofactor.EMAIL: _("Code from the email"),
    twofactor.BACKUP: _("Backup code"),
}
CODE_HELP = {
    twofactor.TOTP: _("The app shows a new 6-digit code every 30 seconds."),
    twofactor.EMAIL: _("The 6-digit code we have just sent you."),
    twofactor.BACKUP: _("One of the backup codes you saved. Each code works once; spaces do not matter."),
}


class CodeForm(forms.Form):
    """One code field, labelled and typed for ``method`` (numeric keyboard for 6-digit codes)."""

    code = forms.CharField(max_length=40, strip=True)

    def __init__(self, *args, method=twofactor.TOTP, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        field = self.fields["code"]
        field.label = CODE_LABELS.get(method, CODE_LABELS[twofactor.TOTP])
        field.help_text = CODE_HELP.get(method, "")
        field.error_messages["required"] = _("Please enter the code.")
        if method == twofactor.BACKUP:
            attrs = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        else:
            attrs = {"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "12"}
        field.widget.attrs.update(attrs)

    def clean_code(self):
        code = twofactor.normalise_code(self.cleaned_data["code"])
        if self.method != twofactor.BACKUP and not code.isdigit():
            raise forms.ValidationError(_("Please enter the digits of the code."), code="digits")
        return code


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your password.")},
    )


class RemoveMethodForm(forms.Form):
    """Which method to remove; "all" (two-factor off) only where the policy allows it."""

    method = forms.ChoiceField(
        label=_("What do you want to remove?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what to remove.")},
    )

    def __init__(self, *args, status, allow_all=True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if status.totp:
            choices.append((twofactor.TOTP, _("Authenticator app")))
        if status.email:
            choices.append((twofactor.EMAIL, _("Codes by email")))
        if allow_all and len(choices) > 1:
            choices.append(("all", _("Two-factor authentication altogether (all methods and backup codes)")))
        self.fields["method"].choices = choices
        if len(choices) == 1:
            self.fields["method"].initial = choices[0][0]
