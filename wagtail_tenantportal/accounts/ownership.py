"""The accounts' answer to ``core.ownership``: a login acts for the parties its account is
actively linked to (``AccountParty``), and for the contracts those parties are named on."""

from ..core.ownership import OwnershipProvider
from ..tenancy.models import ContractParty
from .models import AccountParty


class AccountOwnership(OwnershipProvider):
    def party_ids(self, user):
        return AccountParty.objects.filter(account__user=user, active=True).values("party_id")

    def contract_ids(self, user):
        return ContractParty.objects.filter(party_id__in=self.party_ids(user)).values("contract_id")
