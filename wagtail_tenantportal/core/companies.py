"""Which company speaks: the company of a site, of a request and of a user.

Several cooperatives can share one portal, each on its own Wagtail site. Mails, letters,
links and page titles speak with the voice of one company: its sender, its portal name, its
own site. The core does not know the ``Company`` model (that is the tenancy app's); the
tenancy app registers a :class:`CompanyProvider` when it is ready. Without one, no company is
ever found and everything speaks with the portal-wide settings.

Callers get a company or None and treat None as "the portal-wide voice".
"""

_MISSING = object()
#: Attribute caching the company of a request's site on the request.
REQUEST_ATTR = "_tenantportal_site_company"


class CompanyProvider:
    """What the tenancy app provides."""

    def for_site(self, site):
        """The company whose site ``site`` is, or None (no company or several)."""
        return None

    def for_user(self, user, prefer=None):
        """A company ``user`` (authenticated, active) acts for: ``prefer`` if it is one of
        them, else the first; None if the user acts for no company. An unsaved user (the
        stand-in for an unknown address) acts for none, after the same work as a saved one."""
        return None


_provider = CompanyProvider()


def register_provider(provider):
    """Install the provider (the tenancy app does, in ``ready()``)."""
    global _provider
    _provider = provider


def for_site(site):
    """The company of the Wagtail site ``site`` (None for None)."""
    if site is None:
        return None
    return _provider.for_site(site)


def for_request(request):
    """The company of the Wagtail site that serves ``request`` (Wagtail's
    ``Site.find_for_request``: the matching site, else the default site), or None. The answer
    is cached on the request."""
    if request is None:
        return None
    cached = getattr(request, REQUEST_ATTR, _MISSING)
    if cached is not _MISSING:
        return cached
    from wagtail.models import Site

    company = for_site(Site.find_for_request(request))
    try:
        setattr(request, REQUEST_ATTR, company)
    except AttributeError:  # pragma: no cover - a request object without attributes
        pass
    return company


def _acting(user):
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def for_user(user, prefer=None):
    """A company ``user`` acts for (``prefer`` if it is one of them), or None."""
    if not _acting(user):
        return None
    return _provider.for_user(user, prefer=prefer)


def speaking_for(request=None, user=None):
    """The company a mail or page to ``user`` speaks for: the user's own company (the one of the
    request's site if the user acts for it), else the company of the request's site, else None.

    Staff acting for a tenant in the admin (a reset, a letter) speak with the tenant's company;
    a page of a company's site speaks with that company to a visitor.
    """
    site_company = for_request(request)
    company = for_user(user, prefer=site_company)
    return company if company is not None else site_company
