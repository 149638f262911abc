"""Views of the portal's root: ``/portal/`` itself."""

from django.http import HttpResponseRedirect
from django.views.decorators.cache import never_cache

from .core.adapter import get_adapter


@never_cache
def portal_home(request):
    """``/portal/``: the current site's overview (its overview page, else the portal's own);
    visitors are asked to log in there and come back. ``LOGIN_REDIRECT_URL`` or an adapter's
    ``get_login_redirect_url`` choose another start."""
    return HttpResponseRedirect(get_adapter().get_login_redirect_url(request))
