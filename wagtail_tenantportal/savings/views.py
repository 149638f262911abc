"""Tenant views of the savings: overview, one account's bookings, the annual statement.

Thin: reads are ``services`` functions (ownership from ``SavingsAccount.objects.visible_to``
there).
A URL that names an account answers 404 to everybody who may not see it: other tenants,
and (for the PDF) anonymous visitors and sessions that are not fully verified. The HTML
views lead such visitors to their next step instead.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..core.context import portal_renderer
from ..core.downloads import safe_filename
from ..core.session import is_portal_verified, portal_login_required
from . import services
from .forms import ExemptionOrderForm

exemptions = services.exemptions

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


def _exemption_form(user, data=None):
    holders = exemptions.holder_parties(user)
    partners = {p.pk: p for holder in holders for p in exemptions.partner_choices(holder)}
    allowances = {
        "single": exemptions.formats.number_format(exemptions.allowance(False), 0, force_grouping=True),
        "joint": exemptions.formats.number_format(exemptions.allowance(True), 0, force_grouping=True),
    }
    form = ExemptionOrderForm(
        data,
        holders=holders,
        partners=list(partners.values()),
        years=exemptions.year_choices(),
        allowances=allowances,
    )
    return form, holders, partners


@require_http_methods(["GET", "POST"])
@portal_login_required
def exemption_orders_view(request):
    """Give, change or withdraw an exemption order; staff confirm it (the tenant sees the state)."""
    data = request.POST if request.method == "POST" and "withdraw" not in request.POST else None
    form, holders, partners = _exemption_form(request.user, data)
    if request.method == "POST":
        withdraw = "withdraw" in request.POST
        holder = exemptions.get_holder(request.user, request.POST.get("holder"))
        try:
            if holder is None:
                raise ValidationError({"holder": _("Choose one of the account holders.")})
            if withdraw:
                try:
                    year = int(request.POST.get("year", ""))
                except ValueError:
                    year = None
                exemptions.request_order(request.user, holder, year=year, withdraw=True)
                messages.success(request, _("Your withdrawal was sent. We confirm it as soon as we can."))
                return HttpResponseRedirect(reverse("wagtail_tenantportal:savings_exemption"))
            if form.is_valid():
                cleaned = form.cleaned_data
                exemptions.request_order(
                    request.user,
                    holder,
                    year=cleaned["year"],
                    amount=cleaned["amount"],
                    joint=cleaned["joint"],
                    partner=partners.get(cleaned["partner"]),
                )
                messages.success(
                    request, _("Your exemption order was sent. We confirm it as soon as we can.")
                )
                return HttpResponseRedirect(reverse("wagtail_tenantportal:savings_exemption"))
        except ValidationError as error:
            if withdraw:
                for message in error.messages:
                    messages.error(request, message)
                return HttpResponseRedirect(reverse("wagtail_tenantportal:savings_exemption"))
            form.add_error(None, error)
    if not holders:
        raise Http404
    orders = exemptions.tenant_orders(request.user)
    for order in orders:
        order.withdraw_years = exemptions.order_years(order)
    return render_portal(
        request,
        "exemption_orders.html",
        {
            "form": form,
            "holders": holders,
            "orders": orders,
            "requests": exemptions.tenant_requests(request.user),
            "overview_url": reverse("wagtail_tenantportal:savings"),
        },
    )
