"""Memberships in "My contracts": listed by default, cooperative wording, the shares from the ERP
import; and the contract kinds that damage reports apply to."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import verified_portal_user
from tests.factories import ContractFactory
from tests.tenancy.import_helpers import messages, run_import, write_csv
from wagtail_tenantportal.tenancy.models import Contract
from wagtail_tenantportal.tickets.models import TicketType

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership(db):
    flat = ContractFactory()
    member = Contract.objects.create(
        company=flat.company,
        number="M-4711",
        kind=Contract.Kind.MEMBERSHIP,
        shares=3,
        share_amount=Decimal("160.00"),
    )
    user = verified_portal_user(flat)
    from wagtail_tenantportal.tenancy.models import ContractParty

    party = flat.contract_parties.get().party
    ContractParty.objects.create(contract=member, party=party, role=ContractParty.Role.MEMBER)
    return user, flat, member


def test_my_contracts_lists_the_membership_and_its_page_speaks_cooperative(client, membership):
    user, flat, member = membership
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    listing = client.get("/portal/contracts/").content.decode()
    assert "M-4711" in listing and "Mitgliedschaft" in listing
    detail = client.get(f"/portal/contracts/{member.pk}/").content.decode()
    assert "Genossenschaft" in detail and "Vermieter" not in detail
    assert "Geschäftsanteile" in detail and "Mitglieder" in detail
    assert "160,00 €" in detail and "480,00 €" in detail
    flat_page = client.get(f"/portal/contracts/{flat.pk}/").content.decode()
    assert "Vermieter" in flat_page and "Geschäftsanteile" not in flat_page


def test_a_new_contracts_page_shows_memberships(client, membership):
    from wagtail.models import Site

    from wagtail_tenantportal.tenancy.pages import ContractsPage

    user, _flat, member = membership
    page = Site.objects.get(is_default_site=True).root_page.add_child(
        instance=ContractsPage(title="Meine Verträge", slug="vertraege-mitglied")
    )
    client.force_login(user)
    assert "M-4711" in client.get(page.get_url()).content.decode()
    assert client.get(f"{page.get_url()}{member.pk}/").status_code == 200


def test_the_membership_page_runs_the_same_queries_as_a_flat(client, membership):
    user, flat, member = membership
    client.force_login(user)

    def queries(contract):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/portal/contracts/{contract.pk}/").status_code == 200
        return len(captured)

    assert queries(member) <= queries(flat)


def test_the_api_carries_the_shares(membership):
    from rest_framework.test import APIClient

    user, flat, member = membership
    client = APIClient()
    client.force_authenticate(user)
    client.force_login(user)
    data = client.get(f"/portal/api/v1/contracts/{member.pk}/").json()
    assert data["shares"] == {"shares": 3, "share_amount": "160.00", "total": "480.00"}
    assert client.get(f"/portal/api/v1/contracts/{flat.pk}/").json()["shares"] is None


def test_the_import_reads_the_shares(tmp_path):
    from tests.factories import CompanyFactory

    company = CompanyFactory(erp_id="LH")
    text = "company;number;kind;unit;shares;share_amount\nLH;M-1;Mitgliedschaft;;4;160,00\n"
    result = run_import([write_csv(tmp_path, "contracts.csv", text)])
    assert not result.errors, messages(result)
    contract = Contract.objects.get(company=company, number="M-1")
    assert (contract.shares, contract.share_amount, contract.shares_total) == (
        4,
        Decimal("160.00"),
        Decimal("640.00"),
    )


@pytest.mark.parametrize(
    "kind, applies",
    [
        (Contract.Kind.RENTAL, True),
        (Contract.Kind.PARKING, True),
        (Contract.Kind.MEMBERSHIP, False),
        (Contract.Kind.SAVINGS, False),
    ],
)
def test_damage_reports_apply_to_premises_only(kind, applies):
    damage = TicketType.objects.get(code="damage_report")
    general = TicketType.objects.get(code="general_contact")
    contract = ContractFactory(kind=kind)
    assert damage.applies_to(contract) is applies
    assert general.applies_to(contract)  # other requests still apply
    damage.contract_kinds = [kind]  # not even when an editor names the kind
    assert damage.applies_to(contract) is applies


def test_a_damage_report_against_a_membership_is_refused_by_the_service(membership):
    from django.core.exceptions import ValidationError

    from wagtail_tenantportal.tickets import services
    from wagtail_tenantportal.tickets.models import Ticket

    user, _flat, member = membership
    assert member not in services.eligible_contracts(user, TicketType.objects.get(code="damage_report"))
    with pytest.raises(ValidationError):
        services.submit_ticket(
            contract=member,
            ticket_type=TicketType.objects.get(code="damage_report"),
            user=user,
            subject="Wasserhahn",
            description="tropft",
            contact_phone="0341 1234567",
        )
    assert not Ticket.objects.exists()


def test_migration_0007_adds_the_membership_to_pages_with_the_old_default():
    import importlib

    from django.apps import apps
    from wagtail.models import Site

    from wagtail_tenantportal.tenancy.pages import ContractsPage

    migration = importlib.import_module(
        "wagtail_tenantportal.tenancy.migrations.0007_contracts_page_membership"
    )
    root = Site.objects.get(is_default_site=True).root_page
    old = root.add_child(
        instance=ContractsPage(title="Alt", slug="alt", contract_kinds=["rental", "parking"])
    )
    chosen = root.add_child(
        instance=ContractsPage(title="Nur Miete", slug="miete", contract_kinds=["rental"])
    )
    migration.add_membership(apps, None)
    old.refresh_from_db()
    chosen.refresh_from_db()
    assert old.contract_kinds == ["rental", "parking", "membership"]
    assert chosen.contract_kinds == ["rental"]  # an editor's own choice stays
    migration.remove_membership(apps, None)
    old.refresh_from_db()
    assert old.contract_kinds == ["rental", "parking"]
