"""Staff admin of "verify later" registrations (match, reject, activation letter) and of portal
accounts (parties, consents, two-factor, actions): for staff with the permissions, refused
otherwise; every action writes an audit-log entry; listing queries do not grow with the rows."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.accounts.flow_helpers import claim_form_data, login, verified_tenant
from tests.accounts.twofactor_helpers import backup_codes, confirmed_email_device, confirmed_totp
from tests.factories import CompanyFactory, ContractFactory, UserFactory
from wagtail_tenantportal.accounts import flows, staff
from wagtail_tenantportal.accounts.models import (
    AccountParty,
    Consent,
    PortalAccount,
    RegistrationClaim,
    RegistrationCode,
)
from wagtail_tenantportal.tenancy.models import Company, Contract

from .conftest import make_tenant, pdf_pages

pytestmark = pytest.mark.django_db

CLAIMS = "/admin/tenantportal/registrations/"
ACCOUNTS = "/admin/tenantportal/accounts/"


def log_entries(action, **filters):
    return ModelLogEntry.objects.filter(action=action, **filters)


@pytest.fixture
def verify_later(company):
    company.registration_flow = Company.RegistrationFlow.VERIFY_LATER
    company.save()
    return company


@pytest.fixture
def claim(verify_later):
    """A confirmed "verify later" registration of Jonas Becker, Lindenstraße 7, waiting for a match."""
    Client().post("/portal/register/", claim_form_data(verify_later, "jonas@example.org"))
    claim = RegistrationClaim.objects.get()
    PortalAccount.objects.filter(pk=claim.account_id).update(email_verified_at=timezone.now())
    mail.outbox.clear()
    return RegistrationClaim.objects.select_related("account__user").get()


@pytest.fixture
def becker(verify_later):
    """The party Jonas Becker on a current contract of the company (the right match)."""
    return make_tenant(verify_later, last_name="Becker", first_name="Jonas", street="Lindenstraße 7")


def refused(response):
    """Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def staff_with(*codenames):
    """A staff user who may use the admin and has exactly the given accounts permissions; the
    user works for every company there is yet (``core.scope``)."""
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name="-".join(codenames) or "none")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="tenantportal_accounts", codename=codename)
        )
    group.tenantportal_companies.set(Company.objects.all())
    user.groups.add(group)
    return user


