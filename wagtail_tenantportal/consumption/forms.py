"""The month selection of the consumption page (a GET form that works without JavaScript)."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class MonthForm(forms.Form):
    month = forms.ChoiceField(
        label=_("Month"),
        help_text=_("The months for which values of your meters are available."),
        required=False,
    )

    def __init__(self, month_options, selected, *args, **kwargs):
        initial = {"month": selected.strftime("%Y-%m")} if selected else {}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["month"].choices = [
            (value, formats.date_format(month, "F Y")) for value, month in month_options
        ]
