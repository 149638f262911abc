"""Absolute addresses: the one place that builds a link which leaves the page.

Mails, letters and their QR codes, staff flows and redirects to another site need absolute
addresses; each must lead to the tenant's own company's site, never to another company's
host, the admin's host, ``localhost`` or ``example.com``. Everything goes through
:func:`absolute_url` (paths) or :func:`page_url` (Wagtail pages), which the adapter's
``build_absolute_uri`` and ``absolute_page_url`` call, so a site can change the rule in one
method.

The base of a company's addresses (:func:`base_url`):

1. the company's own ``base_url`` (``https://www.bauverein-elsteraue.de``);
2. the root URL of the company's Wagtail site (``Site.root_url``: ``https://`` only for
   port 443);
3. the portal-wide ``PORTAL_BASE_URL``, else ``WAGTAILADMIN_BASE_URL``.

A request is used instead (scheme and host as the tenant typed them) when it came to the
company's own site (:func:`request_serves`), or when no company is known.

Links to the Wagtail admin in staff mails start with ``WAGTAILADMIN_BASE_URL``
(:func:`admin_url`).
"""

from urllib.parse import urlsplit

from django.conf import settings

from .conf import portal_settings


def global_base_url():
    """``PORTAL_BASE_URL``, else ``WAGTAILADMIN_BASE_URL``, without a trailing slash ('' if neither)."""
    base = portal_settings.PORTAL_BASE_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return str(base).rstrip("/")


def _company_site(company):
    if company is None or not getattr(company, "site_id", None):
        return None
    return company.site


def site_root_url(site):
    """Wagtail's root URL of ``site`` (``http://host:port``; ``https://host`` for port 443)."""
    return site.root_url.rstrip("/") if site is not None else ""


def base_url(company=None):
    """Scheme and host (no trailing slash) of the addresses of ``company``'s portal: its own
    base URL, else its Wagtail site's root URL, else the portal-wide base URL ('' if none)."""
    own = str(getattr(company, "base_url", "") or "").rstrip("/")
    if own:
        return own
    site = _company_site(company)
    if site is not None:
        return site_root_url(site)
    return global_base_url()


def _hostname(value):
    try:
        return (urlsplit(value).hostname or "").lower()
    except ValueError:
        return ""


def request_hostname(request):
    """The host name (no port, lower case) the request was made to, or ''."""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: such a request never builds links for anybody
        return ""
    return _hostname(f"//{host}")


def request_serves(request, company):
    """True if ``request`` came to ``company``'s own site: its host is the host of the
    company's Wagtail site or base URL. With no company, or a company without either, any
    request is the best we know (True). The admin on a host of its own is never a company's
    site, even where Wagtail falls back to the default site."""
    if request is None:
        return False
    if company is None:
        return True
    hosts = set()
    site = _company_site(company)
    if site is not None:
        hosts.add(site.hostname.lower())
    own = getattr(company, "base_url", "") or ""
    if own:
        hosts.add(_hostname(own))
    hosts.discard("")
    if not hosts:
        return True
    return request_hostname(request) in hosts


def absolute_url(path, *, request=None, company=None):
    """``path`` (``/portal/requests/…``) as an absolute address on ``company``'s site.

    From ``request`` when it came to that site (or no company is known), else from
    :func:`base_url`. An address that is absolute already is returned as it is. Without a
    request and without any base URL the path stays relative.
    """
    path = str(path or "/")
    if urlsplit(path).scheme:
        return path
    if not path.startswith("/"):
        path = "/" + path
    if request is not None and request_serves(request, company):
        return request.build_absolute_uri(path)
    return base_url(company) + path


def page_path(page, request=None):
    """The path of the Wagtail ``page`` on its own site (``/mein-konto/dokumente/``), or None
    for a page that is not routable (not below a site's root page)."""
    parts = page.get_url_parts(request)
    if parts is None:
        return None
    _site_id, _root_url, path = parts
    return path


def page_url(page, *, request=None, company=None):
    """Absolute address of the Wagtail ``page``, or '' for a page outside every site.

    A page of ``company``'s site (or of any site when the company has none) gets the
    company's address (:func:`absolute_url`); a page of another site gets that site's own
    base (the base URL of its company, else its root URL): never the root URL of a Site
    record that says ``localhost`` where the company has a better address.
    """
    parts = page.get_url_parts(request)
    if parts is None:
        return ""
    site_id, _root_url, path = parts
    site = _company_site(company)
    if site is None or site.pk == site_id:
        return absolute_url(path, request=request, company=company)
    from wagtail.models import Site

    from . import companies

    other_site = Site.objects.filter(pk=site_id).first()
    other = companies.for_site(other_site)
    if other is not None:
        return absolute_url(path, request=request, company=other)
    return site_root_url(other_site) + path


def admin_url(path):
    """``path`` of the Wagtail admin as an absolute address: ``WAGTAILADMIN_BASE_URL``, else
    ``PORTAL_BASE_URL`` (staff mails: the admin's host, not a company's portal)."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or portal_settings.PORTAL_BASE_URL or ""
    return str(base).rstrip("/") + path
