"""Bank-details changes: the tenant files a new account per contract (schwifty checks it, BIC and
bank derived, the company's countries and mandate text), staff approve or reject it in the
admin, the contract page shows the state; bad input writes nothing; another tenant and another
company's staff get 404; the pages run a constant number of queries."""

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import ModelLogEntry

from tests.conftest import verified_portal_user
from tests.factories import CompanyFactory, ContractFactory, PropertyFactory, UnitFactory, staff_for
from wagtail_tenantportal.core.outbox_models import OutboxMessage
from wagtail_tenantportal.tenancy import services
from wagtail_tenantportal.tenancy.bank import ACTION_APPROVED, ACTION_REJECTED, ACTION_REQUESTED
from wagtail_tenantportal.tenancy.models import BankCountries, BankDetailsChange, Contract

pytestmark = pytest.mark.django_db

OLD_IBAN = "DE02120300000000202051"  # Deutsche Kreditbank
NEW_IBAN = "DE89 3704 0044 0532 0130 00"  # Commerzbank
AUSTRIAN_IBAN = "AT611904300234573201"
NON_SEPA_IBAN = "BR1800360305000010009795493C1"  # Brazil: a valid IBAN outside SEPA
BAD_IBAN = "DE89 3704 0044 0532 0130 01"  # one digit off


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def contract(db):
    contract = ContractFactory(iban=OLD_IBAN, account_holder="Erika Mustermann", sepa_mandate_reference="M-1")
    return contract


@pytest.fixture
def tenant(contract):
    return verified_portal_user(contract)


def submit(user, contract, **kw):
    data = {"account_holder": "Erika Mustermann", "iban": NEW_IBAN, "mandate_confirmed": True, **kw}
    return services.submit_bank_details_change(user, contract, **data)


def messages_of(error):
    return {field: [str(m) for m in messages] for field, messages in error.value.message_dict.items()}


# -- the service ------------------------------------------------------------------------------


def test_a_valid_change_is_pending_with_bic_and_bank_derived(tenant, contract):
    change = submit(tenant, contract, iban=NEW_IBAN.lower())
    assert change.status == BankDetailsChange.Status.PENDING
    assert change.iban == "DE89370400440532013000"
    assert change.bic == "COBADEFFXXX"
    assert change.bank_name == "Commerzbank"
    assert change.company == contract.company
    assert "Lastschrift" in change.mandate_text or "direct debit" in change.mandate_text
    contract.refresh_from_db()
    assert contract.iban == OLD_IBAN  # never a silent change
    assert ModelLogEntry.objects.filter(action=ACTION_REQUESTED, object_id=str(change.pk)).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"iban": BAD_IBAN}, "iban", "Dies ist keine gültige IBAN."),
        ({"iban": "DE12"}, "iban", "Dies ist keine gültige IBAN."),
        ({"iban": ""}, "iban", "Bitte geben Sie die IBAN des neuen Kontos ein."),
        ({"iban": NON_SEPA_IBAN}, "iban", "außerhalb des SEPA-Raums"),
        ({"account_holder": "  "}, "account_holder", "Bitte geben Sie den Namen des Kontoinhabers ein."),
        ({"account_holder": "x" * 71}, "account_holder", "70 Zeichen"),
        (
            {"mandate_confirmed": False},
            "mandate_confirmed",
            "Bitte bestätigen Sie das SEPA-Lastschriftmandat.",
        ),
    ],
)
def test_bad_input_is_refused_in_german_and_nothing_is_saved(tenant, contract, data, field, message):
    with translation.override("de"), pytest.raises(ValidationError) as error:
        submit(tenant, contract, **data)
    assert any(message in text for text in messages_of(error)[field]), messages_of(error)
    assert not BankDetailsChange.objects.exists()
    assert not ModelLogEntry.objects.filter(action=ACTION_REQUESTED).exists()


def test_a_company_with_german_accounts_only_refuses_others(tenant, contract):
    assert submit(tenant, contract, iban=AUSTRIAN_IBAN).pk  # SEPA: the default accepts Austria
    BankDetailsChange.objects.all().delete()
    contract.company.bank_change_countries = BankCountries.GERMANY
    contract.company.save()
    with translation.override("de"), pytest.raises(ValidationError) as error:
        submit(tenant, contract, iban=AUSTRIAN_IBAN)
    assert "nur von deutschen Konten" in messages_of(error)["iban"][0]
    assert not BankDetailsChange.objects.exists()


