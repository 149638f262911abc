"""Base for the portal's StreamField blocks (each sub-app defines its own in ``<app>/blocks.py``).

A portal block renders inside the host's own StreamField pages. It needs the request (who is
looking, CSRF token), which Wagtail passes only through ``{% include_block %}``; rendered any
other way (``{{ block }}``) it shows a short message instead of failing or leaking.

Editors see every portal block in the block picker with a description and a preview. The
preview never looks at the editor's own session or at tenant data: it shows what a visitor who
is not logged in sees, or, where a block defines ``get_preview_portal_context``, what a tenant
sees, filled with made-up sample data.

Hosts add all blocks of the installed sub-apps at once with
``wagtail_tenantportal.blocks.portal_blocks()``.
"""

from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import blocks

from . import session
from .context import portal_context
from .headers import mark_request

#: Context variable set while Wagtail renders a block preview in the admin.
PREVIEW_FLAG = "portal_preview"
PREVIEW_TEMPLATE = "wagtail_tenantportal/blocks/preview.html"


class _PreviewRequest:
    """The admin's request seen as a visitor who is not logged in (for block previews).

    Everything but ``user`` and ``session`` is taken from the real request (host, scheme,
    CSRF token, path), so URLs and forms in the preview are those of the site.
    """

    def __init__(self, request):
        self._request = request
        self.user = AnonymousUser()
        self.session = {}

    def __getattr__(self, name):
        return getattr(self._request, name)


class PortalBlock(blocks.StructBlock):
    """A StructBlock whose template gets ``request``, ``portal_state`` and the portal context.

    Subclasses set ``Meta.template``, ``Meta.description`` (shown to editors in the block
    picker) and may override

    - ``get_tenant_context(value, request)`` for the tenant's data (a full portal session),
      ``get_visitor_context(value, request, state)`` for everybody else (default: the next
      step, leading back to this page) and ``get_common_context(value, request)`` for both;
      or ``get_portal_context(value, request, state)`` for blocks with their own rules;
    - ``get_preview_portal_context(value, request)`` to show the tenant's view in the
      editor's preview, filled with sample data (return None to show the visitor's view).
    """

    def get_portal_context(self, value, request, state):
        """The block's context for this session: :meth:`get_common_context` plus, for a full
        portal session, :meth:`get_tenant_context`, else :meth:`get_visitor_context`.
        Blocks with their own rules for the states override this method instead."""
        context = self.get_common_context(value, request)
        if state == session.OK:
            context.update(self.get_tenant_context(value, request))
        else:
            context.update(self.get_visitor_context(value, request, state))
        return context

    def get_common_context(self, value, request):
        """Context for every state (e.g. the link to the full page)."""
        return {}

    def get_tenant_context(self, value, request):
        """The tenant's data (a full portal session)."""
        return {}

    def get_visitor_context(self, value, request, state):
        """Nothing personal: ``step`` (``core.session.visitor_step``), i.e. log in and come
        back to this page, or the step the login is missing."""
        return {"step": session.visitor_step(request, state, request.get_full_path())}

    def get_preview_portal_context(self, value, request):
        """Sample context for the editor's preview of the logged-in view, or None."""
        return None

    # -- Wagtail's block preview -----------------------------------------------------------

    def get_preview_template(self, value, context=None):
        return getattr(self.meta, "preview_template", None) or PREVIEW_TEMPLATE

    def get_preview_context(self, value, parent_context=None):
        context = dict(parent_context or {})
        context[PREVIEW_FLAG] = True
        context.update(portal_context(context.get("request")))
        return context

    @property
    def is_previewable(self):
        return getattr(self.meta, "previewable", True)

    # -- rendering ---------------------------------------------------------------------------

    def render(self, value, context=None):
        request = context.get("request") if context else None
        if request is None:
            return format_html(
                '<p class="tp-block-error">{}</p>',
                _(
                    "This portal block must be rendered with {% include_block %} so that it knows the visitor."
                ),
            )
        new_context = dict(context.flatten() if hasattr(context, "flatten") else context)
        new_context.update(portal_context(request))
        preview = bool(new_context.get(PREVIEW_FLAG))
        extra = None
        if preview:
            extra = self.get_preview_portal_context(value, request)
            state = session.OK if extra is not None else session.ANONYMOUS
            if extra is None:
                request = _PreviewRequest(request)
        else:
            state = session.portal_state(request)
            # The host's page shows portal content: its response gets the portal's headers
            # where the host added the middleware (core.headers).
            mark_request(request)
        new_context.update(
            {
                "self": value,
                "value": value,
                "request": request,
                "portal_state": state,
                "block": self,
                # the visitor prompt's key: never taken from the host page's own context
                "step": None,
            }
        )
        if extra is None:
            extra = self.get_portal_context(value, request, state)
        new_context.update(extra)
        return render_to_string(
            self.meta.template, new_context, request=getattr(request, "_request", request)
        )
