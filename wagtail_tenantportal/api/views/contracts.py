"""The tenant's contracts (``tenancy.services``): list and detail with rent and contact persons."""

from rest_framework.response import Response

from ...tenancy import services
from ..base import ListView, PortalAPIView, extend_schema, paginated
from ..serializers import contracts as s


class ContractListView(ListView):
    serializer_class = s.ContractSerializer
    pagination_class = paginated(("status_rank", "kind", "number", "pk"))

    @extend_schema(operation_id="contracts_list")
    def get(self, request):
        return self.list_response(services.tenant_contracts(request.user))


class ContractDetailView(PortalAPIView):
    @extend_schema(operation_id="contracts_detail", responses={200: s.ContractDetailSerializer})
    def get(self, request, contract_id):
        contract = services.get_tenant_contract(request.user, contract_id)
        return Response(s.contract_detail(services.contract_detail_context(contract)))
