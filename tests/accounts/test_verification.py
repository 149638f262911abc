"""Email verification: link (GET shows, POST confirms, 24 h), 6-digit code (15 min, five tries),
resend and "I received no email" with limits, email change."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import flows
from wagtail_tenantportal.accounts.models import EmailVerification, PortalAccount

from .flow_helpers import (
    PASSWORD,
    REGISTER_URL,
    code_form_data,
    issue,
    login,
    mail_code,
    mail_link,
    mails_to,
    url,
    verified_tenant,
    without_csrf,
)

pytestmark = pytest.mark.django_db

INVALID = str(flows.VerificationInvalid.message)
LINK_INVALID = str(flows.VerificationLinkInvalid.message)
SENT = "If an account with this address is waiting for confirmation"


@pytest.fixture
def registered(client, tenant):
    """A code-first registration of e@example.org in ``client``'s session: (account, mail)."""
    party, contract = tenant
    client.post(REGISTER_URL, code_form_data(contract, issue(party, contract), "Müller", "e@example.org"))
    return PortalAccount.objects.get(), mail.outbox[-1]


def verified(account):
    account.refresh_from_db()
    return account.email_verified_at is not None


class TestLink:
    def test_code_is_random_six_digits_and_stored_hashed(self, registered):
        account, message = registered
        code = mail_code(message)
        verification = EmailVerification.objects.get()
        assert len(code) == 6 and code.isdigit()
        assert code not in verification.code_hash
        assert len(verification.code_hash) == 64

    def test_link_expires_after_24_hours(self, client, registered):
        account, message = registered
        path = mail_link(message)
        with freeze_time(timezone.now() + timedelta(hours=24, seconds=5)):
            page = client.get(path)
            assert page.status_code == 400
            assert LINK_INVALID in page.content.decode()
            assert client.post(path).status_code == 400
        assert not verified(account)
        with freeze_time(timezone.now() + timedelta(hours=23)):
            assert client.post(path).status_code == 302
        assert verified(account)

    def test_forged_and_reused_links_fail(self, client, registered):
        account, message = registered
        path = mail_link(message)
        assert client.post(path[:-3] + "xyz/").status_code == 400
        assert client.post(path).status_code == 302
        again = client.post(path)
        assert again.status_code == 400
        assert LINK_INVALID in again.content.decode()

    def test_a_new_mail_supersedes_the_old_link_and_code(self, client, registered):
        account, first = registered
        client.post(url("resend_verification"))
        second = mail.outbox[-1]
        assert second is not first
        assert client.post(mail_link(first)).status_code == 400
        assert INVALID in client.post(url("verify_email_code"), {"code": mail_code(first)}).content.decode()
        assert client.post(url("verify_email_code"), {"code": mail_code(second)}).status_code == 302
        assert verified(account)

    def test_logged_in_user_confirming_by_link_goes_on(self, client, registered):
        account, message = registered
        login(client, "e@example.org")
        response = client.post(mail_link(message))
        assert response.url == url("contact_check")


class TestCode:
    def test_code_expires_after_15_minutes(self, client, registered):
        account, message = registered
        with freeze_time(timezone.now() + timedelta(minutes=15, seconds=5)):
            response = client.post(url("verify_email_code"), {"code": mail_code(message)})
        assert INVALID in response.content.decode()
        assert not verified(account)

    def test_five_wrong_codes_kill_the_code(self, client, registered):
        account, message = registered
        code = mail_code(message)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(5):
            assert INVALID in client.post(url("verify_email_code"), {"code": wrong}).content.decode()
        response = client.post(url("verify_email_code"), {"code": code})
        assert INVALID in response.content.decode()
        assert not verified(account)
        # A new mail brings a new code that works.
        client.post(url("resend_verification"))
        assert client.post(url("verify_email_code"), {"code": mail_code(mail.outbox[-1])}).status_code == 302
        assert verified(account)

    def test_brute_force_is_stopped_and_the_lockout_expires(self, client, registered, frozen_clock):
        account, _message = registered
        for _round in range(2):
            for _ in range(5):
                client.post(url("verify_email_code"), {"code": "000000"})
            frozen_clock.advance(15 * 60 + 1)  # lets the resend limit pass, not the code limit
            client.post(url("resend_verification"))
        code = mail_code(mail.outbox[-1])
        response = client.post(url("verify_email_code"), {"code": code})
        assert "Too many attempts" in response.content.decode()
        assert not verified(account)
        frozen_clock.advance(60 * 60 + 1)
        assert client.post(url("verify_email_code"), {"code": code}).status_code == 302
        assert verified(account)

    def test_code_with_a_space_is_accepted(self, client, registered):
        account, message = registered
        code = mail_code(message)
        client.post(url("verify_email_code"), {"code": f"{code[:3]} {code[3:]}"})
        assert verified(account)

    def test_code_page_needs_a_registration_or_a_login(self, client, db):
        assert client.get(url("verify_email_code")).url == url("login")
        assert client.get(url("register_done")).url == url("register")


