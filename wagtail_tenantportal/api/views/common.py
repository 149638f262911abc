"""Helpers the endpoints share: errors of the flows as API errors, the answers that hand out
tokens, and the caller's state."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from ...accounts import auth, flows
from ...core import session
from ...core.adapter import get_adapter
from .. import errors, services
from ..authentication import session_token
from ..models import AppToken


def two_factor():
    """The two-factor services (None without django-otp)."""
    return auth.twofactor_module()


@contextmanager
def flow_errors():
    """Turn the flows' errors into API errors: ``TooManyAttempts`` a 429 with ``retry_after``,
    other ``FlowError``/``TwoFactorError`` a 400 with their translated message, a Django
    ``ValidationError`` a 400 with its fields."""
    module = two_factor()
    two_factor_errors = (module.TwoFactorError,) if module else ()
    too_many = (flows.TooManyAttempts,) + ((module.TooManyAttempts,) if module else ())
    try:
        yield
    except too_many as error:
        raise errors.FlowFailed(
            error.message, code="too_many_attempts", status_code=429, retry_after=error.retry_after
        ) from None
    except (flows.FlowError, *two_factor_errors) as error:
        raise errors.FlowFailed(error.message) from None
    except ValidationError as error:
        raise errors.FlowFailed(
            errors.GENERIC_MESSAGES[400], fields=errors.django_validation_fields(error)
        ) from None


def client_ip(request):
    return get_adapter().get_client_ip(request._request)


def state_of(request):
    """The caller's state (``core.session``), computed afresh (after a step changed it: the
    flags read with the token are read again too)."""
    credential = session.request_credential(request._request)
    if credential is not None:
        credential.state_flags = None
    session.forget_state(request._request)
    return session.portal_state(request._request)


def token_state(token):
    """The state a request with ``token`` would have."""
    probe = HttpRequest()
    probe.user = token.user
    setattr(probe, session.CREDENTIAL_ATTR, token)
    return session.portal_state(probe)


def next_step(state):
    """``None`` for "ok", else the state itself: the step that is missing."""
    return None if state == session.OK else state


def token_answer(request, user, *, device=None, name=""):
    """Issue a session token for ``user`` (who passed the password and, where the user has
    one, the second factor with ``device``) and describe it."""
    token, secret = services.issue(
        user, AppToken.Kind.SESSION, name=name, device=device, request=request._request
    )
    services.record_login(user)
    state = token_state(token)
    return {
        "status": "authenticated",
        "token": secret,
        "token_id": token.pk,
        "expires_at": token.expires_at,
        "state": state,
        "step": next_step(state),
    }


def session_answer(request):
    """After a browser (session) login: the state of the session."""
    state = state_of(request)
    return {"status": "authenticated", "state": state, "step": next_step(state)}


def current_token(request):
    return session_token(request)
