"""The existing portal blocks as editors meet them: every field explained, settings that change
what tenants see, visitors led to the login and back, and previews with sample data only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import verified_portal_user
from tests.documents.conftest import publish
from tests.factories import ContractFactory
from wagtail_tenantportal.accounts.blocks import LoginBlock, RegistrationBlock, RequestCodeBlock
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.core.blocks import PREVIEW_FLAG
from wagtail_tenantportal.documents.blocks import MyDocumentsBlock
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.blocks import DamageReportBlock, RequestListBlock
from wagtail_tenantportal.tickets.models import Ticket, TicketStatus, TicketType

pytestmark = pytest.mark.django_db

EXISTING_BLOCKS = [
    LoginBlock,
    RegistrationBlock,
    RequestCodeBlock,
    DamageReportBlock,
    RequestListBlock,
    MyDocumentsBlock,
]
TENANT_TABLES = (
    "tenantportal_tickets_ticket",
    "tenantportal_documents_document",
    "tenantportal_tenancy_contract",
    "tenantportal_tenancy_party",
    "tenantportal_accounts_portalaccount",
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()  # attempt limits (ticket submissions) count per test
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def make_request(user=None, path="/aktuelles/?seite=2"):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def render(block, request, value=None, *, preview=False):
    """``{% include_block %}`` of ``block`` as on a host's page (or in the editor's preview)."""
    bound = block.bind(block.to_python(value or {}))
    context = {"block": bound, "request": request}
    if preview:
        context[PREVIEW_FLAG] = True
    return Template("{% load wagtailcore_tags %}{% include_block block %}").render(Context(context))


@pytest.fixture
def tenant():
    contract = ContractFactory()
    return verified_portal_user(contract), contract


def file_request(tenant, subject, status="new"):
    user, contract = tenant
    ticket = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=user,
        subject=subject,
        description="x",
    )
    if status != "new":
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.objects.get(code=status))
    return ticket


# -- what editors see in the block's form -----------------------------------------------------


@pytest.mark.parametrize("block_class", EXISTING_BLOCKS, ids=lambda cls: cls.__name__)
def test_every_field_has_a_lower_case_label_and_help_text(block_class):
    block = block_class()
    for name, child in block.child_blocks.items():
        label = str(child.label)
        assert label and label[0].islower(), f"{block_class.__name__}.{name}: label {label!r}"
        assert str(child.field.help_text or "").strip(), f"{block_class.__name__}.{name} has no help_text"
    assert str(block.meta.description).strip()


def test_the_damage_type_setting_offers_the_active_damage_report_types():
    TicketType.objects.create(
        code="damage_shared", name="Schaden im Treppenhaus", kind=TicketType.Kind.DAMAGE
    )
    TicketType.objects.create(code="old_damage", name="Alt", kind=TicketType.Kind.DAMAGE, active=False)
    choices = [value for value, _label in DamageReportBlock().child_blocks["damage_type"].field.choices]
    assert "damage_report" in choices and "damage_shared" in choices
    assert "old_damage" not in choices and "general_contact" not in choices


def test_the_category_setting_offers_the_document_categories():
    choices = [value for value, _label in MyDocumentsBlock().child_blocks["categories"].field.choices]
    assert {"operating_cost_statement", "house_rules", "letter"} <= set(choices)


# -- visitors are asked to log in and come back -----------------------------------------------

NEXT = "next=%2Faktuelles%2F%3Fseite%3D2"


@pytest.mark.parametrize(
    "block_class", [DamageReportBlock, RequestListBlock, MyDocumentsBlock], ids=lambda cls: cls.__name__
)
def test_blocks_with_personal_data_ask_visitors_to_log_in_and_come_back(block_class):
    html = render(block_class(), make_request())
    assert f'href="/portal/login/?{NEXT}"' in html
    assert "tp-login-prompt" in html  # the shared elements/visitor_prompt.html


def test_the_login_block_returns_to_the_page():
    html = render(LoginBlock(), make_request())
    assert 'name="next" value="/aktuelles/?seite=2"' in html


def test_the_registration_block_login_link_returns_to_the_page():
    html = render(RegistrationBlock(), make_request())
    assert f'href="/portal/login/?{NEXT}">' in html


def test_the_code_request_block_is_for_visitors_and_needs_no_login():
    html = render(RequestCodeBlock(), make_request())
    assert 'name="contract_number"' in html and "/portal/login/" not in html


def test_a_half_verified_session_is_led_to_its_step(tenant):
    user, _contract = tenant
    PortalAccount.objects.filter(user=user).update(email_verified_at=None)
    user = type(user).objects.get(pk=user.pk)
    for block_class in (DamageReportBlock, RequestListBlock, MyDocumentsBlock):
        html = render(block_class(), make_request(user))
        assert f"/portal/verify/code/?{NEXT}" in html
        assert "Confirm your email address" in html


# -- settings change what tenants see ---------------------------------------------------------


def test_request_list_only_open_requests(tenant, django_assert_num_queries):
    file_request(tenant, "Frage zur Miete")
    file_request(tenant, "Klingel defekt", status="done")
    request = make_request(tenant[0])
    html = render(RequestListBlock(), request)
    assert "Frage zur Miete" in html and "Klingel defekt" in html
    html = render(RequestListBlock(), request, {"open_only": True})
    assert "Frage zur Miete" in html and "Klingel defekt" not in html
    assert "Your open requests" in html


def test_request_list_with_only_closed_requests_says_there_are_no_open_ones(tenant):
    file_request(tenant, "Klingel defekt", status="done")
    html = render(RequestListBlock(), make_request(tenant[0]), {"open_only": True})
    assert "You have no open requests." in html and "Klingel defekt" not in html


def test_request_list_queries_do_not_grow_with_the_requests(tenant):
    request = make_request(tenant[0])
    file_request(tenant, "Eins")
    render(RequestListBlock(), request, {"open_only": True})  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one:
        render(RequestListBlock(), request, {"open_only": True, "count": 20})
    for number in range(5):
        file_request(tenant, f"Anliegen {number}")
    with CaptureQueriesContext(connection) as many:
        html = render(RequestListBlock(), request, {"open_only": True, "count": 20})
    assert "Anliegen 4" in html
    assert len(many) == len(one)


def test_documents_block_shows_only_the_chosen_categories(tenant):
    user, contract = tenant
    publish(contract, "bk", category="operating_cost_statement", title="Betriebskostenabrechnung 2025")
    publish(contract, "brief", category="letter", title="Einladung Mitgliederversammlung")
    request = make_request(user)
    html = render(MyDocumentsBlock(), request)
    assert "Betriebskostenabrechnung 2025" in html and "Einladung Mitgliederversammlung" in html
    html = render(MyDocumentsBlock(), request, {"categories": ["operating_cost_statement"]})
    assert "Betriebskostenabrechnung 2025" in html and "Einladung Mitgliederversammlung" not in html


def test_damage_report_block_uses_the_chosen_damage_type(tenant):
    TicketType.objects.create(
        code="damage_shared", name="Schaden im Treppenhaus", kind=TicketType.Kind.DAMAGE, sort_order=99
    )
    request = make_request(tenant[0])
    html = render(DamageReportBlock(), request, {"damage_type": "damage_shared"})
    assert f'action="{reverse("wagtail_tenantportal:ticket_new", args=["damage_shared"])}"' in html
    html = render(DamageReportBlock(), request)  # empty: the first damage type
    assert f'action="{reverse("wagtail_tenantportal:ticket_new", args=["damage_report"])}"' in html
    TicketType.objects.filter(code="damage_shared").update(active=False)
    html = render(DamageReportBlock(), request, {"damage_type": "damage_shared"})  # gone: the first
    assert f'action="{reverse("wagtail_tenantportal:ticket_new", args=["damage_report"])}"' in html


def test_the_emergency_hint_is_shown_to_visitors_and_tenants(tenant):
    value = {"emergency_text": "Rohrbruch am Wochenende? Notdienst: 0341 998877"}
    for request in (make_request(), make_request(tenant[0])):
        html = render(DamageReportBlock(), request, value)
        assert "Rohrbruch am Wochenende? Notdienst: 0341 998877" in html
    assert "tp-emergency--hint" not in render(DamageReportBlock(), make_request())


# -- the editor's preview: the tenant's view with sample data ---------------------------------


def tenant_queries(queries):
    return [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in TENANT_TABLES)]


@pytest.mark.parametrize(
    "block_class,value,expected,absent",
    [
        (RequestListBlock, {}, ["Wasserhahn tropft", "2026-00412", "Klingel defekt"], []),
        (RequestListBlock, {"open_only": True, "count": 2}, ["Wasserhahn tropft"], ["Klingel defekt"]),
        (MyDocumentsBlock, {}, ["Betriebskostenabrechnung 2025", "tp-badge"], []),
        (MyDocumentsBlock, {"categories": ["house_rules"]}, ["Hausordnung"], ["Betriebskostenabrechnung"]),
        (
            DamageReportBlock,
            {"emergency_text": "Notdienst 0341 998877"},
            ['name="damage_kind"', "10-0815-01"],
            [],
        ),
    ],
)
def test_previews_show_the_tenant_view_with_sample_data(tenant, block_class, value, expected, absent):
    file_request(tenant, "Echtes Anliegen")  # real data that must never appear in a preview
    user, contract = tenant
    with CaptureQueriesContext(connection) as queries:
        html = render(block_class(), make_request(user), value, preview=True)
    for text in expected:
        assert text in html
    for text in absent:
        assert text not in html
    assert "Echtes Anliegen" not in html and contract.number not in html
    assert "tp-login-prompt" not in html
    assert tenant_queries(queries) == []


def test_the_damage_report_preview_shows_the_emergency_box_and_the_editors_hint():
    html = render(
        DamageReportBlock(), make_request(), {"emergency_text": "Notdienst 0341 998877"}, preview=True
    )
    assert "Notdienst 0341 998877" in html
    assert "Emergency?" in html and "0341 123456" in html  # an urgent sample kind and a sample number


@pytest.mark.parametrize(
    "block_class", [LoginBlock, RegistrationBlock, RequestCodeBlock], ids=lambda c: c.__name__
)
def test_login_and_registration_previews_show_the_visitors_view(tenant, block_class):
    user, _contract = tenant
    html = render(block_class(), make_request(user), preview=True)
    assert user.email not in html and "Logged in as" not in html
    assert "<form" in html or "tp-button" in html
