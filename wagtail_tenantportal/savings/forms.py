"""Tenant forms of the savings: the exemption order request (checks live in ``exemptions``)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ExemptionOrderForm(forms.Form):
    """Give or change the exemption order of one holder for one year (POST, no JavaScript).

    The field types only parse the input; whether it is allowed (year, allowance, second holder)
    is decided by ``exemptions.validate`` so the web, the API and the admin agree."""

    holder = forms.TypedChoiceField(label=_("Account holder"), coerce=int)
    year = forms.TypedChoiceField(label=_("Calendar year"), coerce=int)
    amount = forms.DecimalField(
        label=_("Amount to exempt (EUR)"),
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_("At most 1,000 € for one person, 2,000 € for a joint order of spouses or partners."),
    )
    joint = forms.BooleanField(
        label=_("Joint order with my spouse or registered partner"),
        required=False,
        help_text=_("Only for spouses or partners who are assessed jointly."),
    )
    partner = forms.TypedChoiceField(label=_("Second holder"), coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, holders=(), partners=(), years=(), allowances=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["holder"].choices = [(p.pk, p.full_name) for p in holders]
        if len(holders) == 1:
            self.fields["holder"].widget = forms.HiddenInput()
            self.fields["holder"].initial = holders[0].pk
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["partner"].choices = [("", _("(none)"))] + [(p.pk, p.full_name) for p in partners]
        if allowances:
            self.fields["amount"].help_text = (
                _(
                    "At most %(single)s € for one person, %(joint)s € for a joint order of spouses or partners."
                )
                % allowances
            )
