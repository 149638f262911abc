"""Tenant views of the savings: overview, one account's bookings, the annual statement.

Thin: reads are ``services`` functions (ownership from ``SavingsAccount.objects.visible_to``
there).
A URL that names an account answers 404 to everybody who may not see it: other tenants,
and (for the PDF) anonymous visitors and sessions that are not fully verified. The HTML
views lead such visitors to their next step instead.
"""

from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..core.context import portal_renderer
from ..core.downloads import safe_filename
from ..core.session import is_portal_verified, portal_login_required
from . import services

TEMPLATE_DIR = "wagtail_tenantportal/savings/"


render_portal = portal_renderer(TEMPLATE_DIR)


@require_GET
@portal_login_required
def savings_overview_view(request):
    return render_portal(request, "overview.html", services.overview_context(request.user))


@require_GET
@portal_login_required
def savings_account_view(request, account_id):
    account = services.get_tenant_account(request.user, account_id, with_balance=True)
    return render_portal(
        request, "account.html", services.account_context(request.user, account, request.GET)
    )


@require_GET
def savings_statement_view(request, account_id, year):
    """The annual statement as PDF; 404 for foreign accounts, years without a statement and
    sessions that are not fully verified."""
    if not is_portal_verified(request):
        raise Http404
    account = services.get_tenant_account(request.user, account_id)
    try:
        filename, pdf = services.statement_pdf(account, int(year))
    except (services.StatementUnavailable, ValueError):
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(filename))
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    response["Cache-Control"] = "private, no-store"  # add_never_cache_headers adds max-age=0
    return response
