"""Tenant views of the master data: "My contracts" (list) and one contract (detail).

Thin: the context builders are in ``services`` (shared with the ``ContractsPage`` page type
and the blocks); ownership comes from ``Contract.objects.visible_to`` there, and a contract
id the tenant may not see (another tenant's, a missing one) answers 404.
"""

from django.views.decorators.http import require_GET

from ..core.context import portal_renderer
from ..core.session import portal_login_required
from .services import contract_detail_context, contract_list_context, get_tenant_contract

TEMPLATE_DIR = "wagtail_tenantportal/tenancy/"


render_portal = portal_renderer(TEMPLATE_DIR)


# -- views ----------------------------------------------------------------------------------


@require_GET
@portal_login_required
def contract_list_view(request):
    return render_portal(request, "contract_list.html", contract_list_context(request.user))


@require_GET
@portal_login_required
def contract_detail_view(request, contract_id):
    contract = get_tenant_contract(request.user, contract_id)
    return render_portal(request, "contract_detail.html", contract_detail_context(contract))
