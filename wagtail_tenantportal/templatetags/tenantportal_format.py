"""Formats for templates.

    {% load tenantportal_format %}
    <time datetime="{{ message.created_at|machine_time }}">{{ message.created_at|date:"DATETIME_FORMAT" }}</time>

``machine_time`` is ``core.formats.machine_readable``: a valid HTML date or time string (no
microseconds; aware datetimes in the current time zone with their offset).
"""

from django import template

from ..core.formats import machine_readable
from ..core.phones import format_phone

register = template.Library()


@register.filter
def machine_time(value):
    """The ``datetime`` attribute of a ``<time>`` element for a date, time or datetime."""
    return machine_readable(value)


@register.filter
def phone(value):
    """A stored phone number for people (``core.phones.format_phone``: ``0341 1234567``)."""
    return format_phone(value)
