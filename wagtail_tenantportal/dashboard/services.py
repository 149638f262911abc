"""What the dashboard shows a tenant: the greeting name and the widgets; where the overview is."""

from wagtail.models import Site

from ..core.widgets import collect_widgets, sample_widgets
from ..tenancy.models import Party
from .models import DashboardPage


def tenant_name(user):
    """The name the greeting uses: the user's full name, else the name of their first linked
    party, else the user name (at most one query)."""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if name.strip():
        return name.strip()
    # Ownership via ``visible_to`` (core.ownership): no query for users who act for nobody.
    party = Party.objects.visible_to(user).order_by("pk").first()
    if party is not None:
        return party.full_name
    return user.get_username()


def dashboard_context(request, keys=None):
    """Template context of the dashboard for the (verified) user of ``request``."""
    return {"tenant_name": tenant_name(request.user), "widgets": collect_widgets(request, keys)}


def sample_dashboard_context(keys=None):
    """Made-up context for the editor's preview (no tenant data)."""
    return {"tenant_name": "Erika Mustermann", "widgets": sample_widgets(keys)}


def dashboard_page_url(request):
    """URL of the first live :class:`DashboardPage` of the request's site, or None (one query)."""
    site = Site.find_for_request(request)
    pages = DashboardPage.objects.live()
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    page = pages.order_by("path").first()
    return page.get_url(request) if page is not None else None
