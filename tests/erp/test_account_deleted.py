"""The ERP hears when a tenant deletes their portal account (``portal_account.deleted``): in the
deletion's transaction, for the tenant's company only, naming only that company's requests."""

import pytest

from tests.factories import CompanyFactory
from wagtail_tenantportal.accounts import leaving
from wagtail_tenantportal.core.outbox_models import OutboxMessage
from wagtail_tenantportal.erp.events import PORTAL_ACCOUNT_DELETED
from wagtail_tenantportal.erp.models import Connection
from wagtail_tenantportal.tickets import services as ticket_services

from .conftest import DUMMY_CONNECTOR, contract_of

PASSWORD = "correct horse battery staple"


def _events():
    return OutboxMessage.objects.filter(channel="erp", topic=PORTAL_ACCOUNT_DELETED)


def test_deletion_records_one_event_per_company_with_its_open_requests(
    tenant, contract, general_type, dummy_connection
):
    from tests.factories import tenant_for

    other_company = CompanyFactory(name="Bauverein Elsteraue")
    other_contract = contract_of(other_company)
    Connection.objects.create(company=other_company, name="Andere", connector={"CLASS": DUMMY_CONNECTOR})
    tenant_for(other_contract, user=tenant)
    mine = ticket_services.submit_ticket(
        contract=contract, ticket_type=general_type, user=tenant, subject="Heizung", description="kalt"
    )
    theirs = ticket_services.submit_ticket(
        contract=other_contract, ticket_type=general_type, user=tenant, subject="Tür", description="klemmt"
    )
    party = contract.contract_parties.get().party

    leaving.delete_account(None, tenant, password=PASSWORD)

    events = {event.company_id: event.payload["data"] for event in _events()}
    assert set(events) == {contract.company_id, other_company.pk}
    assert events[contract.company_id] == {
        "parties": [{"erp_id": party.erp_id, "name": party.full_name}],
        "contracts": [contract.number],
        "open_requests": [mine.reference],
    }
    assert events[other_company.pk]["open_requests"] == [theirs.reference]


def test_a_refused_deletion_records_nothing(tenant, dummy_connection):
    with pytest.raises(leaving.FlowError):
        leaving.delete_account(None, tenant, password="wrong")
    assert not _events().exists()
