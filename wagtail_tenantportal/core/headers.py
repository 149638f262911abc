"""Security headers of portal responses: Content-Security-Policy, Permissions-Policy and
who may show portal pages in a frame.

The portal's templates contain no inline script, no inline style and no event-handler
attributes; its stylesheet, its theme (``theme.css``) and its one script are files. So the
policy needs no ``'unsafe-inline'``. Hosts extend it with the settings
``CONTENT_SECURITY_POLICY`` (sources per directive) and ``PERMISSIONS_POLICY`` (features);
each company may allow its homepage to embed portal pages (``Company.frame_ancestors``, plus
``FRAME_ANCESTORS`` for all). ``X-Frame-Options`` follows: ``SAMEORIGIN`` while only the
portal's own site may frame it, left out when other origins may (browsers then obey
``frame-ancestors``; ``X-Frame-Options`` cannot name an origin).

Where the headers are set:

- every view of the portal's URLconf (``wagtail_tenantportal.urls`` wraps them with
  :func:`portal_headers`);
- every page type of the portal (``core.pages.PortalPageMixin``);
- host pages that render portal blocks, when the host adds
  :class:`PortalSecurityHeadersMiddleware` (a block marks the request; the package does not
  control the host's response otherwise).

A response that already carries a ``Content-Security-Policy`` (set by a view of the host)
keeps it.
"""

import re
from functools import wraps
from urllib.parse import urlsplit

from .conf import portal_settings

#: The portal's own policy (directive -> sources), before the host's additions.
DEFAULT_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
#: Features the portal never uses, switched off for its pages (``feature=()``).
DEFAULT_PERMISSIONS = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

#: Attribute a portal block sets on the request: the middleware adds the headers.
REQUEST_FLAG = "_tenantportal_headers"

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$|^https?://\*\.[A-Za-z0-9.-]+(?::\d{1,5})?$")
_SOURCE = re.compile(r"^[^\s;,'\"]+$|^'[a-z0-9-]+'$")


def parse_origins(text):
    """The web origins in ``text`` (separated by spaces, commas or lines), in order.

    Raises ``ValueError`` with the first entry that is not ``scheme://host[:port]`` (a
    ``*.`` wildcard host allowed): no paths, quotes or semicolons reach a header.
    """
    origins = []
    for entry in re.split(r"[\s,]+", str(text or "").strip()):
        if not entry:
            continue
        value = entry.rstrip("/")
        parts = urlsplit(value) if _ORIGIN.match(value) else None
        if parts is None or parts.path or parts.query or parts.fragment:
            raise ValueError(entry)
        origins.append(value)
    return origins


def _sources(values, setting):
    """Validated sources of one directive (from the host's settings)."""
    if isinstance(values, str):
        values = values.split()
    sources = []
    for value in values or []:
        value = str(value).strip()
        if not value or not _SOURCE.match(value):
            raise ValueError(f"{setting}: invalid source {value!r}")
        sources.append(value)
    return sources


def content_security_policy(frame_ancestors=()):
    """The policy text: the defaults, the host's ``CONTENT_SECURITY_POLICY`` additions and
    ``frame_ancestors`` (origins besides the portal's own site). None if the host switched
    the policy off."""
    extra = portal_settings.CONTENT_SECURITY_POLICY
    if extra is None:
        return None
    directives = {name: list(sources) for name, sources in DEFAULT_CSP.items()}
    for name, sources in (extra or {}).items():
        name = str(name).strip().lower()
        if not re.fullmatch(r"[a-z-]+", name):
            raise ValueError(f"CONTENT_SECURITY_POLICY: invalid directive {name!r}")
        if sources is None:
            directives.pop(name, None)
            continue
        current = directives.setdefault(name, [])
        current.extend(s for s in _sources(sources, "CONTENT_SECURITY_POLICY") if s not in current)
    if "frame-ancestors" in directives:
        ancestors = directives["frame-ancestors"]
        ancestors.extend(o for o in frame_ancestors if o not in ancestors)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def permissions_policy():
    """The Permissions-Policy text, or None if the host switched it off."""
    extra = portal_settings.PERMISSIONS_POLICY
    if extra is None:
        return None
    features = {name: list(values) for name, values in DEFAULT_PERMISSIONS.items()}
    for name, allowed in (extra or {}).items():
        name = str(name).strip().lower()
        if not re.fullmatch(r"[a-z-]+", name):
            raise ValueError(f"PERMISSIONS_POLICY: invalid feature {name!r}")
        if allowed is None:
            features.pop(name, None)
            continue
        if isinstance(allowed, str):
            allowed = allowed.split()
        items = []
        for value in allowed:
            value = str(value).strip().strip('"')
            if value in ("self", "'self'"):
                items.append("self")
            elif value == "*":
                items.append("*")
            else:
                items.extend(f'"{origin}"' for origin in parse_origins(value))
        features[name] = items
    return ", ".join(f"{name}=({' '.join(values)})" for name, values in features.items())


def frame_ancestors_for(company):
    """Origins besides the portal's own site that may frame its pages: ``FRAME_ANCESTORS``
    and the company's own list (invalid entries are left out; the admin validates them)."""
    origins = []
    for text in (" ".join(portal_settings.FRAME_ANCESTORS or []), getattr(company, "frame_ancestors", "")):
        try:
            found = parse_origins(text)
        except ValueError:
            found = []
            for entry in re.split(r"[\s,]+", str(text or "")):
                try:
                    found.extend(parse_origins(entry))
                except ValueError:
                    continue
        origins.extend(origin for origin in found if origin not in origins)
    return origins


def security_headers(company=None):
    """``{header: value}`` for a portal response of ``company``'s site (None: portal-wide)."""
    ancestors = frame_ancestors_for(company)
    headers = {}
    policy = content_security_policy(ancestors)
    if policy is not None:
        name = (
            "Content-Security-Policy-Report-Only"
            if portal_settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )
        headers[name] = policy
    permissions = permissions_policy()
    if permissions is not None:
        headers["Permissions-Policy"] = permissions
    return headers, ancestors


def apply_security_headers(response, request):
    """Add the portal's security headers to ``response`` (a response with its own
    ``Content-Security-Policy`` keeps it). Returns the response."""
    from . import companies

    company = companies.for_request(request)
    headers, ancestors = security_headers(company)
    for name, value in headers.items():
        if name.startswith("Content-Security-Policy") and (
            "Content-Security-Policy" in response or "Content-Security-Policy-Report-Only" in response
        ):
            continue
        if name not in response:
            response[name] = value
    if ancestors:
        # X-Frame-Options cannot name an origin; frame-ancestors decides (and wins over it).
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]
        response.xframe_options_exempt = True
    elif "X-Frame-Options" not in response:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def portal_headers(view):
    """Decorate a view: its responses get the portal's security headers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        return apply_security_headers(response, request)

    return wrapped


def mark_request(request):
    """Note that a portal block renders into this request's response (for the middleware)."""
    try:
        setattr(request, REQUEST_FLAG, True)
    except AttributeError:  # pragma: no cover - a request object without attributes
        pass


class PortalSecurityHeadersMiddleware:
    """Optional: adds the portal's security headers to host pages that render portal blocks.

    Add it to ``MIDDLEWARE`` (anywhere after ``SessionMiddleware``). Responses of the portal's
    own views and page types carry the headers without it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, REQUEST_FLAG, False):
            apply_security_headers(response, request)
        return response
