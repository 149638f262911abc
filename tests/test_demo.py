"""The example site's demo loader (``manage.py load_demo_data``).

Needs the example site's apps, so it runs in its own pytest invocation:
``pytest --ds=tests.example_settings tests/test_demo.py`` (``make test`` does). Under the
suite's default settings these tests are skipped.
"""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

pytestmark = [
    pytest.mark.skipif(
        not apps.is_installed("home"),
        reason="example site not installed: run pytest --ds=tests.example_settings tests/test_demo.py",
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def demo(capsys):
    """Load the demo twice (the second run must change nothing) and return the second output."""
    call_command("load_demo_data")
    capsys.readouterr()
    call_command("load_demo_data")
    return capsys.readouterr().out


def test_demo_loads_twice_with_the_same_data(demo):
    from wagtail_tenantportal.tenancy.models import (
        Company,
        ContactPerson,
        ContactResponsibility,
        Contract,
        ContractParty,
        Party,
        Property,
        RentComponent,
        Unit,
    )

    assert Company.objects.count() == 2
    assert Property.objects.count() == 5
    assert Unit.objects.count() == 42
    assert {kind: Unit.objects.filter(kind=kind).count() for kind in Unit.Kind} == {
        Unit.Kind.FLAT: 32,
        Unit.Kind.PARKING: 9,
        Unit.Kind.COMMERCIAL: 1,
    }
    assert Party.objects.count() == 38
    kinds = {kind: Contract.objects.filter(kind=kind).count() for kind in Contract.Kind}
    assert all(kinds.values()), kinds
    assert Contract.objects.count() == 79
    assert ContractParty.objects.filter(role=ContractParty.Role.CO_TENANT).count() == 5
    assert RentComponent.objects.count() == 173
    assert ContactPerson.objects.count() == 6
    assert ContactResponsibility.objects.count() == 14
    # Second run: everything unchanged.
    assert "79 unchanged" in demo
    assert " new" in demo and not any(f"{n} new" in demo for n in range(1, 200))


def test_letterheads_and_contact_persons_per_company(demo):
    from wagtail_tenantportal.tenancy.models import Company, Contract, Topic, contact_person_for

    lindenhof = Company.objects.get(erp_id="LH")
    assert lindenhof.display_name == "Wohnungsgenossenschaft Lindenhof eG"
    assert lindenhof.register_court == "Amtsgericht Leipzig"
    assert lindenhof.emergency_phone and lindenhof.opening_hours and lindenhof.sender_line
    assert lindenhof.has_savings_scheme
    elsteraue = Company.objects.get(erp_id="EA")
    assert elsteraue.two_factor_policy == Company.TwoFactorPolicy.REQUIRED
    contract = Contract.objects.get(company=lindenhof, number="0101-01")
    assert contact_person_for(contract).name == "Sandra Vogel"
    assert contact_person_for(contract, Topic.TECHNICAL).name == "Jens Richter"
    gruenau = Contract.objects.get(company=lindenhof, number="0304-01")
    assert contact_person_for(gruenau).name == "Michael Hartmann"
    assert contact_person_for(gruenau, Topic.TECHNICAL).name == "Jens Richter"
    membership = Contract.objects.get(company=lindenhof, number="M-1001")
    assert contact_person_for(membership, Topic.MEMBERSHIP).name == "Petra Lorenz"
    assert contact_person_for(membership).name == "Sandra Vogel"
    elster_flat = Contract.objects.get(company=elsteraue, number="100.001.1")
    assert contact_person_for(elster_flat).name == "Claudia Neumann"
    assert contact_person_for(elster_flat, Topic.TECHNICAL).name == "Frank Lehmann"


def test_every_bank_account_is_valid(demo):
    from wagtail_tenantportal.tenancy.models import Company, Contract
    from wagtail_tenantportal.tenancy.validators import iban_is_valid

    ibans = list(Contract.objects.exclude(iban="").values_list("iban", flat=True))
    ibans += list(Company.objects.values_list("iban", flat=True))
    assert len(ibans) > 30
    assert all(iban.startswith("DE") and len(iban) == 22 and iban_is_valid(iban) for iban in ibans)


def test_tenant_account_sees_her_contracts_only(demo):
    from wagtail_tenantportal.tenancy.models import Contract

    user = authenticate(username="erika.mustermann@example.org", password="lindenhof-mieterin")
    assert user is not None and not user.is_staff
    visible = Contract.objects.visible_to(user)
    assert sorted(visible.values_list("kind", flat=True)) == ["membership", "parking", "rental", "savings"]
    rental = visible.get(kind=Contract.Kind.RENTAL)
    assert rental.number == "0101-01"
    assert rental.unit.property.street == "Lindenhofstraße 14"
    assert {c.label for c in rental.current_rent_components()} == {
        "Grundmiete",
        "Betriebskostenvorauszahlung",
        "Heizkostenvorauszahlung",
    }
    assert Contract.objects.count() > visible.count()


def test_staff_login_works(demo):
    user = authenticate(username="admin", password="lindenhof-admin")
    assert user is not None and user.is_superuser


def test_homepage_lists_both_cooperatives(demo, client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Willkommen bei der Wohnungsgenossenschaft Lindenhof eG" in html
    assert "Wohnungsgenossenschaft Lindenhof eG</h3>" in html
    assert "Bauverein Elsteraue eG</h3>" in html
    assert 'href="/mieterportal-so-funktionierts/"' in html
    assert '<a href="/kontakt/">Kontakt</a>' in html  # in the main menu
    for path in ["/ueber-uns/", "/mieterportal-so-funktionierts/", "/kontakt/"]:
        assert client.get(path).status_code == 200
    assert "Demo logins" in demo and "erika.mustermann@example.org" in demo
