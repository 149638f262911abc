"""Forms of leaving the portal: confirming the deletion of the account. They check the shape
of the input; ``leaving.py`` checks the password and the code."""

from django import forms
from django.utils.translation import gettext_lazy as _

METHOD_LABELS = {
    "totp": _("Code from your authenticator app"),
    "email": _("Code from the email"),
    "backup": _("Backup code"),
}


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I want to delete my portal account. I have read what is deleted and what is kept."),
        error_messages={"required": _("Please confirm that you want to delete your account.")},
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your password.")},
    )

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = list(methods)
        if not self.methods:
            return
        if len(self.methods) > 1:
            self.fields["method"] = forms.ChoiceField(
                label=_("Where does your code come from?"),
                choices=[(method, METHOD_LABELS[method]) for method in self.methods],
                initial=self.methods[0],
                widget=forms.RadioSelect,
            )
        self.fields["code"] = forms.CharField(
            label=_("Code of your second factor"),
            max_length=40,
            help_text=_("A current code from your authenticator app or email, or one of your backup codes."),
            error_messages={"required": _("Please enter a current code of your second factor.")},
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
        )

    def clean(self):
        data = super().clean()
        data.setdefault("method", self.methods[0] if self.methods else "")
        return data
