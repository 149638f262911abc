# ruff: noqa: F811  (fixtures imported from twofactor_helpers)
"""A session that passed the password but not the second factor sees nothing and expires;
brute force of codes is stopped and the lockout expires; login-restricted Wagtail pages and
documents accept only fully verified sessions."""

import itertools
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLResolver, reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction, Site

from tests.accounts.twofactor_helpers import (  # noqa: F401  (fixtures)
    ACCOUNT_URL,
    ADMIN_SETUP,
    ADMIN_VERIFY,
    LANDING_URL,
    LOGIN_URL,
    SETUP_URL,
    VERIFY_URL,
    clock,
    confirmed_totp,
    is_logged_in,
    now_code,
    password_step,
    path_of,
    staff,
    user,
    wrong_code,
)
from tests.testapp.models import HostPage
from wagtail_tenantportal import urls as portal_urls
from wagtail_tenantportal.accounts.twofactor import services as twofactor
from wagtail_tenantportal.tenancy.models import Company

#: Pages anybody may open (forms of the login and registration); they show no account data.
PUBLIC_URL_NAMES = {
    # the REST API's root, schema and docs, and its endpoints anybody may call
    "api:root",
    "api:schema",
    "api:docs",
    "api:docs_swagger",
    "api:auth_session",
    "api:auth_csrf",
    "api:register_companies",
    "login",
    "home",  # /portal/ leads to the overview (itself checked below), which asks to log in
    "theme_css",  # the site's colours, the same for everybody
    "register",
    "register_done",
    "request_code",
    "verify_email",
    "verify_email_code",
    "resend_verification",
    "password_reset",
    "password_reset_confirm",
    "two_factor_verify",
    "logout",
}


#: Values tried for URL arguments (the objects need not exist): ids, tokens, references.
SAMPLE_ARGUMENTS = ["1", "x", "2024-000001", str(uuid.UUID(int=1)), "abc-123"]


def all_portal_urls():
    """(name, path) of every URL of the portal, with placeholder arguments."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                name = f"{namespace}{pattern.name}"
                found.append((name, _reverse(pattern, name)))

    walk(portal_urls.urlpatterns)
    return found


def _reverse(pattern, name):
    keys = list(pattern.pattern.regex.groupindex)
    for values in itertools.product(SAMPLE_ARGUMENTS, repeat=len(keys)):
        try:
            return reverse(f"wagtail_tenantportal:{name}", kwargs=dict(zip(keys, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample argument fits {pattern.name}: extend SAMPLE_ARGUMENTS")


@pytest.fixture
def private_page(db):
    """A page under the default site's root that only logged-in visitors may see."""
    root = Site.objects.get(is_default_site=True).root_page
    page = root.add_child(
        instance=HostPage(title="Nur für Mitglieder", slug="mitglieder", body="<p>Intern</p>")
    )
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


@pytest.fixture
def private_document(db, settings, tmp_path):
    """A document in a collection that only logged-in visitors may download."""
    settings.MEDIA_ROOT = str(tmp_path)
    collection = Collection.get_first_root_node().add_child(name="Mitgliederbereich")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = get_document_model().objects.create(
        title="Hausordnung",
        collection=collection,
        file=ContentFile(b"%PDF-1.4 intern", name="hausordnung.pdf"),
    )
    return reverse("wagtaildocs_serve", args=(document.id, document.filename))


@pytest.fixture
def frontend_login(settings):
    settings.WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL


@pytest.fixture
def pending(client, user, clock):
    """``client`` after a correct password of a user with an authenticator app."""
    device = confirmed_totp(user)
    response = password_step(client, user)
    assert path_of(response) == VERIFY_URL
    return device


class TestHalfLoggedIn:
    def test_the_session_is_not_logged_in(self, client, user, pending):
        assert not is_logged_in(client)
        assert twofactor.PENDING_SESSION_KEY in client.session

    def test_the_login_page_does_not_lead_into_the_portal(self, client, pending):
        response = client.get(LOGIN_URL)
        assert response.status_code == 200  # the login form again, no redirect to the account
        assert b'name="password"' in response.content

    def test_no_portal_url_shows_anything(self, client, user, tenant, pending):
        party, contract = tenant
        urls = all_portal_urls()
        assert len(urls) >= 20
        for name, path in urls:
            response = client.get(path)
            assert not is_logged_in(client), name
            content = response.content.decode()
            assert contract.number not in content, name
            assert user.tenantportal_account.party_links.get().party.last_name not in content, name
            if name not in PUBLIC_URL_NAMES:
                # Led to the login (or the pending code entry), or nothing there for this
                # session; the REST API answers 401 (not logged in) instead of redirecting.
                allowed = (401, 404, 405) if name.startswith("api:") else (302, 403, 404)
                assert response.status_code in allowed, (name, response.status_code)
                if response.status_code == 302:
                    assert path_of(response) in (LOGIN_URL, VERIFY_URL), (name, response["Location"])

    def test_a_login_restricted_wagtail_page_is_not_reachable(
        self, client, private_page, frontend_login, pending
    ):
        response = client.get(private_page.url)
        assert response.status_code == 302 and path_of(response) == LOGIN_URL
        assert "Intern" not in response.content.decode()

    def test_a_download_from_a_restricted_collection_is_refused(self, client, private_document, pending):
        response = client.get(private_document)
        assert response.status_code == 302
        assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))

    def test_after_the_code_everything_opens(self, client, private_page, private_document, pending):
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(pending)})
        assert path_of(response) == LANDING_URL
        assert client.get(ACCOUNT_URL).status_code == 200
        assert client.get(private_page.url).status_code == 200
        assert client.get(private_document).status_code == 200

    def test_the_pending_login_expires(self, client, user, pending, clock):
        clock.tick(301)  # TWO_FACTOR_PENDING_SECONDS
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(pending)})
        assert path_of(response) == LOGIN_URL
        assert not is_logged_in(client)
        assert twofactor.PENDING_SESSION_KEY not in client.session
        page = client.get(LOGIN_URL)
        assert "took too long" in page.content.decode()

    def test_a_password_change_ends_the_pending_login(self, client, user, pending):
        user.set_password("ein-ganz-anderes-Passwort-7")
        user.save()
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(pending)})
        assert path_of(response) == LOGIN_URL and not is_logged_in(client)


