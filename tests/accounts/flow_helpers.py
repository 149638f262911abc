"""Helpers of the registration, verification and login tests (plain functions, no fixtures)."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import services
from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount

PASSWORD = "Rotkehlchen-Mauersegler-42"
REGISTER_URL = "/portal/register/"
LOGIN_URL = "/portal/login/"

_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def url(name, **kwargs):
    return reverse(f"wagtail_tenantportal:{name}", kwargs=kwargs or None)


def issue(party, contract):
    """A fresh registration code for ``party`` on ``contract``: the plain code."""
    return services.issue_code(party, contract).code


def code_form_data(contract, code, last_name, email, **overrides):
    data = {
        "flow": "code",
        "company": "",
        "contract_number": contract.number,
        "code": code,
        "last_name": last_name,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent_privacy": "on",
        "consent_terms": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def claim_form_data(company, email, **overrides):
    data = {
        "company": company.slug,
        "first_name": "Jonas",
        "last_name": "Becker",
        "street": "Lindenstraße 7",
        "postal_code": "04109",
        "city": "Leipzig",
        "phone": "",
        "contract_number": "",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent_privacy": "on",
        "consent_terms": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def mail_code(message):
    """The 6-digit code of a verification mail."""
    body = message.body if hasattr(message, "body") else message
    match = re.search(r"^\s*(\d{6})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def mail_link(message, prefix="/portal/verify/"):
    """The path of the first link in the mail that starts with ``prefix``."""
    body = message.body if hasattr(message, "body") else message
    for match in re.finditer(r"https?://\S+", body):
        path = urlsplit(match.group(0)).path
        if path.startswith(prefix):
            return path
    raise AssertionError(f"no link to {prefix} in {body!r}")


def without_csrf(content):
    """Response content without the per-response CSRF token (for identity comparisons)."""
    return _CSRF.sub(b"", content)


def verified_tenant(contract, *, email="mieterin@example.org", password=PASSWORD, checked=True):
    """A user with a verified portal account linked to a new party on ``contract``."""
    from django.utils import timezone

    from tests.factories import PartyFactory
    from wagtail_tenantportal.tenancy.models import ContractParty

    party = PartyFactory(company=contract.company)
    ContractParty.objects.create(contract=contract, party=party)
    user = UserFactory(username=email, email=email, password=password)
    now = timezone.now()
    account = PortalAccount.objects.create(
        user=user, email_verified_at=now, contact_checked_at=now if checked else None
    )
    AccountParty.objects.create(account=account, party=party)
    return user


def login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"email": email, "password": password, **extra})
