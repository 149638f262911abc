"""The tenant's online request for a registration code (no letter, lost it, or the code expired).

The request goes to staff (``services.request_code``, listed under "Code requests" in the
admin); the letter is printed to the address on file for the party, never to anything typed
into this form, so the form asks for no address. The answer is the same whatever was
entered: it does not tell whether the contract number and name matched. Requests are
limited per client address (rate-limit scope ``code_request_ip``).
"""

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..core.adapter import get_adapter
from . import flows, services
from .views import public, render_portal


class CodeRequestForm(forms.Form):
    """Contract number and last name (as on the contract), an optional note, the company if several."""

    company = forms.ModelChoiceField(
        label=_("Who is your landlord?"),
        queryset=None,
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Please choose your landlord.")},
    )
    contract_number = forms.CharField(
        label=_("Contract number"),
        max_length=40,
        help_text=_("As on your tenancy or membership agreement, or on a letter from us."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=200,
        help_text=_("As on your contract."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=1000,
        required=False,
        help_text=_(
            "Optional, e.g. “my letter was lost”. We send the letter to the address we have on file "
            "for your contract, never to another one."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, companies, fixed_company=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        field.queryset = companies
        if fixed_company is not None or len(companies[:2]) < 2:
            # One company: nothing to choose (the view passes it on).
            field.required = False
            field.widget = forms.HiddenInput()


class CodeRequestView:
    """The request form and the "request received" answer.

    The company comes from ``company_slug`` (a page that fixes it), the form, or is the only
    one open for registration with codes. Pages serving this view swap the templates (see
    ``pages.RegistrationPage``).
    """

    company_slug = None

    def __init__(self, company_slug=None):
        self.company_slug = company_slug or self.company_slug

    def get_companies(self, request):
        """Companies whose tenants register with a letter code (the others need no code)."""
        return services.code_first_companies(get_adapter().registration_companies(request))

    def __call__(self, request):
        companies = self.get_companies(request)
        fixed = None
        if self.company_slug:
            fixed = services.company_by_slug(companies, self.company_slug)
            if fixed is None:
                raise Http404("No such company")
        form = CodeRequestForm(request.POST or None, companies=companies, fixed_company=fixed)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            only = list(companies[:2])
            company = fixed or data.get("company") or (only[0] if len(only) == 1 else None)
            try:
                services.request_code(
                    data["contract_number"],
                    data["last_name"],
                    company=company,
                    ip=flows.client_ip(request),
                    message=data["message"],
                )
            except services.TooManyAttempts as error:
                # Depends only on the client address, so it tells nothing about the details.
                form.add_error(None, error.message)
            else:
                return render_portal(request, "request_code_sent.html", {"company": company})
        return render_portal(request, "request_code.html", {"form": form, "company": fixed})


@public
@require_http_methods(["GET", "POST"])
def request_code_view(request):
    return CodeRequestView()(request)
