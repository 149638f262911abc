"""Base for the portal's StreamField blocks (each sub-app defines its own in ``<app>/blocks.py``).

A portal block renders inside the host's own StreamField pages. It needs the request (who is
looking, CSRF token), which Wagtail passes only through ``{% include_block %}``; rendered any
other way (``{{ block }}``) it shows a short message instead of failing or leaking.
"""

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import blocks

from .context import portal_context


class PortalBlock(blocks.StructBlock):
    """A StructBlock whose template gets ``request``, ``portal_state`` and the portal context.

    Subclasses set ``Meta.template`` and may override ``get_portal_context(value, request,
    state)`` to add their data (computed only when the block is rendered with a request).
    """

    def get_portal_context(self, value, request, state):
        return {}

    def render(self, value, context=None):
        request = context.get("request") if context else None
        if request is None:
            return format_html(
                '<p class="tp-block-error">{}</p>',
                _(
                    "This portal block must be rendered with {% include_block %} so that it knows the visitor."
                ),
            )
        from .accounts.auth import portal_state

        state = portal_state(request)
        new_context = dict(context.flatten() if hasattr(context, "flatten") else context)
        new_context.update(portal_context(request))
        new_context.update(
            {"self": value, "value": value, "request": request, "portal_state": state, "block": self}
        )
        new_context.update(self.get_portal_context(value, request, state))
        return render_to_string(self.meta.template, new_context, request=request)
