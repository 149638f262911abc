"""What the dashboard shows a tenant: the greeting name and the widgets."""

from ..core import ownership
from ..core.widgets import collect_widgets, sample_widgets
from ..tenancy.models import Party


def tenant_name(user):
    """The name the greeting uses: the user's full name, else the name of their first linked
    party, else the user name (at most one query)."""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if name.strip():
        return name.strip()
    party_ids = ownership.party_ids(user)
    if party_ids is not None:
        party = Party.objects.filter(pk__in=party_ids).order_by("pk").first()
        if party is not None:
            return party.full_name
    return user.get_username()


def dashboard_context(request, keys=None):
    """Template context of the dashboard for the (verified) user of ``request``."""
    return {"tenant_name": tenant_name(request.user), "widgets": collect_widgets(request, keys)}


def sample_dashboard_context(keys=None):
    """Made-up context for the editor's preview (no tenant data)."""
    return {"tenant_name": "Erika Mustermann", "widgets": sample_widgets(keys)}
