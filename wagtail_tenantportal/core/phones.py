"""Phone numbers: parsed with ``phonenumbers`` (region DE), stored normalised (E.164, e.g.
``+493411234567``), shown formatted (German numbers in the national format ``0341 1234567``,
others internationally ``+43 1 234567``).

One form field (:class:`PhoneField`) and one service function (:func:`clean_phone`) for every
place tenants enter a phone number: the contact check, the registration, the code request and
a request's contact phone, in the web forms and the REST API alike.

What callers may rely on:

- ``clean_phone("")`` is ``""``; any other value is a valid, possible number in E.164 or a
  ``ValidationError`` (code ``invalid_phone``) with a translated message.
- ``format_phone`` never fails: a value it cannot parse (old data) is returned as it is.
"""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REGION = "DE"
#: The longest text a phone number may be typed as (E.164 has at most 15 digits).
MAX_INPUT_LENGTH = 40

INVALID_MESSAGE = _("Please enter a phone number such as 0341 1234567 or +49 341 1234567.")


def parse_phone(value, region=REGION):
    """The ``PhoneNumber`` of ``value`` or None if it is no valid number."""
    value = str(value or "").strip()
    if not value or len(value) > MAX_INPUT_LENGTH:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return number


def clean_phone(value, region=REGION):
    """``value`` in E.164 (``""`` for an empty value); raises ``ValidationError`` otherwise."""
    if not str(value or "").strip():
        return ""
    number = parse_phone(value, region)
    if number is None:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value, region=REGION):
    """``value`` for people: national format for numbers of ``region``, else international."""
    number = parse_phone(value, region)
    if number is None:
        return str(value or "")
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneField(forms.CharField):
    """A phone number: ``cleaned_data`` holds it in E.164; stored values are shown formatted."""

    default_error_messages = {"invalid_phone": INVALID_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_INPUT_LENGTH)
        kwargs.setdefault("required", False)
        attrs = {"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_phone(value) if value and parse_phone(value) is not None else value

    def to_python(self, value):
        return clean_phone(super().to_python(value))
