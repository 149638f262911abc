"""Who may call an endpoint: the same predicate as the web (``core.session``).

``PortalVerified`` (the default) lets through full portal sessions only (state "ok"): a
caller without a login gets 401, a pending token 401 naming the second factor, a login that
misses a step (email, activation, second-factor set-up, contact check) 403 naming the step.
"""

from rest_framework import exceptions, permissions

from ..core import session
from .authentication import token_of
from .errors import SecondFactorPending, StepRequired
from .models import AppToken


def portal_state(request):
    """The state of the caller (the Django request carries the token credential)."""
    return session.portal_state(request._request)


def _deny(request, state):
    token = token_of(request)
    if token is not None and token.kind == AppToken.Kind.PENDING:
        raise SecondFactorPending()
    if state == session.ANONYMOUS:
        if token is None and session.two_factor_pending(request._request):
            raise SecondFactorPending()
        raise exceptions.NotAuthenticated()
    raise StepRequired(state)


class InStates(permissions.BasePermission):
    """The caller's state must be one of ``states``."""

    states = (session.OK,)

    def has_permission(self, request, view):
        state = portal_state(request)
        if state not in self.states:
            _deny(request, state)
        return True


def in_states(*states):
    return type("InStates", (InStates,), {"states": states})


class PortalVerified(InStates):
    states = (session.OK,)


#: Logged in with a password (and a second factor where the user has one), any step missing.
LoggedIn = in_states(
    session.EMAIL_UNVERIFIED,
    session.PENDING_MATCH,
    session.ACTIVATION_REQUIRED,
    session.TWO_FACTOR_SETUP_REQUIRED,
    session.CONTACT_CHECK_REQUIRED,
    session.OK,
)


class Anybody(permissions.BasePermission):
    def has_permission(self, request, view):
        return True
