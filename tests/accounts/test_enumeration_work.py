"""Issue 17, finding 6: account enumeration side channels.

The answers were already the same for known and unknown addresses; the *work* behind them was
not (resend-verification was ~5 ms slower for an unconfirmed account, and a letter code
survived registrations with existing addresses but was spent by the first unknown one). These
tests compare the work itself, never the time: the SQL statements a request runs (their shape,
literals removed), the tasks it queues, the passwords it hashes, and what happens to a code.
"""

import re
from contextlib import contextmanager

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import task_backends

from tests.factories import CompanyFactory, UserFactory
from wagtail_tenantportal.accounts import flows, services
from wagtail_tenantportal.accounts.models import (
    AccountParty,
    PortalAccount,
    RegistrationClaim,
    RegistrationCode,
)
from wagtail_tenantportal.core import links
from wagtail_tenantportal.tenancy.models import Company

from .conftest import make_tenant
from .flow_helpers import (
    PASSWORD,
    REGISTER_URL,
    code_form_data,
    issue,
    login,
    mail_link,
    mails_to,
    url,
    verified_tenant,
)

pytestmark = pytest.mark.django_db

_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def shape(sql):
    """A statement without its literal values: two lookups of different addresses look alike."""
    return _LITERALS.sub("?", sql)


