"""Optional context processor for hosts that render portal templates from their own views."""

from .core.context import portal_context


def portal(request):
    """Add ``portal_base_template``, ``portal_include_css`` and ``portal_name`` to every template.

    Enable it by adding ``"wagtail_tenantportal.context_processors.portal"`` to
    ``TEMPLATES[...]["OPTIONS"]["context_processors"]``. Portal views pass the same values
    themselves, so this is needed only for templates rendered outside them.
    """
    return portal_context(request)
