"""Template context shared by every portal template.

Portal views, pages and blocks pass ``portal_context(request)`` into their templates, so
``layouts/base.html`` knows which host template to extend and whether to link the portal
stylesheet. Hosts that render portal layouts from their own views may add the context
processor ``wagtail_tenantportal.context_processors.portal`` instead.
"""

from django.utils.functional import lazy

from .conf import portal_settings


def portal_context(request=None):
    """The variables ``layouts/base.html`` relies on, read from the settings on every call.

    Returns a new dict with:

    - ``portal_base_template``: the template the portal layout extends (``BASE_TEMPLATE``);
    - ``portal_include_css``: whether to link ``portal.css`` (``INCLUDE_CSS``, as a bool);
    - ``portal_name``: the portal's name in the voice of the page's company (the company of
      the request's site, else the logged-in tenant's; ``adapter.page_company``), else the
      global ``PORTAL_NAME``; looked up only when a template prints it.

    ``request`` may be None (then the global name).
    """
    return {
        "portal_base_template": portal_settings.BASE_TEMPLATE,
        "portal_include_css": bool(portal_settings.INCLUDE_CSS),
        "portal_name": _lazy_portal_name(request) if request is not None else portal_settings.PORTAL_NAME,
    }


def _portal_name(request):
    from .adapter import get_adapter

    cached = getattr(request, _NAME_ATTR, None)
    if cached is None:
        adapter = get_adapter()
        cached = str(adapter.portal_name(adapter.page_company(request)))
        try:
            setattr(request, _NAME_ATTR, cached)
        except AttributeError:  # pragma: no cover - a request object without attributes
            pass
    return cached


_NAME_ATTR = "_tenantportal_portal_name"
_lazy_portal_name = lazy(_portal_name, str)


def portal_renderer(template_dir, *, lazy=False):
    """The ``render_portal(request, template, context=None, status=200)`` of one sub-app.

    It renders ``template_dir + template`` with :func:`portal_context` under the view's own
    context. ``lazy`` returns an unrendered ``TemplateResponse`` (for views that page types
    serve at their own URL and adjust before rendering). Each sub-app's ``views.py`` has
    ``render_portal = portal_renderer(TEMPLATE_DIR)``.
    """
    from django.shortcuts import render
    from django.template.response import TemplateResponse

    def render_portal(request, template, context=None, status=200):
        full_context = {**portal_context(request), **(context or {})}
        if lazy:
            return TemplateResponse(request, template_dir + template, full_context, status=status)
        return render(request, template_dir + template, full_context, status=status)

    return render_portal
