"""Every portal block in the editor's block picker: a description, and a preview rendered by
Wagtail's block preview view that shows the visitor's (or sample tenant's) view, never the
editor's own session or real tenant data."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from wagtail_tenantportal.blocks import portal_blocks
from wagtail_tenantportal.core import session
from wagtail_tenantportal.core.blocks import PortalBlock

pytestmark = pytest.mark.django_db

BLOCKS = portal_blocks()


@pytest.fixture
def editor_client(client):
    user = UserFactory(is_staff=True, is_superuser=True, username="editor", email="editor@example.org")
    client.force_login(user)
    return client


def test_portal_blocks_lists_every_block_of_the_installed_apps_once():
    names = [name for name, _block in BLOCKS]
    assert len(names) == len(set(names))
    assert {"portal_login", "portal_registration", "portal_damage_report", "portal_documents"} <= set(names)
    assert all(isinstance(block, PortalBlock) for _name, block in BLOCKS)
    assert "portal_login" not in [name for name, _b in portal_blocks(exclude=("portal_login",))]


@pytest.mark.parametrize("name,block", BLOCKS, ids=[name for name, _b in BLOCKS])
def test_every_block_has_a_description_and_a_label(name, block):
    assert block.is_previewable
    assert str(block.get_description()).strip(), f"{name} has no Meta.description"
    assert str(block.label).strip()


@pytest.mark.parametrize("name,block", BLOCKS, ids=[name for name, _b in BLOCKS])
def test_preview_renders_for_the_editor_without_their_session(editor_client, name, block):
    url = reverse("wagtailadmin_block_preview") + f"?id={block.definition_prefix}"
    response = editor_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "tp-block-preview" in content
    assert "portal.css" in content
    assert "editor@example.org" not in content  # never the editor's own account
    assert "must be rendered with" not in content


def test_a_step_in_the_host_pages_context_does_not_turn_a_tenant_view_into_a_prompt(rf, monkeypatch):
    """Blocks decide between the prompt and the tenant's data by ``step``; a host template's
    own variable of that name must not leak into a tenant's view."""
    from django.contrib.auth.models import AnonymousUser

    from wagtail_tenantportal.tickets.blocks import RequestListBlock

    block = RequestListBlock()
    monkeypatch.setattr(session, "portal_state", lambda request: session.OK)
    monkeypatch.setattr(
        RequestListBlock,
        "get_tenant_context",
        lambda self, value, request: {"tickets": [], "list_url": "/x/"},
    )
    request = rf.get("/seite/")
    request.user = AnonymousUser()
    request.session = {}
    html = block.render(block.to_python({}), {"request": request, "step": {"step_url": "/host-step/"}})
    assert "/host-step/" not in html and "tp-login-prompt" not in html