@pytest.fixture
def queue(settings):
    """Tasks are queued on a backend that keeps them (the conftest queues at once, no commit)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def measure(queue, monkeypatch):
    """``with measure() as work: ...``: afterwards ``work`` holds the statements, tasks queued
    and passwords hashed or checked inside the block."""
    hashes = []
    encode, verify = MD5PasswordHasher.encode, MD5PasswordHasher.verify
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *a: hashes.append("hash") or encode(self, *a)
    )
    monkeypatch.setattr(
        MD5PasswordHasher, "verify", lambda self, *a: hashes.append("check") or verify(self, *a)
    )

    @contextmanager
    def run():
        work = {}
        before_tasks, before_hashes = deferred_tasks(), len(hashes)
        with CaptureQueriesContext(connection) as queries:
            yield work
        work["queries"] = [shape(query["sql"]) for query in queries.captured_queries]
        work["tasks"] = deferred_tasks()[len(before_tasks) :]
        work["hashes"] = hashes[before_hashes:]

    return run


def deferred_tasks():
    """The work deferred through the outbox so far, oldest first: a task by its name, any other
    message (a mail) by its channel."""
    from wagtail_tenantportal.core.outbox import OutboxMessage

    rows = OutboxMessage.objects.order_by("pk").values_list("channel", "topic")
    return [topic.rsplit(".", 1)[-1] if channel == "task" else channel for channel, topic in rows]


def lookups(work):
    """The statements that read or change accounts, people or codes (not the outbox row)."""
    return [sql for sql in work["queries"] if "outboxmessage" not in sql and "wagtailcore_site" not in sql]


_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"([^"]+)"')


def outline(work):
    """Each statement as (verb, first table): for lookups that filter by different columns."""
    return [(sql.split()[0], (_TABLE.findall(sql) or [""])[0]) for sql in work["queries"]], work["tasks"]


def request_from(rf, ip="192.0.2.1"):
    return rf.post("/", REMOTE_ADDR=ip)


# -- "I received no email" ----------------------------------------------------------------------


def test_resend_by_email_does_the_same_work_for_unknown_confirmed_and_unconfirmed(
    rf, measure, tenant, company
):
    verified_tenant(tenant[1], email="bestaetigt@example.org")
    unconfirmed = UserFactory(username="offen@example.org", email="offen@example.org")
    PortalAccount.objects.create(user=unconfirmed)
    works = {}
    for address in ("niemand@example.org", "bestaetigt@example.org", "offen@example.org"):
        with measure() as work:
            flows.resend_verification_by_email(request_from(rf), address)
        works[address] = work
    unknown, confirmed, waiting = works.values()
    assert unknown == confirmed == waiting
    assert unknown["tasks"] == [flows.verification.resend_verification_task.name]
    assert lookups(unknown) == []  # the request does not even look the address up


def test_the_resend_task_mails_only_an_account_waiting_for_confirmation(rf, tenant):
    verified_tenant(tenant[1], email="bestaetigt@example.org")
    waiting = UserFactory(username="offen@example.org", email="offen@example.org")
    PortalAccount.objects.create(user=waiting)
    task = flows.verification.resend_verification_task
    assert task.call("niemand@example.org", origin="https://portal.example") is False
    assert task.call("bestaetigt@example.org", origin="https://portal.example") is False
    assert task.call("offen@example.org", origin="https://portal.example", language="de") is True
    (message,) = mails_to("offen@example.org")
    assert "https://portal.example/portal/verify/" in message.body
    assert "Bestätigen" in message.subject or "bestätigen" in message.subject  # rendered in German


# -- password reset -----------------------------------------------------------------------------


def test_password_reset_does_the_same_work_for_every_address(rf, measure, tenant, company):
    verified_tenant(tenant[1], email="aktiv@example.org")
    inactive = verified_tenant(make_tenant(company)[1], email="gesperrt@example.org")
    inactive.is_active = False
    inactive.save()
    UserFactory(username="personal", email="personal@example.org")  # staff without portal account
    works = []
    for address in (
        "aktiv@example.org",
        "gesperrt@example.org",
        "personal@example.org",
        "niemand@example.org",
    ):
        with measure() as work:
            flows.request_password_reset(request_from(rf), address)
        works.append(work)
    assert all(work == works[0] for work in works)
    assert works[0]["tasks"] == [flows.login.password_reset_task.name]
    assert works[0]["hashes"] == []
    assert lookups(works[0]) == []  # the request does not look the address up


def test_the_reset_task_mails_only_an_active_portal_account(tenant, company):
    verified_tenant(tenant[1], email="aktiv@example.org")
    UserFactory(username="personal", email="personal@example.org")
    task = flows.login.password_reset_task
    assert task.call("personal@example.org", origin="https://portal.example") is False
    assert task.call("niemand@example.org", origin="https://portal.example") is False
    assert task.call("aktiv@example.org", origin="https://portal.example") is True
    (message,) = mails_to("aktiv@example.org")
    (link,) = re.findall(r"https?://\S+/portal/password/reset/\S+", message.body)
    assert link.startswith(links.base_url(company) + "/portal/password/reset/"), link  # its own site


# -- email change -------------------------------------------------------------------------------


def test_email_change_does_the_same_work_whether_the_new_address_is_in_use(client, measure, tenant, company):
    user = verified_tenant(tenant[1], email="ich@example.org")
    verified_tenant(make_tenant(company)[1], email="belegt@example.org")
    client.force_login(user)
    request = client.get("/").wsgi_request
    account = user.tenantportal_account
    flows.common.mail_origin(request)  # the request's site and company, looked up once per request
    with measure() as free:
        flows.request_email_change(request, account, "frei@example.org")
    with measure() as taken:
        flows.request_email_change(request, account, "belegt@example.org")
    assert free == taken
    assert free["tasks"] == [flows.verification.email_change_task.name]


def test_the_email_change_task_does_what_the_request_used_to(tenant, company):
    user = verified_tenant(tenant[1], email="ich@example.org")
    verified_tenant(make_tenant(company)[1], email="belegt@example.org")
    account = user.tenantportal_account
    task = flows.verification.email_change_task
    assert task.call(account.pk, "belegt@example.org", origin="https://portal.example") == "in_use"
    assert "already" in mails_to("belegt@example.org")[0].subject
    assert task.call(account.pk, "ich@example.org") == ""  # the own address: nothing to do
    assert task.call(account.pk, "neu@example.org", origin="https://portal.example") == "verification"
    assert mails_to("neu@example.org") and mails_to("ich@example.org")  # verification + notice
    assert task.call(10**9, "x@example.org") == ""  # the account is gone meanwhile


def test_email_change_through_the_page_still_works(client, tenant):
    user = verified_tenant(tenant[1], email="ich@example.org")
    login(client, "ich@example.org")
    response = client.post(url("email_change"), {"email": "Neu@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    (verification,) = mails_to("neu@example.org")
    client.post(mail_link(verification))
    user.refresh_from_db()
    assert user.email == "neu@example.org"


# -- letter codes are spent the same way --------------------------------------------------------


def code_is_spent(contract, code, last_name):
    """True if a registration with a fresh address can no longer use ``code``."""
    with pytest.raises(flows.RegistrationInvalid):
        services_check(contract, code, last_name)
    return True


def services_check(contract, code, last_name):
    try:
        return services.check_registration_code(contract.number, code, last_name, ip="198.51.100.7")
    except services.RegistrationCodeInvalid as error:
        raise flows.RegistrationInvalid() from error


@pytest.mark.parametrize("address_in_use", [False, True], ids=["new address", "address in use"])
def test_a_letter_code_is_spent_whether_or_not_the_address_has_an_account(client, company, address_in_use):
    owner = UserFactory(username="belegt@example.org", email="belegt@example.org")
    party, contract = make_tenant(company, last_name="Schulz")
    code = issue(party, contract)
    address = "belegt@example.org" if address_in_use else "frei@example.org"
    response = client.post(REGISTER_URL, code_form_data(contract, code, "Schulz", address))
    assert response.url == url("register_done")
    assert code_is_spent(contract, code, "Schulz")
    # a second registration with the code and another new address fails alike
    again = client.__class__().post(
        REGISTER_URL, code_form_data(contract, code, "Schulz", "dritte@example.org")
    )
    assert again.status_code == 200 and str(flows.RegistrationInvalid.message) in again.content.decode()
    record = RegistrationCode.objects.get(party=party)
    assert record.used_at is not None
    assert record.reserved_for == (owner if address_in_use else None)


def test_registration_with_an_address_in_use_hashes_as_a_new_one(client, company, measure):
    UserFactory(username="belegt@example.org", email="belegt@example.org")
    works = []
    for name, address in (("Schulz", "frei@example.org"), ("Meier", "belegt@example.org")):
        party, contract = make_tenant(company, last_name=name)
        code = issue(party, contract)
        with measure() as work:
            client.__class__().post(REGISTER_URL, code_form_data(contract, code, name, address))
        works.append(work)
    assert [w["hashes"] for w in works] == [["hash"], ["hash"]]
    assert [w["tasks"] for w in works] == [[works[0]["tasks"][0]]] * 2  # one mail queued each


def test_the_owner_of_the_address_may_still_add_the_contract_with_the_kept_code(client, company, tenant):
    owner = verified_tenant(tenant[1], email="belegt@example.org")
    party, contract = make_tenant(company, last_name="Schulz")
    code = issue(party, contract)
    client.post(REGISTER_URL, code_form_data(contract, code, "Schulz", "belegt@example.org"))
    (notice,) = mails_to("belegt@example.org")
    assert "/portal/account/add-contract/" in notice.body

    # another account cannot use it
    stranger = verified_tenant(make_tenant(company)[1], email="fremd@example.org")
    other = client.__class__()
    login(other, "fremd@example.org")
    data = {"contract_number": contract.number, "code": code, "last_name": "Schulz"}
    refused = other.post(url("add_contract"), data)
    assert refused.status_code == 200
    assert not AccountParty.objects.filter(account__user=stranger, party=party).exists()

    login(client, "belegt@example.org")
    response = client.post(url("add_contract"), data)
    assert response.status_code == 302
    assert AccountParty.objects.get(account__user=owner, party=party).active
    record = RegistrationCode.objects.get(party=party)
    assert (record.used_by, record.reserved_for) == (owner, None)
    # once only
    AccountParty.objects.filter(account__user=owner, party=party).update(active=False)
    assert client.post(url("add_contract"), data).status_code == 200
    assert not AccountParty.objects.get(account__user=owner, party=party).active


# -- the registration's own code page and resend ------------------------------------------------


def test_the_code_page_of_a_registration_costs_the_same_with_an_address_in_use(company, measure):
    from django.test import Client

    UserFactory(username="belegt@example.org", email="belegt@example.org")
    works = []
    for name, address in (("Schulz", "frei@example.org"), ("Meier", "belegt@example.org")):
        party, contract = make_tenant(company, last_name=name)
        client = Client()
        client.post(REGISTER_URL, code_form_data(contract, issue(party, contract), name, address))
        with measure() as work:
            response = client.post(url("verify_email_code"), {"code": "000000"})
        assert response.status_code == 200
        with measure() as resend:
            client.post(url("resend_verification"))
        works.append((work, resend))
    (new_code, new_resend), (taken_code, taken_resend) = works
    assert new_code == taken_code
    assert new_resend == taken_resend


def test_wrong_codes_of_a_registration_with_an_address_in_use_are_limited_too(client, company, frozen_clock):
    UserFactory(username="belegt@example.org", email="belegt@example.org")
    party, contract = make_tenant(company, last_name="Meier")
    client.post(REGISTER_URL, code_form_data(contract, issue(party, contract), "Meier", "belegt@example.org"))
    for _ in range(10):
        client.post(url("verify_email_code"), {"code": "000000"})
    response = client.post(url("verify_email_code"), {"code": "000000"})
    assert "Too many attempts" in response.content.decode()


# -- activation and code requests ----------------------------------------------------------------


def test_activation_costs_the_same_for_a_wrong_code_and_a_code_of_a_taken_party(client, measure):
    later = CompanyFactory(slug="spaeter", registration_flow=Company.RegistrationFlow.VERIFY_LATER)
    party, contract = make_tenant(later, last_name="Becker")
    user = UserFactory(username="jonas@example.org", email="jonas@example.org")
    account = PortalAccount.objects.create(user=user, email_verified_at=timezone.now())
    claim = RegistrationClaim.objects.create(
        account=account,
        company=later,
        first_name="J",
        last_name="Becker",
        street="s",
        postal_code="1",
        city="c",
    )
    issued = flows.match_claim(claim, party, None)
    taken_by = PortalAccount.objects.create(user=UserFactory())
    AccountParty.objects.create(account=taken_by, party=party, active=True, linked_at=timezone.now())
    with measure() as wrong, pytest.raises(flows.ActivationInvalid):
        flows.activate_with_code(account, "2345-6789-ABCD", ip="192.0.2.5")
    with measure() as taken, pytest.raises(flows.ActivationInvalid):
        flows.activate_with_code(account, issued.code, ip="192.0.2.5")
    assert wrong == taken


def test_a_code_request_costs_the_same_whether_the_details_match(rf, company, measure):
    party, contract = make_tenant(company, last_name="Becker")
    services.request_code("1", "Warm", company=company, ip="192.0.2.29")  # caches (content types)
    with measure() as matching:
        services.request_code(contract.number, "Becker", company=company, ip="192.0.2.30")
    with measure() as other:
        services.request_code("99999999", "Niemand", company=company, ip="192.0.2.31")
    # the open-request lookup filters by the party or by the details typed: same statements
    assert outline(matching) == outline(other)
    assert len(matching["queries"]) == 7
