"""Themes: the portal's ``--tp-*`` custom properties per site, served as ``theme.css``.

``portal.css`` declares every ``--tp-*`` variable with its default. A site sets other values
in the settings (``THEME`` for every site, ``SITE_THEMES`` per Wagtail site) or in code
(``DefaultPortalAdapter.get_theme(request)``, e.g. per company). The portal serves the chosen
values as a small stylesheet at ``theme.css`` under the portal's URL and links it after
``portal.css``: no inline ``style`` attributes or ``<style>`` elements, so a Content Security
Policy with ``style-src 'self'`` holds.

Only names ``portal.css`` declares are served, and only values made of a conservative set of
characters (no ``;``, ``{``, ``}``, ``<``, ``>``, backslash or comments), so a value from the
settings or the database cannot end the declaration or the stylesheet.
"""

import hashlib
import logging
import re
from functools import lru_cache
from pathlib import Path

from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import format_html
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

CSS_PATH = Path(__file__).resolve().parent.parent / "static/wagtail_tenantportal/css/portal.css"
PREFIX = "--tp-"
#: Longest value served (font stacks are the longest real ones).
MAX_VALUE_LENGTH = 200
# Letters (any script: font names), digits, space and what colours, lengths, calc() and font
# stacks need. Not: ; { } < > \ @ ! and no comments (checked separately).
_VALUE_RE = re.compile(r"""^[\w #%.,()+\-*/"']+$""")
_ROOT_BLOCK_RE = re.compile(r":where\(:root\)\s*\{(?P<body>[^}]*)\}")
_DECLARATION_RE = re.compile(r"(--tp-[a-z0-9-]+)\s*:\s*([^;]+);")
_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: Seconds a theme.css without the current version in its URL may be used without asking again.
UNVERSIONED_MAX_AGE = 300
#: A versioned theme.css (``?v=<version>``) never changes: cached for a year.
VERSIONED_MAX_AGE = 365 * 24 * 60 * 60
_RENDERED_FLAG = "tenantportal_theme_linked"

#: (foreground, background, minimum ratio) of the colours a theme must keep readable
#: (WCAG 2.1 AA for normal text): body text, secondary text and links on the page background,
#: the text of buttons and of the standalone header on the primary colour.
CONTRAST_PAIRS = (
    ("--tp-color-text", "--tp-color-bg", 4.5),
    ("--tp-color-muted", "--tp-color-bg", 4.5),
    ("--tp-color-primary", "--tp-color-bg", 4.5),
    ("--tp-color-on-primary", "--tp-color-primary", 4.5),
    ("--tp-color-on-primary", "--tp-color-primary-hover", 4.5),
    ("--tp-color-text", "--tp-color-surface", 4.5),
)