class TestBruteForce:
    def test_wrong_codes_are_stopped_and_the_lockout_expires(self, client, user, pending, clock):
        device = pending
        bad = wrong_code(device)
        for attempt in range(10):  # two_factor_user: 10 failures in 15 minutes
            response = client.post(VERIFY_URL, {"method": "totp", "code": bad})
            assert not is_logged_in(client)
            # django-otp delays the next attempt 1, 2, 4, ... seconds; wait it out.
            clock.tick(2**attempt)
            # The pending login lasts 5 minutes: log in with the password again when needed.
            if twofactor.PENDING_SESSION_KEY not in client.session or attempt in (7, 8, 9):
                password_step(client, user)
        assert "Too many attempts" in response.content.decode()
        assert twofactor.attempts_locked_for(user) > 0
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        assert not is_logged_in(client)  # even the right code while locked out
        assert "Too many attempts" in response.content.decode()

        clock.tick(15 * 60 + 1)
        password_step(client, user)
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        assert path_of(response) == LANDING_URL and is_logged_in(client)

    def test_django_otp_throttles_each_device(self, client, user, pending, clock):
        device = pending
        client.post(VERIFY_URL, {"method": "totp", "code": wrong_code(device)})
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        assert "Please wait" in response.content.decode() and not is_logged_in(client)
        clock.tick(1)
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(device)})
        assert path_of(response) == LANDING_URL

    def test_many_users_from_one_address_are_stopped(self, client, tenant, clock, settings):
        from tests.accounts.flow_helpers import verified_tenant

        settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"two_factor_ip": {"limit": 3}}}
        _party, contract = tenant
        users = [verified_tenant(contract, email=f"mieter{i}@example.org") for i in range(4)]
        devices = [confirmed_totp(u) for u in users]
        for u, d in zip(users[:3], devices[:3], strict=True):
            password_step(client, u)
            client.post(VERIFY_URL, {"method": "totp", "code": wrong_code(d)})
        password_step(client, users[3])
        response = client.post(VERIFY_URL, {"method": "totp", "code": now_code(devices[3])})
        assert "Too many attempts" in response.content.decode() and not is_logged_in(client)


class TestPagePrivacy:
    def test_anonymous_visitors_go_to_the_portal_login(self, client, private_page, frontend_login):
        response = client.get(private_page.url)
        assert path_of(response) == LOGIN_URL

    def test_a_tenant_who_must_set_up_two_factor_is_led_there(
        self, client, user, company, private_page, frontend_login
    ):
        company.two_factor_policy = Company.TwoFactorPolicy.REQUIRED
        company.save()
        password_step(client, user)
        assert is_logged_in(client)
        response = client.get(private_page.url)
        assert path_of(response) == SETUP_URL

    def test_a_verified_tenant_sees_the_page(self, client, user, private_page):
        password_step(client, user)
        response = client.get(private_page.url)
        assert response.status_code == 200 and "Intern" in response.content.decode()

    def test_a_user_without_portal_account_is_not_let_in(self, client, db, private_page, frontend_login):
        from tests.factories import UserFactory

        client.force_login(UserFactory())
        response = client.get(private_page.url)
        assert response.status_code == 302

    def test_staff_with_a_verified_session_see_the_page(self, client, private_page, clock):
        member = staff()
        device = confirmed_totp(member)
        client.force_login(member)
        response = client.get(private_page.url)
        assert path_of(response) == ADMIN_VERIFY  # a device, but this session has not used it
        client.post(ADMIN_VERIFY, {"method": "totp", "code": now_code(device)})
        assert client.get(private_page.url).status_code == 200

    def test_staff_without_device_under_required_must_set_one_up(self, client, private_page, settings):
        settings.WAGTAIL_TENANTPORTAL = {"STAFF_TWO_FACTOR": "required"}
        client.force_login(staff())
        assert path_of(client.get(private_page.url)) == ADMIN_SETUP
