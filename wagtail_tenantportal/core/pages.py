"""Shared behaviour of the page types that show a tenant's own data.

Documents, notices, consumption, savings and the overview page types all do the same around
their data: the portal context for the layout, the session's state, the tenant's data only for
a full portal session, for everybody else the next step (log in and come back here, or the
step the login is missing), and never an answer from a cache.
"""

from functools import wraps

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from .context import portal_context
from .headers import apply_security_headers
from .session import OK, portal_state, visitor_step


def _with_security_headers(serve):
    @wraps(serve)
    def wrapped(self, request, *args, **kwargs):
        return apply_security_headers(serve(self, request, *args, **kwargs), request)

    wrapped.portal_security_headers = True
    return wrapped


class PortalPageMixin:
    """Mix into every page type of the portal: its responses carry the portal's security
    headers (``core.headers``).

    Whatever ``serve`` a subclass ends up with (its own, ``RoutablePageMixin``'s, a site's
    override in a subclass of its own) is wrapped when the class is made, so no page type can
    lose the headers by overriding ``serve``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        serve = getattr(cls, "serve", None)
        if serve is not None and not getattr(serve, "portal_security_headers", False):
            cls.serve = _with_security_headers(serve)


class TenantDataPageMixin(PortalPageMixin):
    """Mix into a ``Page`` subclass (before ``Page``) and override :meth:`get_tenant_context`.

    The template gets ``portal_state`` and either the tenant context (state "ok") or the
    visitor context (``step``: ``core.session.visitor_step`` leading back to this page).
    Sites customise a page type by subclassing it and overriding these two methods.
    """

    def get_tenant_context(self, request):
        """Template context for a full portal session (the tenant's data)."""
        return {}

    def get_visitor_context(self, request, state):
        """Template context for everybody else: where to log in or go next, nothing personal."""
        return {"step": visitor_step(request, state, request.get_full_path())}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(portal_context(request))
        state = portal_state(request)
        context["portal_state"] = state
        if state == OK:
            context.update(self.get_tenant_context(request))
        else:
            context.update(self.get_visitor_context(request, state))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if isinstance(response, TemplateResponse):
            add_never_cache_headers(response)  # personal data: never from a cache
        return response
