"""Machine-readable dates and times for HTML (``<time datetime>``), in one place.

Django's ``|date:"c"`` writes microseconds (``2026-03-01T10:15:30.123456+01:00``), which HTML
does not accept (at most three digits of a fraction of a second), and every template wrote its
own format. ``machine_readable`` is the one formatter; templates use it as the filter
``machine_time`` (``{% load tenantportal_format %}``).
"""

import datetime

from django.utils import timezone


def machine_readable(value):
    """``value`` as a valid HTML date or time string, or "" for an empty value.

    - an aware datetime: in the current time zone, to the second, with its offset
      (``2026-03-01T10:15:30+01:00``, a "global date and time string");
    - a naive datetime: to the second, without offset (``2026-03-01T10:15:30``);
    - a date: ``2026-03-01``;
    - a time: ``10:15:30``.
    """
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")
    raise TypeError(f"machine_readable() takes a date, time or datetime, not {type(value).__name__}")
