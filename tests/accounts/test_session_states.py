"""accounts.auth, to the letter: how a session's state is computed, the one way in, the ways out.

The order of the states (``tests/accounts/test_login.py::TestPortalState``) and the guards
(``tests/core/test_session.py``) are tested elsewhere; this module pins what mutation testing
(issue 17, ``make mutation``) needs: each condition of ``_compute_state`` on its own, the
session epoch, ``complete_login``'s expiry, device and bookkeeping, and the helpers.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import auth
from wagtail_tenantportal.accounts.flows import PENDING_VERIFICATION_SESSION_KEY
from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount, RegistrationClaim
from wagtail_tenantportal.core import session
from wagtail_tenantportal.tenancy.models import Company

from .flow_helpers import verified_tenant

pytestmark = pytest.mark.django_db


def request_for(user=None, **session_data):
    request = RequestFactory().get("/portal/")
    request.session = SessionStore()
    request.session.update(session_data)
    request.user = user or AnonymousUser()
    return request


def logged_in(user, device=None, **kwargs):
    request = request_for()
    auth.complete_login(request, user, device=device, **kwargs)
    return request


@pytest.fixture
def tenant_user(tenant):
    return verified_tenant(tenant[1], email="erika@example.org")


def state(request):
    """The state computed anew, as on the next request (which loads the account again)."""
    session.forget_state(request)
    user = getattr(request, "user", None)
    if user is not None and hasattr(user, "_state"):
        user._state.fields_cache.pop("tenantportal_account", None)
    return auth.AccountStateResolver().compute_state(request)


def claim_for(account, company, status=RegistrationClaim.Status.PENDING, **kwargs):
    return RegistrationClaim.objects.create(
        account=account,
        company=company,
        status=status,
        first_name="E",
        last_name="M",
        street="s",
        postal_code="1",
        city="c",
        **kwargs,
    )


# -- helpers ---------------------------------------------------------------------------------------


def test_get_account(tenant_user):
    assert auth.get_account(object()) is None  # not a user at all
    assert auth.get_account(None) is None
    assert auth.get_account(AnonymousUser()) is None
    assert auth.get_account(UserFactory()) is None
    assert auth.get_account(tenant_user) == PortalAccount.objects.get(user=tenant_user)


def test_the_two_factor_module_only_with_django_otp(monkeypatch):
    from django.apps import apps

    from wagtail_tenantportal.accounts.twofactor import services

    assert auth.twofactor_module() is services
    is_installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "django_otp" and is_installed(name))
    assert auth.twofactor_module() is None
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    assert auth.user_has_device(user) is False
    assert auth.policy_requires_two_factor(user) is False


def test_device_and_policy_answers_are_bools(tenant_user, company):
    assert auth.user_has_device(tenant_user) is False
    TOTPDevice.objects.create(user=tenant_user, name="app", confirmed=True)
    assert auth.user_has_device(tenant_user) is True
    assert auth.policy_requires_two_factor(tenant_user) is False
    Company.objects.filter(pk=company.pk).update(two_factor_policy=Company.TwoFactorPolicy.REQUIRED)
    assert auth.policy_requires_two_factor(tenant_user) is True


def test_with_several_backends_the_first_logs_in_a_user_checked_by_the_portal(settings, tenant_user):
    # The portal checks passwords itself (no authenticate(), so no user.backend): Django's
    # login() needs the backend named when more than one is configured.
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "django.contrib.auth.backends.AllowAllUsersModelBackend",
    ]
    assert not hasattr(tenant_user, "backend")
    request = logged_in(tenant_user)
    assert request.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


def test_the_login_backend(settings, tenant_user):
    settings.AUTHENTICATION_BACKENDS = ["tests.first.Backend", "django.contrib.auth.backends.ModelBackend"]
    assert auth._login_backend(tenant_user) == "tests.first.Backend"
    tenant_user.backend = "django.contrib.auth.backends.ModelBackend"
    assert auth._login_backend(tenant_user) == "django.contrib.auth.backends.ModelBackend"


# -- complete_login ---------------------------------------------------------------------------------


def test_complete_login_starts_a_fresh_session_that_ends_with_the_browser(tenant_user, settings):
    request = request_for(**{PENDING_VERIFICATION_SESSION_KEY: {"account": 1}, "_tenantportal_state": "x"})
    before = request.session.session_key
    request._tenantportal_state = "anonymous"
    auth.complete_login(request, tenant_user)
    assert request.session.session_key != before
    assert request.session["_auth_user_id"] == str(tenant_user.pk)
    assert request.session["_auth_user_backend"] == settings.AUTHENTICATION_BACKENDS[0]
    assert PENDING_VERIFICATION_SESSION_KEY not in request.session
    assert request.session.get_expire_at_browser_close()
    assert request.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert not hasattr(request, "_tenantportal_state")  # forgotten: computed anew
    assert request.session[auth.EPOCH_SESSION_KEY] == 0
    account = PortalAccount.objects.get(user=tenant_user)
    assert account.last_login_at is not None
    assert timezone.now() - account.last_login_at < timezone.timedelta(minutes=1)
    assert "otp_device_id" not in request.session


def test_remember_keeps_the_session_for_the_configured_time(tenant_user, settings):
    settings.WAGTAIL_TENANTPORTAL = {"REMEMBER_ME_SECONDS": 3601}
    request = logged_in(tenant_user, remember=True)
    assert not request.session.get_expire_at_browser_close()
    assert request.session.get_expiry_age() == 3601


def test_a_device_verifies_the_session(tenant_user):
    device = TOTPDevice.objects.create(user=tenant_user, name="app", confirmed=True)
    request = logged_in(tenant_user, device=device)
    assert request.session["otp_device_id"] == device.persistent_id
    request.user = tenant_user
    from django_otp.middleware import OTPMiddleware

    OTPMiddleware(lambda r: None)(request)
    assert request.user.is_verified()
    assert state(request) == session.OK


def test_the_session_carries_the_accounts_epoch(tenant_user):
    account = PortalAccount.objects.get(user=tenant_user)
    auth.bump_session_epoch(account)
    auth.bump_session_epoch(account)
    request = logged_in(tenant_user)
    assert request.session[auth.EPOCH_SESSION_KEY] == 2


def test_a_user_without_portal_account_is_logged_in_without_epoch(db):
    staff = UserFactory()
    request = logged_in(staff)
    assert request.session["_auth_user_id"] == str(staff.pk)
    assert auth.EPOCH_SESSION_KEY not in request.session


def test_a_backend_set_by_authenticate_is_kept(tenant_user, settings):
    tenant_user.backend = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "django.contrib.auth.backends.AllowAllUsersModelBackend",
    ]
    request = logged_in(tenant_user)
    assert request.session["_auth_user_backend"] == "django.contrib.auth.backends.AllowAllUsersModelBackend"


# -- the ways out -------------------------------------------------------------------------------


def test_logout_flushes_and_forgets(tenant_user):
    request = logged_in(tenant_user)
    request.user = tenant_user
    request._tenantportal_state = "ok"
    auth.logout(request)
    assert "_auth_user_id" not in request.session
    assert not hasattr(request, "_tenantportal_state")
    assert request.user.is_anonymous


def test_logout_everywhere_raises_the_epoch(tenant_user):
    other = logged_in(tenant_user)
    other.user = tenant_user
    this = logged_in(tenant_user)
    this.user = tenant_user
    auth.logout_everywhere(this)
    assert PortalAccount.objects.get(user=tenant_user).session_epoch == 1
    assert "_auth_user_id" not in this.session
    assert state(other) == session.ANONYMOUS  # the older epoch is over
    assert "_auth_user_id" not in other.session  # and logged out while computing


def test_logout_everywhere_of_a_user_without_account(db):
    staff = UserFactory()
    request = logged_in(staff)
    request.user = staff
    auth.logout_everywhere(request)
    assert "_auth_user_id" not in request.session


def test_bump_and_restamp(tenant_user):
    account = PortalAccount.objects.get(user=tenant_user)
    account.phone = "0341 1"  # a change the caller has not saved yet stays
    assert auth.bump_session_epoch(account) == 1
    assert account.session_epoch == 1
    assert account.phone == "0341 1"
    assert auth.bump_session_epoch(account) == 2
    request = logged_in(tenant_user)
    request.user = tenant_user
    auth.bump_session_epoch(account)
    assert state(request) == session.ANONYMOUS
    request = logged_in(tenant_user)
    request.user = tenant_user
    auth.bump_session_epoch(account)
    request._tenantportal_state = "anonymous"
    auth.restamp_session(request, account)
    assert request.session[auth.EPOCH_SESSION_KEY] == 4
    assert not hasattr(request, "_tenantportal_state")
    assert state(request) == session.OK


# -- each condition of the state, alone -----------------------------------------------------------


def full(user):
    request = logged_in(user)
    request.user = user
    return request


def test_ok_needs_all_of_it(tenant_user):
    assert state(full(tenant_user)) == session.OK


def test_no_user_no_account_or_inactive_is_anonymous(tenant_user):
    assert state(request_for()) == session.ANONYMOUS
    request = request_for(None)
    request.user = None
    assert state(request) == session.ANONYMOUS
    staff = UserFactory()
    assert state(full(staff)) == session.ANONYMOUS
    request = full(tenant_user)
    tenant_user.is_active = False
    assert state(request) == session.ANONYMOUS


def test_a_session_without_epoch_counts_as_epoch_zero(tenant_user):
    request = request_for(tenant_user)  # e.g. logged in by the Wagtail admin's login
    assert state(request) == session.OK
    account = PortalAccount.objects.get(user=tenant_user)
    auth.bump_session_epoch(account)
    assert state(request) == session.ANONYMOUS


def test_a_device_not_passed_in_this_session_is_anonymous(tenant_user):
    request = full(tenant_user)
    TOTPDevice.objects.create(user=tenant_user, name="app", confirmed=True)
    assert state(request) == session.ANONYMOUS
    tenant_user.is_verified = lambda: True
    assert state(request) == session.OK
    tenant_user.is_verified = lambda: False
    assert state(request) == session.ANONYMOUS


def test_session_verified_needs_is_verified_true():
    class NoOtp:
        pass

    request = RequestFactory().get("/")
    assert auth._session_verified(request, NoOtp()) is False
    user = NoOtp()
    user.is_verified = lambda: 1
    assert auth._session_verified(request, user) is True
    user.is_verified = lambda: None
    assert auth._session_verified(request, user) is False


def test_a_request_without_a_user_is_anonymous():
    request = RequestFactory().get("/")  # no AuthenticationMiddleware ran
    request.session = SessionStore()
    assert state(request) == session.ANONYMOUS


def test_an_unconfirmed_address(tenant_user):
    PortalAccount.objects.filter(user=tenant_user).update(email_verified_at=None)
    assert state(full(tenant_user)) == session.EMAIL_UNVERIFIED


def test_claims_without_an_active_party(tenant_user, company):
    account = PortalAccount.objects.get(user=tenant_user)
    AccountParty.objects.filter(account=account).update(active=False)
    # no claim at all: on to the next checks (the account sees nothing, but is a session)
    assert state(full(tenant_user)) == session.OK
    pending = claim_for(account, company)
    assert state(full(tenant_user)) == session.PENDING_MATCH
    matched = claim_for(account, company, status=RegistrationClaim.Status.MATCHED)
    assert state(full(tenant_user)) == session.ACTIVATION_REQUIRED  # matched wins over pending
    RegistrationClaim.objects.filter(pk=matched.pk).update(activated_at=timezone.now())
    assert state(full(tenant_user)) == session.PENDING_MATCH  # activated claims do not count
    RegistrationClaim.objects.filter(pk=pending.pk).update(status=RegistrationClaim.Status.REJECTED)
    assert state(full(tenant_user)) == session.PENDING_MATCH  # a rejected claim: still waiting to be seen
    RegistrationClaim.objects.filter(pk=pending.pk).update(activated_at=timezone.now())
    assert state(full(tenant_user)) == session.OK


def test_claims_do_not_matter_with_an_active_party(tenant_user, company):
    account = PortalAccount.objects.get(user=tenant_user)
    claim_for(account, company, status=RegistrationClaim.Status.MATCHED)
    assert state(full(tenant_user)) == session.OK


def test_a_company_requiring_two_factor(tenant_user, company):
    Company.objects.filter(pk=company.pk).update(two_factor_policy=Company.TwoFactorPolicy.REQUIRED)
    assert state(full(tenant_user)) == session.TWO_FACTOR_SETUP_REQUIRED
    device = TOTPDevice.objects.create(user=tenant_user, name="app", confirmed=True)
    assert state(logged_in_with(tenant_user, device)) == session.OK


def logged_in_with(user, device):
    request = logged_in(user, device=device)
    request.user = user
    user.is_verified = lambda: True
    return request


def test_the_contact_check(tenant_user):
    PortalAccount.objects.filter(user=tenant_user).update(contact_checked_at=None)
    assert state(full(tenant_user)) == session.CONTACT_CHECK_REQUIRED


def test_the_resolver_reports_a_pending_second_factor(tenant_user, monkeypatch):
    from wagtail_tenantportal.accounts.twofactor import services

    resolver = auth.AccountStateResolver()
    request = request_for()
    assert resolver.two_factor_pending(request) is False
    services.begin_second_factor(request, tenant_user)
    assert resolver.two_factor_pending(request) is True
    request.session[services.PENDING_SESSION_KEY]["at"] = 0  # long expired
    assert resolver.two_factor_pending(request) is False
    monkeypatch.setattr(auth, "twofactor_module", lambda: None)
    assert resolver.two_factor_pending(request_for()) is False


def test_the_state_is_cached_by_the_core(tenant_user):
    request = full(tenant_user)
    assert session.portal_state(request) == session.OK
    PortalAccount.objects.filter(user=tenant_user).update(contact_checked_at=None)
    tenant_user._state.fields_cache.pop("tenantportal_account", None)
    assert session.portal_state(request) == session.OK
    session.forget_state(request)
    assert session.portal_state(request) == session.CONTACT_CHECK_REQUIRED
