"""How the API knows who calls: an app token (``Authorization: Bearer <token>``) or the web
session of a same-origin front end (with Django's CSRF check on every unsafe method)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication

from ..core.session import CREDENTIAL_ATTR
from . import errors, services
from .models import AppToken

KEYWORDS = ("bearer", "token")


class AppTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <secret>``.

    A session token authenticates its user; the request then carries the token as the
    credential of ``core.session`` (epoch and second factor come from the token, never from
    a cookie). A pending or verification token authenticates nobody: ``request.auth`` is the
    token and ``request.user`` anonymous, so it opens only the endpoints that ask for it.
    A header with an unknown, expired or revoked token is an error (401), not anonymity.
    """

    www_authenticate_realm = "api"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in KEYWORDS:
            return None
        if len(header) != 2:
            raise errors.TokenInvalid(_("The Authorization header must be 'Bearer <token>'."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise errors.TokenInvalid() from None
        try:
            token = services.authenticate(secret)
        except services.TokenInvalid:
            raise errors.TokenInvalid() from None
        if token.kind != AppToken.Kind.SESSION:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser(), token
        user = token.user
        verified = token.second_factor_verified
        # What django-otp's middleware sets for sessions; the token decides here.
        user.otp_device = None
        user.is_verified = lambda: verified
        setattr(request._request, CREDENTIAL_ATTR, token)
        return user, token

    def authenticate_header(self, request):
        return f'Bearer realm="{self.www_authenticate_realm}"'


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The web session (cookie) of a same-origin front end; unsafe methods need the CSRF token
    (header ``X-CSRFToken``, from GET auth/csrf or the ``csrftoken`` cookie)."""


def token_of(request):
    """The ``AppToken`` that authenticated ``request`` (any kind), or None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, AppToken) else None


def session_token(request):
    token = token_of(request)
    return token if token is not None and token.kind == AppToken.Kind.SESSION else None
