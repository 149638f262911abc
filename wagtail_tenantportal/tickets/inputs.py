"""What every ticket write checks and stores from its input (used by ``services.py``): texts,
rate limits, the ticket type's own form fields and the uploaded files. ``uploads.py`` decides
what a single file is; this module limits their number, stores them as ``TicketAttachment`` and
removes them again when the write fails.

Errors are ``ValidationError`` with translated messages; ``collect`` gathers them under a key so
that one call to a service reports every problem at once.
"""

import datetime
import logging

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..core.conf import portal_settings
from ..core.ratelimit import RateLimit, RateLimited
from .models import TicketAttachment, TicketTypeField
from .uploads import check_upload, process_checked

logger = logging.getLogger("wagtail_tenantportal.tickets")


# -- the type's own fields ----------------------------------------------------------------------


def extra_form_fields(ticket_type):
    """``[(key, TicketTypeField, django form field)]`` for the type's own fields, in order."""
    fields, seen = [], set()
    for spec in ticket_type.form_fields.all():
        key = spec.key
        while key in seen:
            key = f"{key}_"
        seen.add(key)
        kwargs = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
        if spec.kind == TicketTypeField.Kind.TEXTAREA:
            field = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 4}), **kwargs)
        elif spec.kind == TicketTypeField.Kind.DATE:
            field = forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
            )
        elif spec.kind == TicketTypeField.Kind.CHOICE:
            choices = [("", "---------")] + [(choice, choice) for choice in spec.choice_list]
            field = forms.ChoiceField(choices=choices, **kwargs)
        elif spec.kind == TicketTypeField.Kind.CHECKBOX:
            field = forms.BooleanField(**kwargs)
        else:
            field = forms.CharField(max_length=300, **kwargs)
        fields.append((key, spec, field))
    return fields


def clean_form_data(ticket_type, data):
    """Validate answers to the type's own fields. Returns ``(answers, errors)``: answers as stored
    on the ticket (``[{"key", "label", "kind", "value"}]``), errors keyed by field key."""
    answers, errors = [], {}
    data = data or {}
    for key, spec, field in extra_form_fields(ticket_type):
        try:
            value = field.clean(data.get(key))
        except ValidationError as error:
            errors[key] = error.messages
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        answers.append({"key": key, "label": spec.label, "kind": spec.kind, "value": value})
    return answers, errors


# -- texts and rate limits ----------------------------------------------------------------------


def clean_text(value, *, max_length=None):
    """Text with normalised line ends and outer whitespace removed; raises for NUL characters."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in value:
        raise ValidationError(_("The text contains characters that are not allowed."), code="null_characters")
    max_length = max_length or portal_settings.TICKET_TEXT_MAX_LENGTH
    if len(value) > max_length:
        raise ValidationError(
            _("Please shorten the text to %(max)d characters (it has %(length)d)."),
            code="max_length",
            params={"max": max_length, "length": len(value)},
        )
    return value


def collect(errors, key, func, *args, **kwargs):
    """``func(*args, **kwargs)``; a ValidationError is stored under ``key`` and None returned."""
    try:
        return func(*args, **kwargs)
    except ValidationError as error:
        errors.setdefault(key, []).extend(error.messages)
        return None


def check_rate(scope, user):
    if user is None:
        return
    limiter = RateLimit.for_scope(scope)
    try:
        limiter.check(user.pk)
    except RateLimited as limited:
        minutes = max(1, (limited.retry_after + 59) // 60)
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("You have sent a lot in a short time. Please try again in %(minutes)d minutes.")
                    % {"minutes": minutes}
                ]
            }
        ) from None


def count_rate(scope, user):
    if user is not None:
        RateLimit.for_scope(scope).hit(user.pk)


def process_attachments(files, errors, key="attachments", *, user=None):
    """Check, then decode and re-encode the uploads; return the ``ProcessedFile`` list.

    The cost is bounded before anything is decoded: every file is checked from its header
    first (``uploads.check_upload``), and if any file is refused, or all photos together
    would decode to more than ``TICKET_MAX_PIXELS_PER_REQUEST`` pixels, or more than
    ``user``'s hourly budget (``RATE_LIMITS["upload_pixels"]``) allows, nothing is decoded
    and the errors are stored under ``key``. The pixels about to be decoded count against
    ``user``'s budget before decoding, so photos that fail while decoding count too.
    """
    files = [f for f in (files or []) if f]
    maximum = portal_settings.TICKET_MAX_ATTACHMENTS
    if len(files) > maximum:
        errors.setdefault(key, []).append(
            _("Please attach at most %(max)d files (you chose %(count)d).")
            % {"max": maximum, "count": len(files)}
        )
        return []
    checked = [result for result in (collect(errors, key, check_upload, f) for f in files) if result]
    if len(checked) < len(files) or not collect(errors, key, _spend_pixels, checked, user):
        return []
    processed = []
    for item in checked:
        result = collect(errors, key, process_checked, item)
        if result is not None:
            processed.append(result)
    return processed


def _spend_pixels(checked, user):
    """Count the pixels ``checked`` will decode against the request's and ``user``'s limits;
    True, or ``ValidationError`` (nothing counted) if they would pass one."""
    pixels = sum(item.pixels for item in checked)
    if pixels > int(portal_settings.TICKET_MAX_PIXELS_PER_REQUEST):
        raise ValidationError(
            _(
                "These photos are too large to process together. Please send fewer photos at once, "
                "or smaller ones."
            ),
            code="too_many_pixels_together",
        )
    if user is None or not pixels:
        return True
    limiter = RateLimit.for_scope("upload_pixels")
    key = getattr(user, "pk", user)
    wait = limiter.locked_for(key)
    if wait <= 0 and limiter.count(key) + pixels > limiter.limit:
        wait = limiter.window
    if wait > 0:
        minutes = max(1, int(wait + 59) // 60)
        raise ValidationError(
            ngettext(
                "You have sent many large photos in a short time. Please try again in %(minutes)d minute.",
                "You have sent many large photos in a short time. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="pixel_budget",
        )
    limiter.hit(key, amount=pixels)
    return True


def store_attachments(ticket, processed, *, message=None, user=None, internal=False, stored_names):
    """Save the processed files as attachments of ``ticket`` (and ``message``); returns them."""
    attachments = []
    for item in processed:
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            kind=item.kind,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            width=item.width,
            height=item.height,
            internal=internal,
            uploaded_by=user,
        )
        attachment.file.save(f"upload.{item.extension}", ContentFile(item.content), save=False)
        stored_names.append(attachment.file.name)
        if item.thumbnail:
            attachment.thumbnail.save("thumbnail.jpg", ContentFile(item.thumbnail), save=False)
            stored_names.append(attachment.thumbnail.name)
        attachment.save()
        attachments.append(attachment)
    return attachments


def remove_files(names):
    storage = TicketAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # pragma: no cover - best effort; the caller re-raises the real error
            logger.warning("could not remove %s after a failed ticket write", name)
