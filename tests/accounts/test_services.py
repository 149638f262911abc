"""Issuing, checking, redeeming, revoking codes; attempt limits; code requests."""

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import codes, services
from wagtail_tenantportal.accounts.models import AccountParty, CodeRequest, PortalAccount, RegistrationCode
from wagtail_tenantportal.accounts.services import RegistrationCodeInvalid, TooManyAttempts
from wagtail_tenantportal.accounts.signals import code_requested
from wagtail_tenantportal.tenancy.models import Contract

from .conftest import make_tenant

pytestmark = pytest.mark.django_db


def check(contract, code, name="Müller", **kwargs):
    return services.check_registration_code(contract.number, code, name, **kwargs)


def test_only_a_hash_of_the_code_is_stored(tenant):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    record = RegistrationCode.objects.get(pk=issued.record.pk)
    assert record.code_hash == codes.hash_code(issued.code)
    assert record.hint == issued.code[-2:]
    text_fields = [
        f.name for f in RegistrationCode._meta.fields if isinstance(f, models.CharField | models.TextField)
    ]
    assert sorted(text_fields) == ["code_hash", "hint"]
    for name in text_fields:
        assert issued.code not in getattr(record, name)
    assert issued.formatted == codes.format_code(issued.code)


def test_a_valid_code_is_accepted_with_any_spelling_of_code_and_name(tenant):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    typed = codes.format_code(issued.code).lower().replace("-", " ")
    record = services.check_registration_code(f" {contract.number} ", typed, "MUELLER")
    assert record.pk == issued.record.pk
    assert record.party == party and record.contract == contract


def test_the_company_limits_the_search(tenant, company):
    from tests.factories import CompanyFactory

    party, contract = tenant
    issued = services.issue_code(party, contract)
    assert check(contract, issued.code, company=company).pk == issued.record.pk
    with pytest.raises(RegistrationCodeInvalid):
        check(contract, issued.code, company=CompanyFactory())


def test_redeem_marks_the_code_used_once(tenant):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    user = UserFactory()
    record = check(contract, issued.code)
    services.redeem(record, user)
    record.refresh_from_db()
    assert record.used_at is not None and record.used_by == user
    assert record.status == RegistrationCode.Status.USED
    with pytest.raises(RegistrationCodeInvalid):
        services.redeem(record, user)
    with pytest.raises(RegistrationCodeInvalid):
        check(contract, issued.code)
    assert (
        ModelLogEntry.objects.filter(action=services.ACTION_REDEEMED, object_id=str(record.pk)).count() == 1
    )


def test_an_expired_code_is_refused(tenant):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    later = issued.record.expires_at + timedelta(seconds=1)
    with pytest.raises(RegistrationCodeInvalid):
        check(contract, issued.code, now=later)
    assert RegistrationCode.objects.with_status(RegistrationCode.Status.EXPIRED, now=later).count() == 1


def test_validity_comes_from_the_settings_and_the_company(tenant, settings):
    party, contract = tenant
    settings.WAGTAIL_TENANTPORTAL = {"REGISTRATION_CODE_DAYS": 10}
    now = timezone.now()
    issued = services.issue_code(party, contract, now=now)
    assert issued.record.expires_at == now + timedelta(days=10)
    from wagtail_tenantportal.accounts.models import CompanyLetterSettings

    CompanyLetterSettings.objects.create(company=party.company, code_validity_days=30)
    issued = services.issue_code(party, contract, now=now)
    assert issued.record.expires_at == now + timedelta(days=30)


def test_a_revoked_code_is_refused(tenant):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    assert services.revoke_code(issued.record) is True
    assert services.revoke_code(issued.record) is False
    with pytest.raises(RegistrationCodeInvalid):
        check(contract, issued.code)
    assert ModelLogEntry.objects.filter(action=services.ACTION_REVOKED).count() == 1


def test_reissuing_revokes_the_older_unused_codes(tenant):
    party, contract = tenant
    first = services.issue_code(party, contract)
    second = services.issue_code(party, contract)
    first.record.refresh_from_db()
    assert first.record.status == RegistrationCode.Status.REVOKED
    with pytest.raises(RegistrationCodeInvalid):
        check(contract, first.code)
    assert check(contract, second.code).pk == second.record.pk
    assert RegistrationCode.objects.active().filter(party=party).count() == 1


def test_a_code_for_a_party_not_on_the_contract_is_refused(company, tenant):
    party, _contract = tenant
    _other, other_contract = make_tenant(company)
    with pytest.raises(ValueError):
        services.issue_code(party, other_contract)