def test_a_second_pending_change_of_the_contract_is_refused(tenant, contract):
    submit(tenant, contract)
    co_tenant = verified_portal_user(contract)
    with translation.override("de"), pytest.raises(ValidationError) as error:
        submit(co_tenant, contract, iban=AUSTRIAN_IBAN)
    assert "wartet bereits" in messages_of(error)["__all__"][0]
    assert BankDetailsChange.objects.count() == 1


def test_the_same_account_again_is_refused(tenant, contract):
    with pytest.raises(ValidationError) as error:
        submit(tenant, contract, iban=OLD_IBAN)
    assert messages_of(error)["__all__"] == ["These are the bank details we have already."]


def test_the_company_mandate_text_is_what_the_tenant_confirms(tenant, contract):
    contract.company.sepa_mandate_text = "Gläubiger-ID DE98ZZZ09999999999. Ich ermächtige die WG …"
    contract.company.save()
    assert services.mandate_text(contract.company).startswith("Gläubiger-ID")
    assert submit(tenant, contract).mandate_text.startswith("Gläubiger-ID")


def test_sending_is_rate_limited(tenant, contract, settings):
    settings.WAGTAIL_TENANTPORTAL = {
        **getattr(settings, "WAGTAIL_TENANTPORTAL", {}),
        "RATE_LIMITS": {"bank_details_change": {"limit": 3}},
    }
    for _ in range(3):
        with pytest.raises(ValidationError):
            submit(tenant, contract, iban=BAD_IBAN)
    with translation.override("de"), pytest.raises(ValidationError) as error:
        submit(tenant, contract)  # valid now, but locked
    assert "in kurzer Zeit" in messages_of(error)["__all__"][0]
    assert not BankDetailsChange.objects.exists()


def test_approving_changes_the_contract_and_tells_the_erp(tenant, contract):
    from wagtail_tenantportal.erp.models import Connection

    Connection.objects.create(company=contract.company, name="ERP", connector={})
    staff = staff_for(contract.company)
    change = submit(tenant, contract)
    services.approve_bank_details_change(change, staff)
    contract.refresh_from_db()
    assert (contract.iban, contract.bic, contract.account_holder) == (
        "DE89370400440532013000",
        "COBADEFFXXX",
        "Erika Mustermann",
    )
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == staff and change.decided_at
    assert ModelLogEntry.objects.filter(action=ACTION_APPROVED, object_id=str(change.pk)).exists()
    assert ModelLogEntry.objects.filter(action=ACTION_APPROVED, object_id=str(contract.pk)).exists()
    mail = OutboxMessage.objects.get(channel="mail")
    assert mail.payload["to"] == [tenant.email]
    assert "•••• ••30 00" in mail.payload["body"] and "0532 0130" not in mail.payload["body"]
    event = OutboxMessage.objects.get(channel="erp", topic="contract.bank_details_changed")
    assert event.payload["data"]["iban"] == "DE89370400440532013000"
    assert event.payload["data"]["contract"]["number"] == contract.number
    with pytest.raises(services.AlreadyDecided):
        services.approve_bank_details_change(change, staff)
    with pytest.raises(services.AlreadyDecided):
        services.reject_bank_details_change(change, staff, reason="zu spät")


def test_rejecting_needs_a_reason_and_keeps_the_contract(tenant, contract):
    staff = staff_for(contract.company)
    change = submit(tenant, contract)
    with pytest.raises(ValidationError):
        services.reject_bank_details_change(change, staff, reason=" ")
    services.reject_bank_details_change(change, staff, reason="Der Kontoinhaber ist nicht Vertragspartner.")
    contract.refresh_from_db()
    assert contract.iban == OLD_IBAN
    assert ModelLogEntry.objects.filter(action=ACTION_REJECTED, object_id=str(change.pk)).exists()
    assert not OutboxMessage.objects.filter(channel="erp").exists()
    mail = OutboxMessage.objects.get(channel="mail")
    assert "Der Kontoinhaber ist nicht Vertragspartner." in mail.payload["body"]
    submit(tenant, contract)  # after the answer a new one may be sent


# -- the tenant's pages -------------------------------------------------------------------------


