# ruff: noqa: F811  (fixtures imported from twofactor_helpers)
"""Two-factor for the Wagtail admin (``STAFF_TWO_FACTOR`` and ``StaffTwoFactorMiddleware``)."""

import pyotp
import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.accounts.twofactor_helpers import (  # noqa: F401  (fixtures)
    ADMIN_HOME,
    ADMIN_REAUTH,
    ADMIN_SETUP,
    ADMIN_TOTP,
    ADMIN_VERIFY,
    backup_codes,
    backup_codes_from_page,
    clock,
    confirmed_totp,
    now_code,
    path_of,
    secret_from_page,
    staff,
    wrong_code,
)
from tests.factories import UserFactory
from wagtail_tenantportal.accounts.twofactor import services as twofactor

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/pages/", "/admin/users/", "/admin/documents/", "/admin/account/"]


@pytest.fixture
def required(settings):
    settings.WAGTAIL_TENANTPORTAL = {"STAFF_TWO_FACTOR": "required"}


def admin_login(client, user, password=PASSWORD):
    """The Wagtail admin's own login form."""
    return client.post(reverse("wagtailadmin_login"), {"username": user.get_username(), "password": password})


class TestRequired:
    def test_staff_without_device_are_led_to_enrol_before_any_admin_page(self, client, required, clock):
        member = staff()
        response = admin_login(client, member)
        assert response.status_code == 302  # Wagtail's login is unchanged
        for page in ADMIN_PAGES:
            response = client.get(page)
            assert path_of(response) == ADMIN_SETUP, page
            assert response["Location"].endswith("next=" + page.replace("/", "%2F"))
        page = client.get(ADMIN_SETUP)
        assert page.status_code == 200
        assert "Please set up two-factor authentication to continue" in page.content.decode()

        assert path_of(client.get(ADMIN_TOTP)) == ADMIN_REAUTH
        client.post(ADMIN_REAUTH, {"password": PASSWORD})
        setup_page = client.get(ADMIN_TOTP)
        assert setup_page.status_code == 200 and "<svg" in setup_page.content.decode()
        app = pyotp.TOTP(secret_from_page(setup_page.content))
        response = client.post(ADMIN_TOTP, {"code": app.now()})
        assert response.status_code == 302
        codes = backup_codes_from_page(client.get(response["Location"]).content)
        assert len(codes) == 10
        for page in ADMIN_PAGES:
            assert client.get(page).status_code == 200, page

    def test_staff_with_device_must_verify_after_the_wagtail_login(self, client, required, clock):
        member = staff()
        device = confirmed_totp(member)
        admin_login(client, member)
        for page in ADMIN_PAGES:
            assert path_of(client.get(page)) == ADMIN_VERIFY, page
        verify_page = client.get(ADMIN_VERIFY, {"next": "/admin/pages/"})
        content = verify_page.content.decode()
        assert 'autocomplete="one-time-code"' in content and 'inputmode="numeric"' in content
        response = client.post(
            ADMIN_VERIFY, {"method": "totp", "code": wrong_code(device), "next": "/admin/pages/"}
        )
        assert response.status_code == 200 and "The code is not valid" in response.content.decode()
        clock.tick(2)
        response = client.post(
            ADMIN_VERIFY, {"method": "totp", "code": now_code(device), "next": "/admin/pages/"}
        )
        assert response["Location"] == "/admin/pages/"
        for page in ADMIN_PAGES:
            assert client.get(page).status_code == 200, page

    def test_a_backup_code_opens_the_admin_once(self, client, required, clock):
        member = staff()
        confirmed_totp(member)
        codes = backup_codes(member, count=1)
        admin_login(client, member)
        response = client.post(ADMIN_VERIFY, {"method": "backup", "code": codes[0]})
        assert path_of(response) == ADMIN_HOME
        assert client.get(ADMIN_HOME).status_code == 200

    def test_login_logout_and_static_assets_stay_reachable(self, client, required):
        member = staff()
        admin_login(client, member)
        assert client.get(reverse("wagtailadmin_javascript_catalog")).status_code == 200
        assert client.get(reverse("wagtailadmin_login")).status_code in (200, 302)
        response = client.post(reverse("wagtailadmin_logout"))
        assert response.status_code == 302 and "_auth_user_id" not in client.session

    def test_the_only_method_cannot_be_removed(self, client, required, clock):
        member = staff()
        device = confirmed_totp(member)
        admin_login(client, member)
        client.post(ADMIN_VERIFY, {"method": "totp", "code": now_code(device)})
        client.post(ADMIN_REAUTH, {"password": PASSWORD})
        response = client.post("/admin/tenantportal/two-factor/remove/", {"method": "totp"})
        assert response.status_code == 200
        assert twofactor.user_has_device(member)

    def test_users_without_admin_access_are_not_redirected(self, client, required, db):
        client.force_login(UserFactory())
        response = client.get(ADMIN_HOME)
        assert path_of(response) == reverse("wagtailadmin_login")  # Wagtail's own refusal

    def test_editors_with_admin_access_are_asked_too(self, client, required, db):
        editors = Group.objects.create(name="Redaktion")
        editors.permissions.add(Permission.objects.get(codename="access_admin"))
        editor = UserFactory()
        editor.groups.add(editors)
        admin_login(client, editor)
        assert path_of(client.get(ADMIN_HOME)) == ADMIN_SETUP


class TestOptional:
    def test_staff_without_device_reach_the_admin(self, client, db):
        member = staff()
        admin_login(client, member)
        assert client.get(ADMIN_HOME).status_code == 200
        account = client.get("/admin/account/")
        assert ADMIN_SETUP in account.content.decode()  # "Two-factor authentication" in the account menu

    def test_staff_with_device_must_still_verify(self, client, clock):
        member = staff()
        device = confirmed_totp(member)
        admin_login(client, member)
        assert path_of(client.get(ADMIN_HOME)) == ADMIN_VERIFY
        client.post(ADMIN_VERIFY, {"method": "totp", "code": now_code(device)})
        assert client.get(ADMIN_HOME).status_code == 200

    def test_the_verify_step_cycles_the_session_id(self, client, clock):
        member = staff()
        device = confirmed_totp(member)
        admin_login(client, member)
        before = client.session.session_key
        client.post(ADMIN_VERIFY, {"method": "totp", "code": now_code(device)})
        assert client.session.session_key != before

    def test_staff_may_turn_it_off(self, client, clock):
        member = staff()
        device = confirmed_totp(member)
        admin_login(client, member)
        client.post(ADMIN_VERIFY, {"method": "totp", "code": now_code(device)})
        client.post(ADMIN_REAUTH, {"password": PASSWORD})
        response = client.post("/admin/tenantportal/two-factor/remove/", {"method": "totp"})
        assert path_of(response) == ADMIN_SETUP
        assert not twofactor.user_has_device(member)


def test_off_lets_staff_with_a_device_in(client, settings, db):
    settings.WAGTAIL_TENANTPORTAL = {"STAFF_TWO_FACTOR": "off"}
    member = staff()
    confirmed_totp(member)
    admin_login(client, member)
    assert client.get(ADMIN_HOME).status_code == 200


def test_the_setup_pages_need_a_verified_session_when_a_device_exists(client, clock):
    member = staff()
    confirmed_totp(member)
    admin_login(client, member)
    for path in (ADMIN_SETUP, ADMIN_TOTP, "/admin/tenantportal/two-factor/backup-codes/"):
        assert path_of(client.get(path)) == ADMIN_VERIFY, path
