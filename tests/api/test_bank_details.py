"""The bank-details endpoint: Erika files a new account for her contract through the API (same
service and messages as the web), sees its state; Ben (same landlord) and Cem (another
landlord) get 404 and change nothing."""

from tests.api.conftest import API, client_for, token_for
from wagtail_tenantportal.tenancy.models import BankDetailsChange

NEW_IBAN = "DE89 3704 0044 0532 0130 00"


def url(world):
    return f"{API}contracts/{world.contract.pk}/bank-details/"


def test_erika_files_a_new_account_and_sees_its_state(world, erika_client):
    empty = erika_client.get(url(world))
    assert empty.status_code == 200
    assert empty.json()["changes"] == [] and empty.json()["can_change"] is True
    assert "direct debit" in empty.json()["mandate_text"] or "Lastschrift" in empty.json()["mandate_text"]
    created = erika_client.post(
        url(world),
        {"account_holder": "Erika Mustermann", "iban": NEW_IBAN, "mandate_confirmed": True},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "pending" and body["bic"] == "COBADEFFXXX" and body["bank_name"] == "Commerzbank"
    assert body["iban_masked"].endswith("30 00") and "0532" not in str(body)
    listed = erika_client.get(url(world)).json()
    assert listed["can_change"] is False and len(listed["changes"]) == 1
    detail = erika_client.get(f"{API}contracts/{world.contract.pk}/").json()
    assert detail["bank_change"]["status"] == "pending"
    world.contract.refresh_from_db()
    assert "3704" not in world.contract.iban  # never a silent change
    again = erika_client.post(
        url(world),
        {"account_holder": "Erika Mustermann", "iban": NEW_IBAN, "mandate_confirmed": True},
        format="json",
    )
    assert again.status_code == 400 and again.json()["fields"]["non_field_errors"]
    assert BankDetailsChange.objects.count() == 1


def test_bad_input_answers_400_with_the_messages_per_field(world, erika_client):
    response = erika_client.post(
        url(world),
        {"account_holder": "", "iban": "DE89 3704 0044 0532 0130 01", "mandate_confirmed": False},
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"account_holder", "iban", "mandate_confirmed"}
    assert fields["iban"] == [
        "Dies ist keine gültige IBAN. Bitte vergleichen Sie sie mit Ihrer Bankkarte oder Ihrem Kontoauszug."
    ]
    unknown = erika_client.post(url(world), {"bic": "COBADEFFXXX"}, format="json")
    assert unknown.status_code == 400 and "bic" in unknown.json()["fields"]
    assert not BankDetailsChange.objects.exists()


def test_other_tenants_get_404_and_change_nothing(world):
    data = {"account_holder": "Mallory", "iban": NEW_IBAN, "mandate_confirmed": True}
    calls = 0
    for intruder in (world.ben, world.cem):
        client = client_for(token_for(intruder))
        assert client.get(url(world)).status_code == 404
        assert client.post(url(world), data, format="json").status_code == 404
        calls += 2
    assert calls == 4
    assert not BankDetailsChange.objects.exists()