def test_the_tenant_sends_the_form_and_sees_the_state(client, tenant, contract):
    client.force_login(tenant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    url = f"/portal/contracts/{contract.pk}/bank-details/"
    with translation.override("de"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
        assert page.status_code == 200
        assert "SEPA-Lastschriftmandat" in page.content.decode()
        refused = client.post(url, {"account_holder": "Erika Mustermann", "iban": NON_SEPA_IBAN})
        assert refused.status_code == 200
        body = refused.content.decode()
        assert "tp-error-summary" in body and "SEPA" in body
        assert not BankDetailsChange.objects.exists()
        sent = client.post(
            url, {"account_holder": "Erika Mustermann", "iban": NEW_IBAN, "mandate_confirmed": "on"}
        )
        assert sent.status_code == 302 and sent["Location"] == f"/portal/contracts/{contract.pk}/"
        detail = client.get(sent["Location"]).content.decode()
    assert "Wartet auf Freigabe" in detail
    assert "••30 00" in detail and "0532 0130" not in detail  # the new IBAN masked too
    assert BankDetailsChange.objects.get().requested_by == tenant
    # While one waits, the form says so and takes no second one.
    again = client.get(url).content.decode()
    assert "Sie haben uns am" in again and 'name="iban"' not in again


def test_a_rejection_and_its_reason_show_on_the_contract_page(client, tenant, contract):
    change = submit(tenant, contract)
    services.reject_bank_details_change(
        change, staff_for(contract.company), reason="Bitte Kontoauszug senden."
    )
    client.force_login(tenant)
    body = client.get(f"/portal/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Abgelehnt" in body and "Bitte Kontoauszug senden." in body
    assert "Bankverbindung ändern" in body  # a new one may be sent


def test_another_tenant_and_another_company_get_404_and_change_nothing(client, contract, tenant):
    neighbour = verified_portal_user(ContractFactory(unit=UnitFactory(property=contract.unit.property)))
    other_company = verified_portal_user(ContractFactory())
    url = f"/portal/contracts/{contract.pk}/bank-details/"
    data = {"account_holder": "Mallory", "iban": NEW_IBAN, "mandate_confirmed": "on"}
    counts = 0
    for intruder in (neighbour, other_company):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
        counts += 2
    assert counts == 4
    assert not BankDetailsChange.objects.exists()


def test_an_ended_contract_takes_no_change(client, tenant, contract):
    contract.status = Contract.Status.ENDED
    contract.save()
    client.force_login(tenant)
    assert client.get(f"/portal/contracts/{contract.pk}/bank-details/").status_code == 404


def test_the_contract_page_runs_the_same_queries_with_many_changes(client, tenant, contract):
    staff = staff_for(contract.company)
    client.force_login(tenant)
    url = f"/portal/contracts/{contract.pk}/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.reject_bank_details_change(submit(tenant, contract), staff, reason="nein")
    one = queries()
    for _ in range(5):
        caches["default"].clear()
        services.reject_bank_details_change(submit(tenant, contract), staff, reason="nein")
    assert queries() == one


def test_the_contracts_page_route(client, tenant, contract):
    from wagtail.models import Site

    from wagtail_tenantportal.tenancy.pages import ContractsPage

    root = Site.objects.get(is_default_site=True).root_page
    page = root.add_child(instance=ContractsPage(title="Meine Verträge", slug="vertraege-bank"))
    client.force_login(tenant)
    base = page.get_url()
    detail = client.get(f"{base}{contract.pk}/").content.decode()
    assert f"{base}{contract.pk}/bank-details/" in detail
    sent = client.post(
        f"{base}{contract.pk}/bank-details/",
        {"account_holder": "Erika Mustermann", "iban": NEW_IBAN, "mandate_confirmed": "on"},
    )
    assert sent.status_code == 302 and sent["Location"].endswith(f"{base}{contract.pk}/")
    assert BankDetailsChange.objects.filter(contract=contract).count() == 1
    intruder = verified_portal_user(ContractFactory())
    client.force_login(intruder)
    assert client.get(f"{base}{contract.pk}/bank-details/").status_code == 404


# -- staff ------------------------------------------------------------------------------------------


def company_with_change():
    company = CompanyFactory()
    contract = ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company)), iban=OLD_IBAN)
    change = submit(verified_portal_user(contract), contract)
    return company, contract, change


