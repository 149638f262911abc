"""The German starter damage taxonomy and its command."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CompanyFactory
from wagtail_tenantportal.tickets.models import DamageCategory, DamageKind, DamageLocation
from wagtail_tenantportal.tickets.taxonomy import GERMAN_TAXONOMY, seed_damage_taxonomy

pytestmark = pytest.mark.django_db


def test_seed_creates_the_three_levels_with_urgent_kinds_and_shared_areas():
    result = seed_damage_taxonomy()
    assert result.created["locations"] == len(GERMAN_TAXONOMY) == DamageLocation.objects.count()
    assert result.created["kinds"] == DamageKind.objects.count() > 30
    assert set(DamageLocation.objects.filter(is_shared_area=True).values_list("name", flat=True)) >= {
        "Treppenhaus / Hauseingang",
        "Aufzug",
    }
    assert not DamageLocation.objects.get(name="Küche").is_shared_area
    gas = DamageKind.objects.get(name="Gasgeruch", category__location__name="Küche")
    assert gas.is_urgent() and "112" in gas.hint
    pipe = DamageKind.objects.get(name="Rohrbruch / Wasser tritt aus", category__location__name="Bad / WC")
    assert pipe.urgency == DamageKind.Urgency.ALWAYS
    heating = DamageKind.objects.get(name="Heizung fällt aus")
    assert heating.urgency == DamageKind.Urgency.HEATING_SEASON
    assert heating.category.name == "Heizung"
    assert not DamageKind.objects.get(name="Wasserhahn tropft", category__location__name="Küche").is_urgent()
    # The listed order is the order tenants see.
    assert list(DamageLocation.objects.values_list("name", flat=True)) == [row[0] for row in GERMAN_TAXONOMY]


def test_seed_again_keeps_what_editors_changed():
    seed_damage_taxonomy()
    tap = DamageKind.objects.get(name="Wasserhahn tropft", category__location__name="Küche")
    tap.active = False
    tap.hint = "Bitte selbst den Perlator reinigen."
    tap.save()
    counts = (DamageLocation.objects.count(), DamageCategory.objects.count(), DamageKind.objects.count())

    result = seed_damage_taxonomy()

    assert result.total_created == 0
    assert counts == (
        DamageLocation.objects.count(),
        DamageCategory.objects.count(),
        DamageKind.objects.count(),
    )
    tap.refresh_from_db()
    assert not tap.active and tap.hint == "Bitte selbst den Perlator reinigen."


def test_command_for_one_company(capsys):
    company = CompanyFactory(erp_id="LH")
    call_command("tenantportal_seed_damage_taxonomy", "--company", "LH")
    assert "Damage taxonomy ready." in capsys.readouterr().out
    assert set(DamageLocation.objects.values_list("company", flat=True)) == {company.pk}
    with pytest.raises(CommandError, match="No company"):
        call_command("tenantportal_seed_damage_taxonomy", "--company", "XX")
