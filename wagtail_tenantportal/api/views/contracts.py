"""The tenant's contracts (``tenancy.services``): list and detail with rent, contact persons
and shares; the changes of a contract's bank details (list, file a new one)."""

from rest_framework import status
from rest_framework.response import Response

from ...tenancy import services
from ..base import ListView, PortalAPIView, extend_schema, paginated
from ..serializers import contracts as s
from .common import flow_errors


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


def _bank_details(user, contract):
    changes = services.tenant_bank_changes(user, contract)
    return {
        "mandate_text": services.mandate_text(contract.company),
        "can_change": not any(change.is_pending for change in changes),
        "changes": s.BankDetailsChangeSerializer(changes, many=True).data,
    }


class ContractBankDetailsView(PortalAPIView):
    """``GET``: the contract's bank-details changes and the mandate text; ``POST``: file a new
    account (staff approve it; the contract keeps its account until then). Current contracts
    only; another tenant's contract is a 404."""

    @extend_schema(operation_id="contracts_bank_details", responses={200: s.BankDetailsSerializer})
    def get(self, request, contract_id):
        contract = services.bank_change_contract(request.user, contract_id)
        return Response(_bank_details(request.user, contract))

    @extend_schema(
        operation_id="contracts_bank_details_change",
        request=s.BankDetailsChangeCreateSerializer,
        responses={201: s.BankDetailsChangeSerializer, 400: None, 429: None},
    )
    def post(self, request, contract_id):
        contract = services.bank_change_contract(request.user, contract_id)
        data = self.validated(s.BankDetailsChangeCreateSerializer)
        with flow_errors():
            change = services.submit_bank_details_change(request.user, contract, **data)
        return Response(s.BankDetailsChangeSerializer(change).data, status=status.HTTP_201_CREATED)
