"""The "Submit a request" block: the kinds of request a tenant may file as buttons to their
forms (optionally only those the editor chose), a prompt for visitors and half-logged-in
sessions, sample data in the preview, a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.flow_helpers import PASSWORD, login, verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp
from tests.conftest import verified_portal_user
from tests.factories import ContractFactory
from tests.tenancy.test_blocks import block_request, render
from wagtail_tenantportal.tenancy.models import Contract
from wagtail_tenantportal.tickets.blocks import PORTAL_BLOCKS, NewRequestBlock, ticket_type_choices
from wagtail_tenantportal.tickets.models import TicketType

pytestmark = pytest.mark.django_db


def test_offered_to_editors_with_help_on_every_field():
    assert ("portal_new_request", NewRequestBlock) in PORTAL_BLOCKS
    assert all(child.field.help_text for child in NewRequestBlock().child_blocks.values())


def test_editors_choose_among_the_types_tenants_may_file():
    TicketType.objects.filter(code="general_contact").update(show_in_portal=False)
    codes = [code for code, _label in ticket_type_choices()]
    assert "damage_report" in codes and "general_contact" not in codes


def test_visitors_get_a_login_prompt_back_to_the_page():
    content = render(NewRequestBlock())
    assert 'href="/portal/login/?next=%2Fseite%2F"' in content
    assert "/portal/requests/new/" not in content


def test_half_logged_in_sessions_are_led_to_the_code(client, contract):
    user = verified_tenant(contract)
    confirmed_totp(user)
    login(client, user.email, PASSWORD)
    content = render(NewRequestBlock(), request=block_request(client))
    assert 'href="/portal/2fa/verify/"' in content and "/portal/requests/new/" not in content


def test_tenants_see_the_types_that_apply_to_their_contracts(tenant_client, damage_type, general_type):
    TicketType.objects.create(code="savings_only", name="Sparbuch", contract_kinds=["savings"])
    content = render(NewRequestBlock(), request=block_request(tenant_client))
    assert f'href="/portal/requests/new/{damage_type.code}/"' in content
    assert f'href="/portal/requests/new/{general_type.code}/"' in content
    assert "savings_only" not in content  # no savings contract
    assert 'href="/portal/requests/"' in content


def test_the_editors_choice_limits_the_buttons(tenant_client, damage_type, general_type):
    value = {"ticket_types": [general_type.code]}
    content = render(NewRequestBlock(), value, request=block_request(tenant_client))
    assert f"/new/{general_type.code}/" in content and f"/new/{damage_type.code}/" not in content


def test_without_a_current_contract_a_sentence(tenant_client, contract):
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ENDED)
    content = render(NewRequestBlock(), request=block_request(tenant_client))
    assert "/portal/requests/new/" not in content and "no current contract" in content


def test_queries_do_not_grow_with_the_contracts(tenant_client, tenant, building):
    def measure():
        request = block_request(tenant_client)
        with CaptureQueriesContext(connection) as queries:
            render(NewRequestBlock(), request=request)
        return len(queries)

    one = measure()
    for _ in range(19):
        verified_portal_user(ContractFactory(unit__property=building), user=tenant)
    assert measure() == one


def test_preview_is_sample_data_without_queries(rf):
    block = NewRequestBlock()
    with CaptureQueriesContext(connection) as queries:
        context = block.get_preview_portal_context(block.get_default(), rf.get("/"))
    assert len(queries) == 0 and context["ticket_types"][0]["label"] == "Schadensmeldung"
