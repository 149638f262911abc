"""Tenant form of the document requests (the checks live in ``doc_requests``)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DocumentRequestForm(forms.Form):
    """Which document for which contract, and a remark (POST, no JavaScript)."""

    contract = forms.TypedChoiceField(label=_("Contract"), coerce=int)
    request_type = forms.TypedChoiceField(label=_("Document"), coerce=int)
    note = forms.CharField(
        label=_("Remark"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, e.g. which year or how many copies."),
    )

    def __init__(self, data=None, *, choices=(), **kwargs):
        super().__init__(data, **kwargs)
        contracts = [contract for contract, _types in choices]
        self.fields["contract"].choices = [(c.pk, c.number) for c in contracts]
        if len(contracts) == 1:
            self.fields["contract"].widget = forms.HiddenInput()
            self.fields["contract"].initial = contracts[0].pk
        if len(choices) == 1:
            self.fields["request_type"].choices = [(t.pk, t.name) for t in choices[0][1]]
        else:  # one group per contract; the service checks the type belongs to the contract
            self.fields["request_type"].choices = [
                (contract.number, [(t.pk, t.name) for t in types]) for contract, types in choices
            ]
