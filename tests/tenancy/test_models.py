import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PartyFactory,
    PropertyFactory,
    UnitFactory,
    UserFactory,
    tenant_for,
)
from wagtail_tenantportal.accounts.models import AccountParty
from wagtail_tenantportal.tenancy.models import (
    Company,
    ContactPerson,
    ContactResponsibility,
    Contract,
    ContractParty,
    Party,
    Property,
    RentComponent,
    Topic,
    Unit,
)
from wagtail_tenantportal.tenancy.services import contact_person_for
from wagtail_tenantportal.tenancy.validators import format_iban, iban_is_valid, validate_bic, validate_iban

pytestmark = pytest.mark.django_db


class TestVisibleTo:
    def test_tenant_sees_only_own_records(self):
        mine = ContractFactory()
        other = ContractFactory()
        user, party = tenant_for(mine)
        tenant_for(other)

        assert list(Contract.objects.visible_to(user)) == [mine]
        assert list(Party.objects.visible_to(user)) == [party]
        assert list(Unit.objects.visible_to(user)) == [mine.unit]
        assert list(Property.objects.visible_to(user)) == [mine.unit.property]
        assert list(Company.objects.visible_to(user)) == [mine.company]
        assert list(ContractParty.objects.visible_to(user).values_list("party", flat=True)) == [party.pk]

    def test_co_tenant_sees_contract_and_all_its_parties_links(self):
        contract = ContractFactory()
        main_user, _ = tenant_for(contract)
        co_user, _ = tenant_for(contract, role=ContractParty.Role.CO_TENANT)
        assert list(Contract.objects.visible_to(main_user)) == [contract]
        assert list(Contract.objects.visible_to(co_user)) == [contract]
        assert ContractParty.objects.visible_to(co_user).count() == 2

    def test_anonymous_inactive_and_unlinked_users_see_nothing(self):
        contract = ContractFactory()
        user, _ = tenant_for(contract)
        assert not Contract.objects.visible_to(AnonymousUser()).exists()
        assert not Contract.objects.visible_to(None).exists()
        assert not Contract.objects.visible_to(UserFactory()).exists()
        user.is_active = False
        user.save()
        assert not Contract.objects.visible_to(user).exists()

    def test_deactivated_link_hides_contract(self):
        contract = ContractFactory()
        user, party = tenant_for(contract)
        AccountParty.objects.filter(party=party).update(active=False)
        assert not Contract.objects.visible_to(user).exists()
        assert not RentComponent.objects.visible_to(user).exists()

    def test_party_across_companies(self):
        first = ContractFactory()
        second = ContractFactory()  # another company
        user, _ = tenant_for(first)
        tenant_for(second, user=user)
        assert set(Contract.objects.visible_to(user)) == {first, second}
        assert Company.objects.visible_to(user).count() == 2

    def test_visible_to_is_one_query_whatever_the_size(self, django_assert_num_queries):
        contract = ContractFactory()
        user, _ = tenant_for(contract)
        for _ in range(5):
            tenant_for(ContractFactory())
        with django_assert_num_queries(1):
            list(Contract.objects.visible_to(user))


class TestContract:
    def test_current_excludes_ended(self):
        today = datetime.date(2026, 6, 1)
        active = ContractFactory()
        ContractFactory(status=Contract.Status.ENDED)
        ContractFactory(end_date=datetime.date(2026, 1, 31))
        terminated = ContractFactory(status=Contract.Status.TERMINATED, end_date=datetime.date(2026, 9, 30))
        assert set(Contract.objects.current(today)) == {active, terminated}

    def test_clean_rejects_end_before_start_and_foreign_unit(self):
        contract = ContractFactory.build(
            unit=UnitFactory(), start_date=datetime.date(2026, 2, 1), end_date=datetime.date(2026, 1, 1)
        )
        contract.company = CompanyFactory()
        with pytest.raises(ValidationError) as exc:
            contract.clean()
        assert set(exc.value.message_dict) == {"end_date", "unit"}

    def test_current_rent_components_take_latest_valid_per_label(self):
        contract = ContractFactory()
        add = RentComponent.objects.create
        add(
            contract=contract, label="Grundmiete", amount=Decimal("400"), valid_from=datetime.date(2024, 1, 1)
        )
        add(
            contract=contract, label="Grundmiete", amount=Decimal("420"), valid_from=datetime.date(2025, 1, 1)
        )
        add(
            contract=contract, label="Grundmiete", amount=Decimal("450"), valid_from=datetime.date(2027, 1, 1)
        )
        add(
            contract=contract,
            label="Betriebskosten",
            amount=Decimal("90"),
            valid_from=datetime.date(2024, 1, 1),
            sort_order=1,
        )
        current = contract.current_rent_components(on=datetime.date(2026, 6, 1))
        assert [(c.label, c.amount) for c in current] == [
            ("Grundmiete", Decimal("420")),
            ("Betriebskosten", Decimal("90")),
        ]

    def test_iban_is_masked_for_tenants(self):
        contract = ContractFactory(iban="DE89370400440532013000")
        assert contract.iban_display == "DE89 3704 0044 0532 0130 00"
        assert contract.iban_masked == "DE•• •••• •••• •••• ••30 00"
        assert "0532" not in contract.iban_masked and "89" not in contract.iban_masked


