"""Template tags for linking the portal's theme from any template (the host's too).

    {% load tenantportal_theme %}
    <head>… {% portal_theme_css %} …</head>          the <link>, or nothing without a theme
    {% portal_theme_url as theme_url %}              only the address (None without a theme)

``portal_theme_css`` writes the link once per rendered page: when the host's base template
links the theme and the portal layout does too, the page gets one link.
"""

from django import template

from ..core.theming import theme_link, theme_url

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_theme_css(context):
    """``<link rel="stylesheet" href=".../theme.css?v=...">`` for the request's site, or ""."""
    return theme_link(context)


@register.simple_tag(takes_context=True)
def portal_theme_url(context):
    """The address of theme.css for the request's site, or None when the site keeps the defaults."""
    return theme_url(context.get("request"))
