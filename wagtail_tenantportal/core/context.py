"""Template context shared by every portal template.

Portal views, pages and blocks pass ``portal_context(request)`` into their templates, so
``layouts/base.html`` knows which host template to extend and whether to link the portal
stylesheet. Hosts that render portal layouts from their own views may add the context
processor ``wagtail_tenantportal.context_processors.portal`` instead.
"""

from .conf import portal_settings


def portal_context(request=None):
    """The variables ``layouts/base.html`` relies on, read from the settings on every call.

    Returns a new dict with:

    - ``portal_base_template``: the template the portal layout extends (``BASE_TEMPLATE``);
    - ``portal_include_css``: whether to link ``portal.css`` (``INCLUDE_CSS``, as a bool);
    - ``portal_name``: the global portal name (``PORTAL_NAME``), the default page title.

    ``request`` is accepted so that callers need not change when values start to depend on
    it (for example the company of the logged-in tenant); it may be None.
    """
    return {
        "portal_base_template": portal_settings.BASE_TEMPLATE,
        "portal_include_css": bool(portal_settings.INCLUDE_CSS),
        "portal_name": portal_settings.PORTAL_NAME,
    }


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
