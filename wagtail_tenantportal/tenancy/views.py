"""Tenant views of the master data: "My contracts" (list), one contract (detail) and the
change of a contract's bank details.

Thin: the context builders and the change are in ``services`` (shared with the
``ContractsPage`` page type, the blocks and the REST API); ownership comes from
``Contract.objects.visible_to`` there, and a contract id the tenant may not see (another
tenant's, a missing one) answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..core.context import portal_renderer
from ..core.session import portal_login_required
from .forms import BankDetailsForm
from .services import (
    bank_change_contract,
    contract_detail_context,
    contract_list_context,
    get_tenant_contract,
    latest_bank_change,
    mandate_text,
    submit_bank_details_change,
)

TEMPLATE_DIR = "wagtail_tenantportal/tenancy/"


render_portal = portal_renderer(TEMPLATE_DIR)


def bank_details_change_context(request, contract, back_url):
    """Handle the bank-details form of ``contract`` (GET shows it, POST files the change).
    Returns ``(context, done)``: with ``done`` the change was filed and the caller redirects
    to ``back_url``. Shared with the ``ContractsPage``."""
    form = BankDetailsForm(request.POST if request.method == "POST" else None)
    pending = latest_bank_change(contract)
    if request.method == "POST" and form.is_valid():
        try:
            submit_bank_details_change(
                request.user,
                contract,
                account_holder=form.cleaned_data["account_holder"],
                iban=form.cleaned_data["iban"],
                mandate_confirmed=form.cleaned_data["mandate_confirmed"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _(
                    "Thank you: we have received your new bank details and will check them. Until we "
                    "confirm the change, we collect from the account we have on file."
                ),
            )
            return {}, True
    context = {
        "contract": contract,
        "company": contract.company,
        "form": form,
        "mandate_text": mandate_text(contract.company),
        "pending": pending if pending is not None and pending.is_pending else None,
        "back_url": back_url,
    }
    return context, False


# -- views ----------------------------------------------------------------------------------


@require_GET
@portal_login_required
def contract_list_view(request):
    return render_portal(request, "contract_list.html", contract_list_context(request.user))


@require_GET
@portal_login_required
def contract_detail_view(request, contract_id):
    contract = get_tenant_contract(request.user, contract_id)
    context = contract_detail_context(contract)
    context["bank_change_url"] = reverse("wagtail_tenantportal:contract_bank_details", args=(contract.pk,))
    return render_portal(request, "contract_detail.html", context)


@require_http_methods(["GET", "POST"])
@portal_login_required
def bank_details_change_view(request, contract_id):
    contract = bank_change_contract(request.user, contract_id)
    back_url = reverse("wagtail_tenantportal:contract_detail", args=(contract.pk,))
    context, done = bank_details_change_context(request, contract, back_url)
    if done:
        return HttpResponseRedirect(back_url)
    return render_portal(request, "bank_details_change.html", context)