@pytest.mark.parametrize(
    "cause",
    [
        "wrong_code",
        "malformed_code",
        "expired",
        "used",
        "revoked",
        "wrong_contract",
        "name_mismatch",
        "empty_name",
        "already_registered",
        "contract_ended",
        "portal_disabled",
    ],
)
def test_every_failure_gives_the_same_message(tenant, company, cause):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    number, code, name, now = contract.number, issued.code, "Müller", None
    if cause == "wrong_code":
        code = codes.generate()
    elif cause == "malformed_code":
        code = "hello"
    elif cause == "expired":
        now = issued.record.expires_at + timedelta(days=1)
    elif cause == "used":
        services.redeem(issued.record, UserFactory())
    elif cause == "revoked":
        services.revoke_code(issued.record)
    elif cause == "wrong_contract":
        number = make_tenant(company)[1].number
    elif cause == "name_mismatch":
        name = "Schulze"
    elif cause == "empty_name":
        name = "  "
    elif cause == "already_registered":
        account = PortalAccount.objects.create(user=UserFactory())
        AccountParty.objects.create(account=account, party=party)
    elif cause == "contract_ended":
        Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ENDED)
    elif cause == "portal_disabled":
        type(company).objects.filter(pk=company.pk).update(portal_enabled=False)
    with pytest.raises(RegistrationCodeInvalid) as exc:
        services.check_registration_code(number, code, name, now=now)
    assert type(exc.value) is RegistrationCodeInvalid
    assert str(exc.value.message) == str(RegistrationCodeInvalid.message)


def test_failures_per_contract_number_lock_and_the_lockout_expires(tenant, frozen_clock):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    for _ in range(5):
        with pytest.raises(RegistrationCodeInvalid):
            check(contract, codes.generate(), ip="198.51.100.1")
    # Locked: even the right code is refused now, with a message that says to wait.
    with pytest.raises(TooManyAttempts) as exc:
        check(contract, issued.code, ip="198.51.100.2")
    assert exc.value.retry_after == 15 * 60
    assert "15" in str(exc.value.message)
    frozen_clock.advance(15 * 60 + 1)
    assert check(contract, issued.code, ip="198.51.100.2").pk == issued.record.pk


def test_failures_per_ip_address_lock_that_address_only(company, frozen_clock):
    tenants = [make_tenant(company) for _ in range(3)]
    party, contract = tenants[0]
    issued = services.issue_code(party, contract)
    for index in range(20):
        other_contract = tenants[1 + index % 2][1]
        with pytest.raises(RegistrationCodeInvalid):
            services.check_registration_code(other_contract.number, codes.generate(), "Y", ip="203.0.113.9")
    with pytest.raises(TooManyAttempts):
        check(contract, issued.code, name=party.last_name, ip="203.0.113.9")
    assert check(contract, issued.code, name=party.last_name, ip="203.0.113.10").pk == issued.record.pk
    frozen_clock.advance(3601)
    assert check(contract, issued.code, name=party.last_name, ip="203.0.113.9").pk == issued.record.pk


def test_a_success_clears_the_count_of_the_contract_number(tenant, frozen_clock):
    party, contract = tenant
    issued = services.issue_code(party, contract)
    for _round in range(2):
        for _ in range(4):
            with pytest.raises(RegistrationCodeInvalid):
                check(contract, issued.code, name="Wrong")
        assert check(contract, issued.code).pk == issued.record.pk


def test_requesting_a_code_records_the_matching_party(tenant):
    party, contract = tenant
    received = []

    def receiver(sender, request, **kwargs):
        received.append(request)

    code_requested.connect(receiver)
    try:
        request = services.request_code(contract.number, "mueller", ip="192.0.2.1", message="Brief verloren")
    finally:
        code_requested.disconnect(receiver)
    assert request.party == party and request.contract == contract and request.company == party.company
    assert request.handled is False and request.matched
    assert received == [request]
    # An open request is not duplicated.
    assert services.request_code(contract.number, "Müller", ip="192.0.2.1") == request
    assert CodeRequest.objects.count() == 1


def test_a_request_that_matches_nobody_is_kept_for_staff(tenant):
    _party, contract = tenant
    request = services.request_code(contract.number, "Schulze")
    assert request.party is None and request.contract is None and not request.matched
    assert request.contract_number == contract.number


def test_code_requests_are_limited_per_ip(tenant, frozen_clock):
    _party, contract = tenant
    for index in range(5):
        services.request_code(f"{contract.number}{index}", "Müller", ip="192.0.2.7")
    with pytest.raises(TooManyAttempts):
        services.request_code(contract.number, "Müller", ip="192.0.2.7")
    frozen_clock.advance(3601)
    assert services.request_code(contract.number, "Müller", ip="192.0.2.7").matched
