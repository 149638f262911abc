"""One error body for every 4xx of the API, with messages in the request's language.

Every error answer is a JSON object::

    {"status": 400, "code": "invalid", "message": "Some details are not valid.",
     "fields": {"email": ["Enter a valid email address."]}}

``code`` is stable (for programs), ``message`` translated (for people; ``Accept-Language``
de or en), ``fields`` maps input fields (``form_data.<key>`` for a request type's own fields)
to messages and is empty when no field is to blame. Some errors add ``step`` (the next step of
a login that is not complete, see ``core.session``) or ``retry_after`` (seconds).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..core import session

logger = logging.getLogger(__name__)


class StepRequired(exceptions.APIException):
    """The login is not complete: ``step`` names what is missing (a state of ``core.session``)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "step_required"

    def __init__(self, step):
        self.step = step
        label = session.STEP_LABELS.get(step, _("Continue"))
        message = _("Your login is not complete. Next step: %(step)s.") % {"step": label}
        super().__init__(message, code=step)


class SecondFactorPending(exceptions.NotAuthenticated):
    default_code = session.TWO_FACTOR_PENDING
    default_detail = _(
        "This token only opens the second-factor step. Enter your security code first (POST auth/2fa/verify)."
    )


class TokenInvalid(exceptions.AuthenticationFailed):
    default_code = "token_invalid"
    default_detail = _("This token is not valid: it has expired or was revoked. Please log in again.")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = _("The request is too large.")


class FlowFailed(exceptions.APIException):
    """A flow of the accounts app or a feature said no (its message is translated already)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message, code="invalid", *, status_code=None, retry_after=None, fields=None):
        if status_code is not None:
            self.status_code = status_code
        self.retry_after = retry_after
        self.fields = fields or {}
        super().__init__(message, code=code)


def too_many(retry_after, message=None):
    """A 429 with ``retry_after`` (``Retry-After`` header too)."""
    error = exceptions.Throttled(wait=retry_after, detail=message)
    return error


GENERIC_MESSAGES = {
    400: _("Some details are not valid."),
    401: _("Please log in."),
    403: _("You may not do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    406: _("This format is not available."),
    413: _("The request is too large."),
    415: _("This content type is not supported."),
    429: _("Too many requests. Please wait a moment."),
}


def _flatten(detail, prefix=""):
    """DRF's nested error detail as ``{"field": [messages]}`` (nested fields joined by dots)."""
    fields = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key in ("non_field_errors", "__all__"):
                name = prefix or "non_field_errors"
            for field, messages in _flatten(value, name).items():
                fields.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                for field, messages in _flatten(value, f"{prefix}.{index}" if prefix else str(index)).items():
                    fields.setdefault(field, []).extend(messages)
            else:
                fields.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        fields.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return fields


def _codes(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            yield from _codes(value)
    elif isinstance(detail, list):
        for value in detail:
            yield from _codes(value)
    else:
        yield getattr(detail, "code", None)


def error_body(status_code, code, message, fields=None, **extra):
    body = {"status": status_code, "code": code, "message": str(message), "fields": fields or {}}
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def django_validation_fields(error):
    """A Django ``ValidationError`` as the API's ``fields`` (``__all__`` becomes ``non_field_errors``)."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for e in errors for m in e.messages]
            for key, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """The API's exception handler: every error in the one body shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # e.g. a malformed multipart body
        exc = exceptions.ParseError()
    elif isinstance(exc, DjangoValidationError):
        fields = django_validation_fields(exc)
        exc = FlowFailed(GENERIC_MESSAGES[400], fields=fields)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: Django's 500 handling and logging
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    extra = {}
    wait = getattr(exc, "wait", None) or getattr(exc, "retry_after", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
        extra["retry_after"] = int(wait)
    status_code = exc.status_code
    if isinstance(exc, StepRequired):
        extra["step"] = exc.step
    if isinstance(exc, SecondFactorPending):
        extra["step"] = session.TWO_FACTOR_PENDING
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError) or isinstance(detail, dict | list):
        fields = _flatten(detail)
        code = "invalid"
        if fields.keys() == {"non_field_errors"} and len(fields["non_field_errors"]) == 1:
            message = fields.pop("non_field_errors")[0]
        else:
            message = GENERIC_MESSAGES[400]
        codes = [c for c in _codes(detail) if c]
        if codes and all(c == codes[0] for c in codes) and codes[0] not in ("invalid", "required"):
            code = str(codes[0])
    else:
        fields = getattr(exc, "fields", None) or {}
        code = str(getattr(detail, "code", None) or exc.default_code)
        message = str(detail) if detail else GENERIC_MESSAGES.get(status_code, "")
    set_rollback()
    return Response(
        error_body(status_code, code, message, fields, **extra), status=status_code, headers=headers
    )
