"""Login, logout, logout everywhere, password reset and change, portal states."""

from unittest import mock

import pytest
from django.contrib.auth import base_user
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import flows
from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount, RegistrationClaim
from wagtail_tenantportal.core import session
from wagtail_tenantportal.tenancy.models import Company

from .flow_helpers import LOGIN_URL, PASSWORD, login, mail_link, mails_to, url, verified_tenant, without_csrf

pytestmark = pytest.mark.django_db

FAILED = str(flows.LoginFailed.message)
EMAIL = "mieterin@example.org"


@pytest.fixture
def tenant_user(tenant):
    _, contract = tenant
    return verified_tenant(contract, email=EMAIL)


def session_state(client):
    request = RequestFactory().get("/")
    request.session = client.session
    from django.contrib.auth import get_user

    request.user = get_user(request)
    return session.portal_state(request)


class TestLogin:
    def test_page_is_accessible(self, client, db):
        html = client.get(LOGIN_URL).content.decode()
        assert 'autocomplete="email"' in html
        assert 'autocomplete="current-password"' in html
        assert 'for="id_remember"' in html
        assert "/portal/password/reset/" in html

    def test_login_gives_a_new_session_id(self, client, tenant_user):
        session = client.session
        session["vorher"] = 1
        session.save()
        before = session.session_key
        response = login(client, EMAIL)
        assert response.url == url("dashboard")
        assert client.session.session_key != before
        assert client.session["_auth_user_id"] == str(tenant_user.pk)
        assert client.session.get_expire_at_browser_close()
        assert client.get(url("account")).status_code == 200
        assert PortalAccount.objects.get(user=tenant_user).last_login_at is not None

    def test_stay_logged_in(self, client, tenant_user, settings):
        settings.WAGTAIL_TENANTPORTAL = {"REMEMBER_ME_SECONDS": 3600}
        login(client, EMAIL, remember="on")
        assert not client.session.get_expire_at_browser_close()
        assert client.session.get_expiry_age() == 3600

    def test_case_of_the_address_does_not_matter_and_next_is_followed(self, client, tenant_user):
        response = client.post(
            LOGIN_URL + "?next=/portal/password/change/", {"email": EMAIL.upper(), "password": PASSWORD}
        )
        assert response.url == "/portal/password/change/"

    def test_foreign_next_is_ignored(self, client, tenant_user):
        response = client.post(
            LOGIN_URL, {"email": EMAIL, "password": PASSWORD, "next": "https://evil.example/"}
        )
        assert response.url == url("dashboard")

    def test_anonymous_is_sent_to_login_with_next(self, client, db):
        response = client.get(url("account"))
        assert response.url == f"{LOGIN_URL}?next=/portal/account/"

    def test_same_response_for_unknown_address_wrong_password_and_inactive_user(
        self, client, tenant, tenant_user
    ):
        inactive = verified_tenant(tenant[1], email="weg@example.org")
        inactive.is_active = False
        inactive.save()
        staff = UserFactory(username="staff@example.org", email="staff@example.org")  # no portal account
        bodies = set()
        for email, password in (
            (EMAIL, "falsch-falsch"),
            ("niemand@example.org", "falsch-falsch"),
            ("weg@example.org", PASSWORD),
            ("staff@example.org", "correct horse battery staple"),
        ):
            response = client.post(LOGIN_URL, {"email": email, "password": password})
            assert response.status_code == 200
            assert FAILED in response.content.decode()
            bodies.add(without_csrf(response.content).replace(email.encode(), b"X"))
        assert len(bodies) == 1
        assert "_auth_user_id" not in client.session
        assert staff.pk

    def test_unknown_address_runs_the_password_hasher(self, client, tenant_user):
        with mock.patch.object(base_user, "make_password", wraps=base_user.make_password) as hasher:
            login(client, "niemand@example.org", "irgendwas")
        assert hasher.call_count == 1
        with mock.patch.object(base_user, "check_password", wraps=base_user.check_password) as checker:
            login(client, EMAIL, "falsch")
        assert checker.call_count == 1

    def test_brute_force_per_account_is_stopped_and_expires(self, client, tenant_user, frozen_clock):
        for _ in range(5):
            assert FAILED in login(client, EMAIL, "falsch").content.decode()
        locked = login(client, EMAIL)
        assert "Too many attempts" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        # Unknown addresses lock the same way (no hint which addresses exist).
        for _ in range(5):
            login(client, "niemand@example.org", "falsch")
        assert "Too many attempts" in login(client, "niemand@example.org", "falsch").content.decode()
        frozen_clock.advance(15 * 60 + 1)
        assert login(client, EMAIL).url == url("dashboard")

    def test_brute_force_per_ip_is_stopped_and_expires(self, client, tenant_user, frozen_clock):
        for number in range(30):
            login(client, f"rate{number}@example.org", "falsch")
        assert "Too many attempts" in login(client, EMAIL).content.decode()
        other_ip = client.post(LOGIN_URL, {"email": EMAIL, "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
        assert other_ip.status_code == 302
        client.logout()
        frozen_clock.advance(15 * 60 + 1)
        assert login(client, EMAIL).url == url("dashboard")

    def test_user_with_a_device_goes_to_the_second_factor_not_logged_in(self, client, tenant_user):
        TOTPDevice.objects.create(user=tenant_user, name="app", confirmed=True)
        response = login(client, EMAIL)
        assert response.url == url("two_factor_verify")
        assert "_auth_user_id" not in client.session
        assert client.get(url("account")).url.startswith(LOGIN_URL)

    def test_company_requiring_two_factor_leads_to_setup(self, client, tenant_user, company):
        Company.objects.filter(pk=company.pk).update(two_factor_policy=Company.TwoFactorPolicy.REQUIRED)
        response = login(client, EMAIL)
        assert response.url.startswith(url("two_factor_setup"))
        assert client.get(url("account")).url.startswith(url("two_factor_setup"))


class TestLogout:
    def test_logout_needs_a_post(self, client, tenant_user):
        login(client, EMAIL)
        page = client.get(url("logout"))
        assert page.status_code == 200
        assert "_auth_user_id" in client.session
        response = client.post(url("logout"))
        assert response.url == LOGIN_URL
        assert "_auth_user_id" not in client.session

    def test_logout_everywhere_ends_other_sessions(self, client, tenant_user):
        other = client.__class__()
        login(client, EMAIL)
        login(other, EMAIL)
        assert other.get(url("account")).status_code == 200
        assert client.get(url("logout_everywhere")).status_code == 200
        response = client.post(url("logout_everywhere"))
        assert response.url == LOGIN_URL
        assert client.get(url("account")).url.startswith(LOGIN_URL)
        assert other.get(url("account")).url.startswith(LOGIN_URL)
        assert "_auth_user_id" not in other.session
        # A new login works again.
        login(other, EMAIL)
        assert other.get(url("account")).status_code == 200


class TestPasswordReset:
    def test_reset_by_mail_link(self, client, tenant_user):
        stale = client.__class__()
        login(stale, EMAIL)
        response = client.post(url("password_reset"), {"email": EMAIL})
        assert response.status_code == 200
        (message,) = mails_to(EMAIL)
        path = mail_link(message, "/portal/password/reset/")
        form = client.get(path, follow=True)
        assert form.redirect_chain[-1][0].endswith("/set-password/")
        assert b'autocomplete="new-password"' in form.content
        new = "Neues-Passwort-fuer-2025"
        response = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
        assert response.url == LOGIN_URL
        assert stale.get(url("account")).url.startswith(LOGIN_URL)
        assert FAILED in login(client, EMAIL).content.decode()
        assert login(client, EMAIL, new).url == url("dashboard")
        assert mails_to(EMAIL)[-1].subject.endswith("changed")
        # The link works once.
        assert b"not valid any more" in client.get(path, follow=True).content

    def test_same_answer_for_known_and_unknown_addresses(self, client, tenant_user):
        known = client.post(url("password_reset"), {"email": EMAIL})
        unknown = client.post(url("password_reset"), {"email": "niemand@example.org"})
        assert without_csrf(known.content).replace(EMAIL.encode(), b"X") == without_csrf(
            unknown.content
        ).replace(b"niemand@example.org", b"X")
        assert [m.to for m in mail.outbox] == [[EMAIL]]

    def test_reset_requests_are_limited_and_the_limit_expires(self, client, tenant_user, frozen_clock):
        for _ in range(3):
            client.post(url("password_reset"), {"email": EMAIL})
        locked = client.post(url("password_reset"), {"email": EMAIL})
        assert "Too many attempts" in locked.content.decode()
        assert len(mail.outbox) == 3
        frozen_clock.advance(15 * 60 + 1)
        client.post(url("password_reset"), {"email": EMAIL})
        assert len(mail.outbox) == 4

    def test_reset_confirms_an_unverified_address(self, client, db):
        user = UserFactory(username="neu@example.org", email="neu@example.org")
        account = PortalAccount.objects.create(user=user)
        client.post(url("password_reset"), {"email": "neu@example.org"})
        path = mail_link(mail.outbox[-1], "/portal/password/reset/")
        form_url = client.get(path).url
        client.post(
            form_url,
            {"new_password1": "Neues-Passwort-fuer-2025", "new_password2": "Neues-Passwort-fuer-2025"},
        )
        account.refresh_from_db()
        assert account.email_verified_at is not None


class TestPasswordChange:
    def test_change_keeps_this_session_and_ends_the_others(self, client, tenant_user):
        other = client.__class__()
        login(client, EMAIL)
        login(other, EMAIL)
        new = "Ganz-neues-Passwort-77"
        response = client.post(
            url("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.url == url("account")
        assert client.get(url("account")).status_code == 200
        assert other.get(url("account")).url.startswith(LOGIN_URL)
        tenant_user.refresh_from_db()
        assert tenant_user.check_password(new)

    def test_wrong_old_password(self, client, tenant_user):
        login(client, EMAIL)
        response = client.post(
            url("password_change"),
            {"old_password": "falsch", "new_password1": "A-b-c-d-e-f-1", "new_password2": "A-b-c-d-e-f-1"},
        )
        assert response.status_code == 200
        assert b"tp-error-summary" in response.content
        tenant_user.refresh_from_db()
        assert tenant_user.check_password(PASSWORD)


class TestPortalState:
    def state_after_login(self, client, email=EMAIL):
        login(client, email)
        return session_state(client)

    def test_states_in_order(self, client, tenant, company):
        _, contract = tenant
        user = verified_tenant(contract, email=EMAIL, checked=False)
        account = user.tenantportal_account
        assert session_state(client) == session.ANONYMOUS
        assert self.state_after_login(client) == session.CONTACT_CHECK_REQUIRED

        PortalAccount.objects.filter(pk=account.pk).update(email_verified_at=None)
        assert session_state(client) == session.EMAIL_UNVERIFIED
        PortalAccount.objects.filter(pk=account.pk).update(email_verified_at=timezone.now())

        AccountParty.objects.filter(account=account).update(active=False)
        claim = RegistrationClaim.objects.create(
            account=account,
            company=company,
            first_name="E",
            last_name="M",
            street="s",
            postal_code="1",
            city="c",
        )
        assert session_state(client) == session.PENDING_MATCH
        RegistrationClaim.objects.filter(pk=claim.pk).update(status=RegistrationClaim.Status.MATCHED)
        assert session_state(client) == session.ACTIVATION_REQUIRED
        AccountParty.objects.filter(account=account).update(active=True)

        Company.objects.filter(pk=company.pk).update(two_factor_policy=Company.TwoFactorPolicy.REQUIRED)
        assert session_state(client) == session.TWO_FACTOR_SETUP_REQUIRED
        Company.objects.filter(pk=company.pk).update(two_factor_policy=Company.TwoFactorPolicy.OPTIONAL)

        PortalAccount.objects.filter(pk=account.pk).update(contact_checked_at=timezone.now())
        assert session_state(client) == session.OK

        # A device added elsewhere: this session has not passed it.
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        assert session_state(client) == session.ANONYMOUS

    def test_is_portal_verified_and_decorator(self, client, tenant_user):
        login(client, EMAIL)
        request = RequestFactory().get("/x/")
        request.session = client.session
        request.user = tenant_user
        assert session.is_portal_verified(request)

        @session.portal_login_required
        def view(request):
            from django.http import HttpResponse

            return HttpResponse("ok")

        assert view(request).content == b"ok"
        anonymous = RequestFactory().get("/x/")
        anonymous.session = client.__class__().session
        from django.contrib.auth.models import AnonymousUser

        anonymous.user = AnonymousUser()
        assert not session.is_portal_verified(anonymous)
        assert view(anonymous).url == f"{LOGIN_URL}?next=/x/"

    def test_tenant_for_with_force_login_is_a_full_portal_session(self, client, tenant):
        from tests.factories import tenant_for

        user, _party = tenant_for(tenant[1])
        client.force_login(user)
        assert client.get(url("account")).status_code == 200


class TestConsents:
    def test_e_delivery_can_be_given_and_withdrawn(self, client, tenant_user):
        from wagtail_tenantportal.accounts.models import Consent

        login(client, EMAIL)
        page = client.get(url("consents"))
        assert b'name="e_delivery"' in page.content
        client.post(url("consents"), {"e_delivery": "on"})
        current = Consent.objects.current().filter(kind="e_delivery")
        assert current.get().version == "1"
        client.post(url("consents"), {})
        assert not current.exists()
        assert Consent.objects.filter(kind="e_delivery", withdrawn_at__isnull=False).count() == 1