class TestValidators:
    @pytest.mark.parametrize(
        "iban",
        [
            "DE89370400440532013000",
            "de89 3704 0044 0532 0130 00",
            "AT611904300234573201",
            "CH9300762011623852957",
        ],
    )
    def test_valid_ibans(self, iban):
        assert iban_is_valid(iban)
        validate_iban(iban)

    @pytest.mark.parametrize("iban", ["DE89370400440532013001", "DE8937040044053201300", "XX", "DE89-3704"])
    def test_invalid_ibans(self, iban):
        assert not iban_is_valid(iban)
        with pytest.raises(ValidationError):
            validate_iban(iban)

    def test_bic(self):
        validate_bic("COBADEFFXXX")
        validate_bic("COBADEFF")
        with pytest.raises(ValidationError):
            validate_bic("COBA1")

    def test_format_iban(self):
        assert format_iban(" de89370400440532013000 ") == "DE89 3704 0044 0532 0130 00"


class TestContactPerson:
    def test_most_specific_responsibility_wins(self):
        contract = ContractFactory()
        company = contract.company
        make = ContactPerson.objects.create
        general = make(company=company, name="Frau Allgemein")
        house = make(company=company, name="Herr Haus")
        technical = make(company=company, name="Frau Technik")
        ContactResponsibility.objects.create(contact_person=general, company=company)
        assert contact_person_for(contract) == general
        ContactResponsibility.objects.create(
            contact_person=house, company=company, property=contract.unit.property
        )
        assert contact_person_for(contract) == house
        ContactResponsibility.objects.create(
            contact_person=technical, company=company, property=contract.unit.property, topic=Topic.TECHNICAL
        )
        assert contact_person_for(contract, Topic.TECHNICAL) == technical
        assert contact_person_for(contract, Topic.RENT) == house

    def test_other_company_and_inactive_persons_are_ignored(self):
        contract = ContractFactory()
        stranger = ContactPerson.objects.create(company=CompanyFactory(), name="Fremd")
        ContactResponsibility.objects.create(contact_person=stranger, company=stranger.company)
        inactive = ContactPerson.objects.create(company=contract.company, name="Weg", active=False)
        ContactResponsibility.objects.create(contact_person=inactive, company=contract.company)
        assert contact_person_for(contract) is None

    def test_contract_without_unit(self):
        contract = ContractFactory(unit=None, company=CompanyFactory(), kind=Contract.Kind.MEMBERSHIP)
        person = ContactPerson.objects.create(company=contract.company, name="Mitgliederwesen")
        ContactResponsibility.objects.create(
            contact_person=person, company=contract.company, topic=Topic.MEMBERSHIP
        )
        assert contact_person_for(contract, Topic.MEMBERSHIP) == person


def test_display_names():
    company = Company(name="Wohnungsgenossenschaft Lindenhof", legal_form="eG")
    assert str(company) == "Wohnungsgenossenschaft Lindenhof eG"
    party = Party(salutation=Party.Salutation.MS, title="Dr.", first_name="Erika", last_name="Mustermann")
    assert party.full_name == "Dr. Erika Mustermann"
    assert party.letter_name_lines == ["Ms", "Dr. Erika Mustermann"]
    unit = Unit(kind=Unit.Kind.FLAT, number="0.02")
    assert str(unit) == "Flat 0.02"


def test_unit_clean_checks_company():
    unit = UnitFactory.build(property=PropertyFactory(), company=CompanyFactory())
    with pytest.raises(ValidationError) as exc:
        unit.clean()
    assert "property" in exc.value.message_dict
    UnitFactory.build(property=unit.property, company=unit.property.company).clean()


def test_party_factory_defaults():
    assert PartyFactory().company_id is not None