@lru_cache(maxsize=1)
def default_variables():
    """``{name: default}`` of every ``--tp-*`` variable, in the order ``portal.css`` declares them."""
    css = CSS_PATH.read_text(encoding="utf-8")
    match = _ROOT_BLOCK_RE.search(re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    if match is None:  # pragma: no cover - portal.css always has the block (tests/test_templates.py)
        return {}
    return {name: value.strip() for name, value in _DECLARATION_RE.findall(match.group("body"))}


def clean_value(value):
    """``value`` as a safe CSS value (a string), or None when it is not one.

    Numbers become strings; surrounding white space is removed. Refused: empty values, more
    than ``MAX_VALUE_LENGTH`` characters, any character outside letters, digits, space and
    ``# % . , ( ) + - * / " '``, comments, unbalanced brackets or quotes.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    value = str(value).strip()
    if not value or len(value) > MAX_VALUE_LENGTH or not _VALUE_RE.match(value):
        return None
    if "/*" in value or "*/" in value:
        return None
    depth = 0
    for char in value:
        depth += char == "("
        depth -= char == ")"
        if depth < 0:
            return None
    if depth or value.count('"') % 2 or value.count("'") % 2:
        return None
    return value


def clean_theme(theme):
    """Split ``theme`` (``{name: value}``) into ``(variables, problems)``.

    ``variables`` keeps the known ``--tp-*`` names with safe values, in the order of
    ``portal.css``; ``problems`` lists a sentence (English, for developers) per entry left out.
    """
    if not isinstance(theme, dict):
        return {}, [f"a theme must be a dict of --tp-* names and values, not {type(theme).__name__}"]
    known = default_variables()
    cleaned, problems = {}, []
    for name, value in theme.items():
        if name not in known:
            problems.append(f"{name!r} is not a --tp-* variable of portal.css")
            continue
        safe = clean_value(value)
        if safe is None:
            problems.append(f"the value {value!r} of {name} is not a plain CSS value")
            continue
        cleaned[name] = safe
    ordered = {name: cleaned[name] for name in known if name in cleaned}
    return ordered, problems


def theme_variables(request=None):
    """The validated ``--tp-*`` values for ``request`` (the adapter's ``get_theme``); empty
    when the site keeps the defaults. Computed once per request."""
    cached = getattr(request, "_tenantportal_theme", None) if request is not None else None
    if cached is not None:
        return cached
    from .adapter import get_adapter

    variables, problems = clean_theme(get_adapter().get_theme(request))
    for problem in problems:
        logger.warning("Theme value left out: %s.", problem)
    if request is not None:
        try:
            request._tenantportal_theme = variables
        except AttributeError:  # a read-only request stand-in
            pass
    return variables


def theme_css(variables):
    """The stylesheet for ``variables`` (already cleaned).

    The rule's selector is ``:root`` (not the zero-specificity ``:where(:root)`` of
    ``portal.css``), so the theme wins over the defaults whichever file loads first.
    """
    lines = ["/* wagtail-tenantportal: theme (generated from the settings) */"]
    if variables:
        lines.append(":root {")
        lines += [f"  {name}: {value};" for name, value in variables.items()]
        lines.append("}")
    return "\n".join(lines) + "\n"


def theme_version(variables):
    """A short hash of ``variables``: the ETag of theme.css and the ``v`` of its URL."""
    css = theme_css(variables)
    return hashlib.sha256(css.encode()).hexdigest()[:16]


def theme_url(request=None):
    """Address of the theme stylesheet for ``request`` (with ``?v=<version>``), or None when
    the site keeps the default colours or the portal's URLs are not included."""
    variables = theme_variables(request)
    if not variables:
        return None
    try:
        url = reverse("wagtail_tenantportal:theme_css")
    except NoReverseMatch:
        return None
    return f"{url}?v={theme_version(variables)}"


def theme_link(context):
    """``<link rel="stylesheet">`` of the theme, once per rendered page (the host's base
    template and the portal layout may both ask for it); "" when there is no theme."""
    render_context = getattr(context, "render_context", None)
    if render_context is not None and render_context.get(_RENDERED_FLAG):
        return ""
    url = theme_url(context.get("request"))
    if not url:
        return ""
    if render_context is not None:
        render_context[_RENDERED_FLAG] = True
    return format_html('<link rel="stylesheet" href="{}">', url)


@require_safe
def theme_css_view(request):
    """``theme.css``: the ``--tp-*`` values of the request's site (empty rule when none).

    With the current version in the URL (``?v=``, as the portal links it) the answer is
    cached for a year; without it for a few minutes. Both carry an ETag, so a browser asking
    again gets "304 Not Modified".
    """
    variables = theme_variables(request)
    version = theme_version(variables)
    response = HttpResponse(theme_css(variables), content_type="text/css; charset=utf-8")
    etag = quote_etag(version)
    response["ETag"] = etag
    if request.GET.get("v") == version:
        patch_cache_control(response, public=True, max_age=VERSIONED_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=UNVERSIONED_MAX_AGE)
    return get_conditional_response(request, etag=etag, response=response)


# -- contrast (used by the system check) ------------------------------------------------------


def _luminance(hex_colour):
    digits = hex_colour[1:]
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground, background):
    """WCAG contrast ratio of two ``#rgb``/``#rrggbb`` colours (1 to 21)."""
    high, low = sorted([_luminance(foreground), _luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def contrast_problems(variables):
    """``[(foreground, background, ratio, minimum)]`` of the pairs in ``CONTRAST_PAIRS`` that
    ``variables`` (over the defaults) make too weak. Colours other than hex values (names,
    ``rgb()``, ``var()``) cannot be judged here and are skipped."""
    colours = {**default_variables(), **variables}
    problems = []
    for foreground, background, minimum in CONTRAST_PAIRS:
        if foreground not in variables and background not in variables:
            continue  # the defaults pass (tests/test_templates.py)
        fg, bg = colours.get(foreground, ""), colours.get(background, "")
        if not (_HEX_RE.match(fg) and _HEX_RE.match(bg)):
            continue
        ratio = contrast_ratio(fg, bg)
        if ratio < minimum:
            problems.append((foreground, background, ratio, minimum))
    return problems