def test_staff_approve_and_reject_in_the_admin_within_their_company(client):
    company, contract, change = company_with_change()
    other_company, other_contract, other_change = company_with_change()
    staff = staff_for(
        company,
        perms=(
            "access_admin",
            "tenantportal_tenancy.view_bankdetailschange",
            "tenantportal_tenancy.change_bankdetailschange",
        ),
    )
    client.force_login(staff)
    listing = client.get("/admin/tenantportal/bank-details/").content.decode()
    assert contract.number in listing and other_contract.number not in listing
    # The other company's request: 404 for every URL, and nothing changes.
    for view in ("inspect", "approve", "reject", "history"):
        assert client.get(f"/admin/tenantportal/bank-details/{view}/{other_change.pk}/").status_code == 404
    assert client.post(f"/admin/tenantportal/bank-details/approve/{other_change.pk}/").status_code == 404
    other_change.refresh_from_db()
    assert other_change.is_pending
    # Their own: reject without a reason is refused, approve applies it.
    inspect = client.get(f"/admin/tenantportal/bank-details/inspect/{change.pk}/").content.decode()
    assert "DE89 3704 0044 0532 0130 00" in inspect and "DE02 1203" in inspect
    refused = client.post(f"/admin/tenantportal/bank-details/reject/{change.pk}/", {"reason": ""})
    assert refused.status_code == 200
    response = client.post(f"/admin/tenantportal/bank-details/approve/{change.pk}/")
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.iban == "DE89370400440532013000"
    # Decided once: a second approval only warns.
    client.post(f"/admin/tenantportal/bank-details/reject/{change.pk}/", {"reason": "doch nicht"})
    change.refresh_from_db()
    assert change.status == "approved"


def test_staff_without_the_change_permission_cannot_decide(client):
    company, contract, change = company_with_change()
    staff = staff_for(company, perms=("access_admin", "tenantportal_tenancy.view_bankdetailschange"))
    client.force_login(staff)
    assert client.get(f"/admin/tenantportal/bank-details/inspect/{change.pk}/").status_code == 200
    refused = client.post(f"/admin/tenantportal/bank-details/approve/{change.pk}/")
    assert refused.status_code in (302, 403) and refused.get("Location", "/admin/") == "/admin/"
    change.refresh_from_db()
    assert change.is_pending


def test_the_admin_listing_runs_the_same_queries_however_many_requests(client):
    company, contract, change = company_with_change()
    staff = staff_for(
        company,
        perms=(
            "access_admin",
            "tenantportal_tenancy.view_bankdetailschange",
            "tenantportal_tenancy.change_bankdetailschange",
        ),
    )
    client.force_login(staff)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/tenantportal/bank-details/").status_code == 200
        return len(captured)

    one = queries()
    for _ in range(6):
        caches["default"].clear()
        other = ContractFactory(unit=UnitFactory(property=contract.unit.property), iban=OLD_IBAN)
        submit(verified_portal_user(other), other)
    assert queries() == one


def test_the_admin_start_page_counts_the_waiting_changes_of_the_own_company(client):
    company, _contract, _change = company_with_change()
    company_with_change()  # another company's: not counted
    staff = staff_for(
        company,
        perms=(
            "access_admin",
            "tenantportal_tenancy.view_bankdetailschange",
            "tenantportal_tenancy.change_bankdetailschange",
        ),
    )
    client.force_login(staff)
    assert "1 change of bank details waits for your decision." in client.get("/admin/").content.decode()
    reader = staff_for(company, perms=("access_admin",))
    client.force_login(reader)
    assert "waits for your decision" not in client.get("/admin/").content.decode()


def test_the_contracts_inspect_page_lists_its_changes(client):
    company, contract, change = company_with_change()
    staff = staff_for(
        company,
        perms=(
            "access_admin",
            "tenantportal_tenancy.view_contract",
            "tenantportal_tenancy.view_bankdetailschange",
        ),
    )
    client.force_login(staff)
    page = client.get(f"/admin/tenantportal/contracts/inspect/{contract.pk}/").content.decode()
    assert f"/admin/tenantportal/bank-details/inspect/{change.pk}/" in page
    assert "DE89 3704 0044 0532 0130 00" in page


def test_the_form_page_runs_the_same_queries_with_many_changes(client, tenant, contract):
    staff = staff_for(contract.company)
    client.force_login(tenant)
    url = f"/portal/contracts/{contract.pk}/bank-details/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.reject_bank_details_change(submit(tenant, contract), staff, reason="nein")
    one = queries()
    for _ in range(5):
        caches["default"].clear()
        services.reject_bank_details_change(submit(tenant, contract), staff, reason="nein")
    assert queries() == one
