"""Phone numbers: parsed (region DE), stored in E.164, shown formatted; one field for every
place tenants type one; the first contact check pre-filled from the ERP's party data."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import ContractFactory
from wagtail_tenantportal.accounts.forms import ContactDataForm
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.core.phones import PhoneField, clean_phone, format_phone


@pytest.mark.parametrize(
    "typed, stored, shown",
    [
        ("0341 1234567", "+493411234567", "0341 1234567"),
        ("0341/123 45 67", "+493411234567", "0341 1234567"),
        ("+49 (0)341 1234567", "+493411234567", "0341 1234567"),
        ("0049 341 1234567", "+493411234567", "0341 1234567"),
        ("0171 1234567", "+491711234567", "0171 1234567"),
        ("+43 1 234567", "+431234567", "+43 1 234567"),
        ("", "", ""),
    ],
)
def test_numbers_are_stored_in_e164_and_shown_formatted(typed, stored, shown):
    assert clean_phone(typed) == stored
    assert format_phone(stored) == shown


@pytest.mark.parametrize(
    "typed", ["123", "abc", "0341", "+49 341 1234567 8901 2345", "x" * 50, "0341 1234567 ext. hallo"]
)
def test_odd_formats_are_refused_in_german(typed):
    with pytest.raises(ValidationError) as error:
        clean_phone(typed)
    with translation.override("de"):
        assert error.value.messages == [
            "Bitte geben Sie eine Telefonnummer wie 0341 1234567 oder +49 341 1234567 ein."
        ]


def test_old_values_are_shown_as_they_are():
    assert format_phone("bitte abends") == "bitte abends"


def test_the_field_cleans_and_shows_formatted():
    field = PhoneField(label="Telefon")
    assert field.clean(" 0341-1234567 ") == "+493411234567"
    assert field.prepare_value("+493411234567") == "0341 1234567"
    assert 'type="tel"' in field.widget.render("phone", "")
    with pytest.raises(ValidationError):
        field.clean("12")


@pytest.mark.django_db
def test_the_contact_form_stores_e164():
    form = ContactDataForm({"phone": "0341 1234567", "mobile": "", "phone_work": "+44 20 7946 0018"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"phone": "+493411234567", "mobile": "", "phone_work": "+442079460018"}
    refused = ContactDataForm({"phone": "01", "mobile": "", "phone_work": ""})
    assert not refused.is_valid() and "phone" in refused.errors


@pytest.mark.django_db
def test_the_first_contact_check_is_prefilled_from_the_erp(client):
    from tests.factories import tenant_for

    contract = ContractFactory()
    user, party = tenant_for(contract)
    party.phone, party.mobile, party.phone_work = "0341 99 88 77", "0171/1234567", "kaputt"
    party.save()
    PortalAccount.objects.filter(user=user).update(contact_checked_at=None, phone="", mobile="")
    client.force_login(user)
    page = client.get("/portal/account/contact/").content.decode()
    assert 'value="0341 998877"' in page and 'value="0171 1234567"' in page
    assert "kaputt" not in page
    account = PortalAccount.objects.get(user=user)
    assert account.phone == ""  # nothing stored before the tenant saves
    response = client.post("/portal/account/contact/", {"phone": "0341 998877", "mobile": "0171 1234567"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.phone, account.mobile, account.contact_checked_at is not None) == (
        "+49341998877",
        "+491711234567",
        True,
    )
    # Once checked, the ERP's numbers no longer come back.
    PortalAccount.objects.filter(pk=account.pk).update(phone="", mobile="")
    assert "0341 998877" not in client.get("/portal/account/contact/").content.decode()


@pytest.mark.django_db
def test_another_tenant_never_sees_the_erp_numbers(client):
    from tests.factories import tenant_for

    contract = ContractFactory()
    _user, party = tenant_for(contract)
    party.phone = "0341 99 88 77"
    party.save()
    stranger, _ = tenant_for(ContractFactory())
    PortalAccount.objects.filter(user=stranger).update(contact_checked_at=None)
    client.force_login(stranger)
    assert "998877" not in client.get("/portal/account/contact/").content.decode()


@pytest.mark.django_db
def test_the_api_profile_and_a_request_normalise_too(client):
    from rest_framework.test import APIClient

    from tests.factories import tenant_for
    from wagtail_tenantportal.tickets import services
    from wagtail_tenantportal.tickets.models import TicketType

    contract = ContractFactory()
    user, _party = tenant_for(contract)
    api = APIClient()
    api.force_login(user)
    answer = api.patch("/portal/api/v1/me/profile/", {"phone": "0341 1234567"}, format="json")
    assert answer.status_code == 200 and answer.json()["phone"] == "+493411234567"
    refused = api.patch("/portal/api/v1/me/profile/", {"phone": "12"}, format="json")
    assert refused.status_code == 400 and "phone" in refused.json()["fields"]
    ticket = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=user,
        subject="Frage",
        description="Bitte rufen Sie an.",
        contact_phone="0341/1234567",
    )
    assert ticket.contact_phone == "+493411234567"
    with pytest.raises(ValidationError) as error:
        services.submit_ticket(
            contract=contract,
            ticket_type=TicketType.objects.get(code="general_contact"),
            user=user,
            subject="Frage",
            description="Bitte rufen Sie an.",
            contact_phone="abc",
        )
    assert "contact_phone" in error.value.message_dict


@pytest.mark.django_db
def test_the_registration_form_refuses_an_odd_phone():
    from wagtail_tenantportal.accounts.forms import ClaimRegistrationForm

    form = ClaimRegistrationForm({"phone": "12"})
    form.is_valid()
    assert "phone" in form.errors
    form = ClaimRegistrationForm({"phone": "0341 1234567"})
    form.is_valid()
    assert "phone" not in form.errors and form.cleaned_data["phone"] == "+493411234567"