class TestRegistrationsToMatch:
    def test_listing_shows_waiting_registrations_first(self, staff_client, claim, verify_later):
        other = RegistrationClaim.objects.create(
            account=PortalAccount.objects.create(user=UserFactory()),
            company=verify_later,
            first_name="Noch",
            last_name="Unbestätigt",
            street="Weg 1",
            postal_code="04109",
            city="Leipzig",
        )
        response = staff_client.get(CLAIMS)
        content = response.content.decode()
        assert response.status_code == 200
        assert content.index("Becker") < content.index("Unbestätigt")
        assert "jonas@example.org" in content
        response = staff_client.get(CLAIMS, {"state": "awaiting"})
        assert "Becker" in response.content.decode() and other.last_name not in response.content.decode()
        response = staff_client.get(CLAIMS, {"state": "unconfirmed"})
        assert "Becker" not in response.content.decode()
        response = staff_client.get(CLAIMS, {"export": "csv"})
        assert response.status_code == 200
        exported = b"".join(response.streaming_content).decode()
        assert "Becker" in exported and "Lindenstraße 7" in exported

    def test_match_searches_only_the_parties_of_the_company(self, staff_client, claim, becker):
        party, contract = becker
        foreign_party, _ = make_tenant(CompanyFactory(), last_name="Becker")
        url = f"{CLAIMS}match/{claim.pk}/"
        response = staff_client.get(url)  # searches the last name entered by default
        assert response.status_code == 200
        candidates = response.context["candidates"]
        assert party in candidates and foreign_party not in candidates
        response = staff_client.get(url, {"q": "Lindenstraße 7"})
        assert party in response.context["candidates"]
        response = staff_client.get(url, {"q": contract.number})
        assert response.context["candidates"] == [party]
        response = staff_client.get(url, {"q": "Niemand"})
        assert response.context["candidates"] == []

    def test_pick_confirm_match_and_print_the_letter(self, staff_client, staff_user, claim, becker):
        party, contract = becker
        url = f"{CLAIMS}match/{claim.pk}/"
        # Picking shows the confirmation; nothing is saved yet.
        response = staff_client.post(url, {"party": party.pk})
        assert response.status_code == 200 and response.context["party"] == party
        claim.refresh_from_db()
        assert claim.status == RegistrationClaim.Status.PENDING
        # Confirming matches and issues the activation code.
        response = staff_client.post(url, {"party": party.pk, "confirm": "1"})
        assert response.status_code == 302 and response["Location"] == f"{CLAIMS}inspect/{claim.pk}/"
        claim.refresh_from_db()
        assert claim.status == RegistrationClaim.Status.MATCHED and claim.party == party
        assert claim.decided_by == staff_user
        assert log_entries(flows.ACTION_CLAIM_MATCHED, user=staff_user).count() == 1
        assert [m.to for m in mail.outbox] == [["jonas@example.org"]]
        inspect = staff_client.get(response["Location"]).content.decode()
        assert f"{CLAIMS}print/{claim.pk}/" in inspect
        # Printing issues a fresh code (the first one is revoked) and gives a PDF for the party's address.
        first_code = claim.code
        assert staff_client.get(f"{CLAIMS}print/{claim.pk}/").status_code == 200
        response = staff_client.post(f"{CLAIMS}print/{claim.pk}/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        (page,) = pdf_pages(b"".join(response.streaming_content))
        assert "Becker" in page and "Lindenstraße 7" in page and contract.number in page
        assert "freischaltcode" in page.lower()  # the letter is in LETTER_LANGUAGE (German)
        claim.refresh_from_db()
        first_code.refresh_from_db()
        assert first_code.revoked_at is not None and claim.code != first_code
        assert claim.code.letter_printed_at is not None and claim.code.is_active
        assert log_entries(staff.ACTION_ACTIVATION_LETTER, user=staff_user).count() == 1

    def test_the_printed_code_activates_the_account(self, client, staff_user, claim, becker):
        party, _contract = becker
        flows.match_claim(claim, party, staff_user)
        claim.refresh_from_db()
        import io

        from wagtail_tenantportal.accounts import codes

        out = io.BytesIO()
        record = staff.print_activation_letter(claim, out, user=staff_user)
        text = pdf_pages(out.getvalue())[0]
        printed = next(
            line for line in text.splitlines() if codes.is_well_formed(codes.normalise(line.strip()))
        )
        assert record.hint in printed.replace("-", "")
        link = flows.activate_with_code(claim.account, printed.strip())
        assert link.party == party and link.active

    def test_a_party_of_another_company_cannot_be_matched(self, staff_client, claim):
        foreign_party, _ = make_tenant(CompanyFactory(), last_name="Becker")
        response = staff_client.post(
            f"{CLAIMS}match/{claim.pk}/", {"party": foreign_party.pk, "confirm": "1"}
        )
        assert response.status_code == 302
        claim.refresh_from_db()
        assert claim.status == RegistrationClaim.Status.PENDING and claim.party is None

    def test_reject_with_a_reason(self, staff_client, staff_user, claim):
        url = f"{CLAIMS}reject/{claim.pk}/"
        response = staff_client.post(url, {"reason": ""})
        assert response.status_code == 200 and response.context["form"].errors
        claim.refresh_from_db()
        assert claim.status == RegistrationClaim.Status.PENDING
        response = staff_client.post(url, {"reason": "Keine Mieterin dieses Namens."})
        assert response.status_code == 302
        claim.refresh_from_db()
        assert (
            claim.status == RegistrationClaim.Status.REJECTED
            and claim.note == "Keine Mieterin dieses Namens."
        )
        assert log_entries(flows.ACTION_CLAIM_REJECTED, user=staff_user).count() == 1
        assert [m.to for m in mail.outbox] == [["jonas@example.org"]]
        # A decided registration cannot be matched any more.
        response = staff_client.post(f"{CLAIMS}match/{claim.pk}/", {"party": 1, "confirm": "1"})
        assert response.status_code == 302
        assert RegistrationClaim.objects.get().status == RegistrationClaim.Status.REJECTED

    def test_refused_without_permission(self, client, claim, becker):
        party, _ = becker
        viewer = staff_with("view_registrationclaim")
        client.force_login(viewer)
        assert client.get(CLAIMS).status_code == 200
        for url in (
            f"{CLAIMS}match/{claim.pk}/",
            f"{CLAIMS}reject/{claim.pk}/",
            f"{CLAIMS}print/{claim.pk}/",
        ):
            assert refused(client.get(url)), url
        assert refused(client.post(f"{CLAIMS}match/{claim.pk}/", {"party": party.pk, "confirm": "1"}))
        assert refused(client.post(f"{CLAIMS}reject/{claim.pk}/", {"reason": "x"}))
        assert RegistrationClaim.objects.get().status == RegistrationClaim.Status.PENDING

    def test_refused_for_non_staff(self, client, claim, becker):
        party, contract = becker
        client.force_login(verified_tenant(contract))
        for url in (CLAIMS, f"{CLAIMS}inspect/{claim.pk}/", f"{CLAIMS}match/{claim.pk}/"):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        response = client.post(f"{CLAIMS}match/{claim.pk}/", {"party": party.pk, "confirm": "1"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert RegistrationClaim.objects.get().status == RegistrationClaim.Status.PENDING


@pytest.fixture
def tenant_user(tenant):
    """A verified tenant with consents, an authenticator app, email codes and backup codes."""
    _party, contract = tenant
    user = verified_tenant(contract, email="erika@example.org")
    account = user.tenantportal_account
    flows.record_consents(account, [Consent.Kind.PRIVACY, Consent.Kind.TERMS])
    confirmed_totp(user)
    confirmed_email_device(user)
    backup_codes(user, count=4)
    return user


class TestPortalAccounts:
    def test_listing_shows_parties_two_factor_and_email_state(self, staff_client, tenant_user):
        party = tenant_user.tenantportal_account.party_links.get().party
        response = staff_client.get(ACCOUNTS)
        content = response.content.decode()
        assert response.status_code == 200
        assert "erika@example.org" in content and party.last_name in content
        assert "authenticator app, codes by email (4 backup codes)" in content
        response = staff_client.get(ACCOUNTS, {"q": party.last_name})
        assert list(response.context["object_list"]) == [tenant_user.tenantportal_account]
        response = staff_client.get(ACCOUNTS, {"email_confirmed": "no"})
        assert "erika@example.org" not in response.content.decode()

    def test_inspect_shows_consents_devices_and_links(self, staff_client, tenant, tenant_user):
        account = tenant_user.tenantportal_account
        response = staff_client.get(f"{ACCOUNTS}inspect/{account.pk}/")
        content = response.content.decode()
        assert response.status_code == 200
        assert "Privacy notice" in content and "Terms of use" in content
        assert response.context["consents"][0].version == "1"
        kinds = {str(device["kind"]) for device in response.context["devices"]}
        assert kinds == {"Authenticator app", "Codes by email", "Backup codes"}
        assert "4 unused codes" in content
        assert f"{ACCOUNTS}link/{account.party_links.get().pk}/deactivate/" in content

    def test_deactivate_a_link(self, client, staff_client, staff_user, tenant, tenant_user):
        _party, contract = tenant
        link = tenant_user.tenantportal_account.party_links.get()
        url = f"{ACCOUNTS}link/{link.pk}/deactivate/"
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url)
        assert response.status_code == 302
        link.refresh_from_db()
        assert not link.active
        assert not Contract.objects.visible_to(tenant_user).exists()
        entry = log_entries(staff.ACTION_LINK_DEACTIVATED, user=staff_user).get()
        assert entry.object_id == str(link.account_id)

    def test_reset_two_factor(self, client, staff_client, staff_user, tenant_user):
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from wagtail_tenantportal.accounts.twofactor import services as twofactor

        account = tenant_user.tenantportal_account
        epoch = account.session_epoch
        url = f"{ACCOUNTS}two-factor/{account.pk}/reset/"
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url)
        assert response.status_code == 302
        assert not twofactor.user_has_device(tenant_user)
        assert not TOTPDevice.objects.filter(user=tenant_user).exists()
        assert not StaticDevice.objects.filter(user=tenant_user).exists()
        account.refresh_from_db()
        assert account.session_epoch == epoch + 1
        entry = log_entries(staff.ACTION_TWO_FACTOR_RESET, user=staff_user).get()
        assert entry.data == {"totp": 1, "email": 1, "backup": 1}
        assert [m.to for m in mail.outbox] == [["erika@example.org"]]
        # The tenant logs in with the password alone now.
        response = login(client, "erika@example.org")
        assert response.status_code == 302 and "2fa" not in response["Location"]

    def test_resend_verification(self, staff_client, staff_user, tenant):
        _party, contract = tenant
        user = verified_tenant(contract, email="neu@example.org")
        account = user.tenantportal_account
        url = f"{ACCOUNTS}verification/{account.pk}/resend/"
        staff_client.post(url)  # verified: nothing to send
        assert not mail.outbox and not log_entries(staff.ACTION_VERIFICATION_RESENT).exists()
        PortalAccount.objects.filter(pk=account.pk).update(email_verified_at=None)
        assert staff_client.get(url).status_code == 200
        for _ in range(4):  # staff are not held by the tenants' limit on resends
            assert staff_client.post(url).status_code == 302
        assert len(mail.outbox) == 4 and mail.outbox[-1].to == ["neu@example.org"]
        assert log_entries(staff.ACTION_VERIFICATION_RESENT, user=staff_user).count() == 4

    def test_refused_without_permission(self, client, tenant_user):
        account = tenant_user.tenantportal_account
        link = account.party_links.get()
        client.force_login(staff_with("view_portalaccount"))
        assert client.get(ACCOUNTS).status_code == 200
        assert "Reset two-factor" not in client.get(f"{ACCOUNTS}inspect/{account.pk}/").content.decode()
        for url in (
            f"{ACCOUNTS}link/{link.pk}/deactivate/",
            f"{ACCOUNTS}two-factor/{account.pk}/reset/",
            f"{ACCOUNTS}verification/{account.pk}/resend/",
        ):
            assert refused(client.get(url)), url
            assert refused(client.post(url)), url
        assert AccountParty.objects.get().active
        from wagtail_tenantportal.accounts.twofactor import services as twofactor

        assert twofactor.user_has_device(tenant_user)

    def test_staff_without_any_account_permission_see_no_listing(self, client, tenant_user):
        client.force_login(staff_with())
        response = client.get(ACCOUNTS)
        assert response.status_code == 302  # Wagtail's "no permission" redirect
        assert "erika@example.org" not in client.get(response["Location"]).content.decode()

    def test_refused_for_non_staff(self, client, tenant, tenant_user):
        account = tenant_user.tenantportal_account
        client.force_login(tenant_user)
        for url in (ACCOUNTS, f"{ACCOUNTS}two-factor/{account.pk}/reset/"):
            response = client.post(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        assert AccountParty.objects.get().active


def make_accounts(count, company, start=0):
    for index in range(start, start + count):
        contract = ContractFactory(unit__property__company=company)
        user = verified_tenant(contract, email=f"mieter{index}@example.org")
        if index % 2:
            confirmed_totp(user)
            backup_codes(user, count=2)
        flows.record_consents(user.tenantportal_account, [Consent.Kind.PRIVACY])


def listing_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_account_listing_queries_do_not_grow_with_rows(staff_client, company):
    make_accounts(3, company)
    few = listing_queries(staff_client, ACCOUNTS)
    make_accounts(27, company, start=3)
    many = listing_queries(staff_client, ACCOUNTS)
    assert many == few, (few, many)


def test_claim_listing_queries_do_not_grow_with_rows(staff_client, verify_later):
    def make_claims(count, start):
        for index in range(start, start + count):
            RegistrationClaim.objects.create(
                account=PortalAccount.objects.create(user=UserFactory(email=f"c{index}@example.org")),
                company=verify_later,
                first_name="Vor",
                last_name=f"Name{index}",
                street="Weg 1",
                postal_code="04109",
                city="Leipzig",
            )

    make_claims(3, 0)
    few = listing_queries(staff_client, CLAIMS)
    make_claims(27, 3)
    many = listing_queries(staff_client, CLAIMS)
    assert many == few, (few, many)


def test_admin_menu_has_the_viewsets(staff_client):
    content = staff_client.get("/admin/").content.decode()
    assert CLAIMS in content and ACCOUNTS in content


def test_log_actions_are_registered():
    from wagtail.log_actions import registry

    for action in (
        staff.ACTION_LINK_DEACTIVATED,
        staff.ACTION_TWO_FACTOR_RESET,
        staff.ACTION_VERIFICATION_RESENT,
        staff.ACTION_ACTIVATION_LETTER,
    ):
        assert registry.action_exists(action), action


def test_codes_of_matched_claims_stay_single_use(staff_user, claim, becker):
    party, _ = becker
    issued = flows.match_claim(claim, party, staff_user)
    assert RegistrationCode.objects.filter(
        party=party, used_at__isnull=True, revoked_at__isnull=True
    ).get() == (issued.record)
