"""The two-factor block on a host page: visitors get a login prompt back to the page,
half-logged-in sessions the code entry, a company that requires two-factor its set-up,
tenants whether it is on (which methods, backup codes left) with the right links."""

import django_otp
import pytest
from django.utils import translation

from tests.accounts.flow_helpers import PASSWORD, login, verified_tenant
from tests.accounts.twofactor_helpers import backup_codes, confirmed_email_device, confirmed_totp
from tests.tenancy.test_blocks import block_request, render
from wagtail_tenantportal.accounts.blocks import PORTAL_BLOCKS, TwoFactorBlock
from wagtail_tenantportal.tenancy.models import Company

pytestmark = pytest.mark.django_db

NEXT = "?next=%2Fseite%2F"


def verified_request(client, device):
    """The client's session verified with ``device`` (as after entering the code)."""
    request = block_request(client)
    django_otp.login(request, device)
    return request


def test_it_is_offered_to_editors():
    assert ("portal_two_factor", TwoFactorBlock) in PORTAL_BLOCKS
    block = TwoFactorBlock()
    assert all(child.field.help_text for child in block.child_blocks.values())


def test_visitors_get_a_login_prompt_back_to_the_page():
    content = render(TwoFactorBlock())
    assert f'href="/portal/login/{NEXT}"' in content
    assert "second lock" in content  # the explanation is there for everybody
    assert "switched on" not in content and "switched off" not in content


def test_half_logged_in_sessions_are_led_to_the_code(client, tenant):
    _party, contract = tenant
    user = verified_tenant(contract)
    confirmed_totp(user)
    login(client, user.email, PASSWORD)
    content = render(TwoFactorBlock(), request=block_request(client))
    assert 'href="/portal/2fa/verify/"' in content and "switched on" not in content


def test_a_required_set_up_is_the_step(client, tenant):
    _party, contract = tenant
    Company.objects.filter(pk=contract.company_id).update(two_factor_policy="required")
    client.force_login(verified_tenant(contract))
    content = render(TwoFactorBlock(), request=block_request(client))
    assert f'href="/portal/2fa/{NEXT}"' in content


def test_tenants_without_a_second_factor_are_offered_both_methods(portal_client):
    content = render(TwoFactorBlock(), request=block_request(portal_client))
    assert "Two-factor authentication is switched off." in content
    assert f'href="/portal/2fa/app/{NEXT}"' in content and f'href="/portal/2fa/email/{NEXT}"' in content
    assert "Backup codes" not in content


def test_tenants_with_app_and_backup_codes_see_them(portal_client):
    device = confirmed_totp(portal_client.user)
    backup_codes(portal_client.user, count=2)
    content = render(TwoFactorBlock(), request=verified_request(portal_client, device))
    assert "Two-factor authentication is switched on." in content
    assert "2 codes left" in content and "only a few backup codes" in content
    assert f'href="/portal/2fa/{NEXT}"' in content and f'href="/portal/2fa/backup-codes/{NEXT}"' in content


def test_email_codes_count_as_on(portal_client):
    device = confirmed_email_device(portal_client.user)
    content = render(TwoFactorBlock(), request=verified_request(portal_client, device))
    assert "switched on" in content and "0 codes left" in content


def test_german_explanation_in_plain_words(portal_client):
    with translation.override("de"):
        content = render(TwoFactorBlock(), request=block_request(portal_client))
    assert "Zwei-Faktor" in content


def test_an_editors_own_text_replaces_the_explanation():
    content = render(TwoFactorBlock(), {"text": "Bitte schützen Sie Ihr Konto."})
    assert "Bitte schützen Sie Ihr Konto." in content and "second lock" not in content


def test_preview_is_sample_data(rf):
    block = TwoFactorBlock()
    context = block.get_preview_portal_context(block.get_default(), rf.get("/"))
    assert context["status"].enabled and context["status"].backup_codes == 7
