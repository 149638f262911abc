"""Help pages for tenants, shipped as content that editors import into their page tree.

Each language is a folder (``help/de/``) of HTML files in Wagtail's rich-text format, read in
file-name order. A file starts with a comment holding its metadata::

    <!--
    title: Schaden melden
    slug: schadensmeldung
    requires: tickets
    -->
    <p>...</p>

``requires`` (optional) names sub-apps of the portal the page is about; without them the page
is left out. Links in the body use two schemes that are resolved when the pages are created
(``manage.py tenantportal_help_pages``):

- ``href="portal:<url name>"``: a portal URL (``wagtail_tenantportal:<url name>``);
- ``href="help:<slug>"``: another help page, stored as a Wagtail page link.

A link whose target is missing (sub-app not installed, help page left out) is dropped and its
text kept. Text in [square brackets] is a placeholder for the editors to fill in.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

HELP_DIR = Path(__file__).resolve().parent

_META = re.compile(r"\A\s*<!--(?P<meta>.*?)-->\s*", re.S)
_LINK = re.compile(r'<a href="(?P<scheme>portal|help):(?P<target>[\w-]+)">(?P<text>.*?)</a>', re.S)
_PLACEHOLDER = re.compile(r"\[[^\]<>]+\]")


@dataclass(frozen=True)
class HelpPage:
    """One help page: ``body`` is rich-text HTML with unresolved ``portal:``/``help:`` links."""

    slug: str
    title: str
    body: str
    requires: tuple[str, ...] = ()

    @property
    def placeholders(self):
        """The [placeholders] editors must fill in, in order of appearance (no repeats)."""
        return list(dict.fromkeys(_PLACEHOLDER.findall(self.body)))

    @property
    def available(self):
        """Whether the sub-apps the page is about are installed."""
        return all(apps.is_installed(f"wagtail_tenantportal.{app}") for app in self.requires)


def languages():
    """Language codes with help content, e.g. ``["de"]``."""
    return sorted(path.name for path in HELP_DIR.iterdir() if path.is_dir() and any(path.glob("*.html")))


def _parse(path):
    text = path.read_text(encoding="utf-8")
    match = _META.match(text)
    if match is None:
        raise ValueError(f"{path.name}: no metadata comment at the start")
    meta = {}
    for line in match.group("meta").strip().splitlines():
        key, _sep, value = line.partition(":")
        meta[key.strip()] = value.strip()
    missing = {"title", "slug"} - meta.keys()
    if missing:
        raise ValueError(f"{path.name}: metadata without {', '.join(sorted(missing))}")
    requires = tuple(app.strip() for app in meta.get("requires", "").split(",") if app.strip())
    return HelpPage(
        slug=meta["slug"], title=meta["title"], body=text[match.end() :].strip(), requires=requires
    )


def load_help_pages(language="de", *, only_available=True):
    """The help pages of ``language`` in their order; by default only those whose sub-apps are
    installed. Raises ``LookupError`` for a language without help content."""
    folder = HELP_DIR / language
    if language not in languages():
        raise LookupError(language)
    pages = [_parse(path) for path in sorted(folder.glob("*.html"))]
    return [page for page in pages if page.available] if only_available else pages


def resolve_links(body, page_ids):
    """``body`` with ``portal:`` links turned into URLs and ``help:`` links into Wagtail page
    links (``page_ids``: slug -> page id). Links whose target is missing keep only their text."""

    def replace(match):
        scheme, target, text = match.group("scheme", "target", "text")
        if scheme == "help":
            page_id = page_ids.get(target)
            return text if page_id is None else f'<a linktype="page" id="{page_id}">{text}</a>'
        try:
            url = reverse(f"wagtail_tenantportal:{target}")
        except NoReverseMatch:
            return text
        return f'<a href="{escape(url)}">{text}</a>'

    return _LINK.sub(replace, body)