class TestResend:
    def test_resend_is_rate_limited_and_expires(self, client, registered, frozen_clock):
        account, _ = registered
        sent_before = len(mail.outbox)
        for _ in range(3):
            client.post(url("resend_verification"))
        assert len(mail.outbox) == sent_before + 3
        response = client.post(url("resend_verification"), follow=True)
        assert "Too many attempts" in response.content.decode()
        assert len(mail.outbox) == sent_before + 3
        frozen_clock.advance(15 * 60 + 1)
        client.post(url("resend_verification"))
        assert len(mail.outbox) == sent_before + 4

    def test_i_received_no_email_answers_the_same_for_known_and_unknown(self, client, registered):
        account, _ = registered
        verified_user = UserFactory(username="fertig@example.org", email="fertig@example.org")
        PortalAccount.objects.create(user=verified_user, email_verified_at=timezone.now())
        mail.outbox.clear()
        pages = []
        for email in ("e@example.org", "unbekannt@example.org", "fertig@example.org"):
            anonymous = client.__class__()
            assert b'name="email"' in anonymous.get(url("resend_verification")).content
            response = anonymous.post(url("resend_verification"), {"email": email}, follow=True)
            assert SENT in response.content.decode()
            pages.append(without_csrf(response.content))
        assert pages[0] == pages[1] == pages[2]
        assert [m.to for m in mail.outbox] == [["e@example.org"]]

    def test_no_email_for_unknown_addresses_is_limited_too(self, client, db, frozen_clock):
        for _ in range(3):
            client.post(url("resend_verification"), {"email": "x@example.org"})
        response = client.post(url("resend_verification"), {"email": "x@example.org"}, follow=True)
        assert "Too many attempts" in response.content.decode()


class TestUnverifiedSession:
    def test_nothing_is_usable_before_verification(self, client, registered):
        login(client, "e@example.org")
        for name in ("account", "contact_check", "password_change", "activate"):
            response = client.get(url(name))
            assert response.status_code == 302
            assert response.url.startswith(url("verify_email_code")), name
        page = client.get(url("verify_email_code"))
        assert b"e@example.org" in page.content
        assert b'href="/portal/account/email/"' in page.content

    def test_typo_in_the_address_can_be_corrected(self, client, registered):
        account, _ = registered
        login(client, "e@example.org")
        response = client.post(url("email_change"), {"email": "richtig@example.org", "password": PASSWORD})
        assert response.url == url("verify_email_code")
        message = mails_to("richtig@example.org")[-1]
        assert client.post(url("verify_email_code"), {"code": mail_code(message)}).status_code == 302
        user = get_user_model().objects.get(pk=account.user_id)
        assert (user.email, user.username) == ("richtig@example.org", "richtig@example.org")
        assert verified(account)


class TestEmailChange:
    def test_change_confirmed_by_link_and_old_address_notified(self, client, company, tenant):
        _, contract = tenant
        user = verified_tenant(contract, email="alt@example.org")
        login(client, "alt@example.org")
        response = client.post(url("email_change"), {"email": "neu@example.org", "password": PASSWORD})
        assert response.url == url("account")
        assert get_user_model().objects.get(pk=user.pk).email == "alt@example.org"
        assert mails_to("alt@example.org")[-1].subject.endswith("requested")
        message = mails_to("neu@example.org")[-1]
        assert client.post(mail_link(message)).status_code == 302
        user.refresh_from_db()
        assert (user.email, user.username) == ("neu@example.org", "neu@example.org")

    def test_address_in_use_gives_the_same_answer(self, client, tenant):
        _, contract = tenant
        verified_tenant(contract, email="alt@example.org")
        UserFactory(username="belegt@example.org", email="belegt@example.org")
        login(client, "alt@example.org")
        free = client.post(url("email_change"), {"email": "frei@example.org", "password": PASSWORD})
        client.get(url("account"))  # consume the message
        taken = client.post(url("email_change"), {"email": "belegt@example.org", "password": PASSWORD})
        assert (free.status_code, free.url) == (taken.status_code, taken.url)
        assert mails_to("belegt@example.org")[-1].subject.endswith("already registered")

    def test_wrong_password_changes_nothing(self, client, tenant):
        _, contract = tenant
        verified_tenant(contract, email="alt@example.org")
        login(client, "alt@example.org")
        mail.outbox.clear()
        response = client.post(url("email_change"), {"email": "neu@example.org", "password": "falsch"})
        assert "The password is not correct." in response.content.decode()
        assert not mail.outbox
        assert not EmailVerification.objects.exists()
