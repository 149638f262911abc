"""A German starter damage taxonomy (Schadensort → Schadenskategorie → Schadensart).

``seed_damage_taxonomy()`` is what ``manage.py tenantportal_seed_damage_taxonomy`` runs; the
example site's demo calls it too. The taxonomy is editor content, entered in German (see
docs/tickets.md), so the names here are German data, not message ids.
"""

from dataclasses import dataclass, field

from django.db import transaction

from .models import DamageCategory, DamageKind, DamageLocation

ALWAYS = DamageKind.Urgency.ALWAYS
HEATING = DamageKind.Urgency.HEATING_SEASON

HINT_WATER = (
    "Drehen Sie, wenn möglich, den Absperrhahn der Wohnung zu, schalten Sie Geräte in der Nähe "
    "des Wassers stromlos und rufen Sie sofort unseren Notdienst an."
)
HINT_GAS = (
    "Keine Lichtschalter, Klingeln oder Telefone im Haus benutzen, kein offenes Feuer. Fenster "
    "öffnen, das Haus verlassen und von draußen die Feuerwehr (112) oder den Gasnotdienst anrufen."
)
HINT_HEATING = (
    "Prüfen Sie bitte zuerst, ob die Thermostatventile geöffnet sind. Bleibt die ganze Wohnung "
    "kalt, rufen Sie in der Heizperiode unseren Notdienst an."
)
HINT_LIFT = (
    "Drücken Sie den Notrufknopf im Aufzug: Sie werden mit der Notrufzentrale verbunden. "
    "Versuchen Sie nicht, die Tür selbst zu öffnen."
)
HINT_POWER = "Prüfen Sie bitte zuerst die Sicherungen im Sicherungskasten Ihrer Wohnung."

# (kind, urgency, hint, priority); urgency "" = not urgent, priority "" = the type's.
_WATER_PIPE = ("Rohrbruch / Wasser tritt aus", ALWAYS, HINT_WATER, "")
_GAS = ("Gasgeruch", ALWAYS, HINT_GAS, "")
_MOULD = ("Schimmel an Wand oder Decke", "", "", "")

#: [(location, shared area, [(category, [(kind, urgency, hint, priority), ...]), ...]), ...]
GERMAN_TAXONOMY = [
    (
        "Küche",
        False,
        [
            (
                "Sanitär",
                [
                    ("Wasserhahn tropft", "", "", "low"),
                    ("Abfluss verstopft", "", "", ""),
                    _WATER_PIPE,
                ],
            ),
            (
                "Elektrik",
                [
                    ("Steckdose ohne Strom", "", HINT_POWER, ""),
                    ("Herd oder Einbaugerät defekt", "", "", ""),
                ],
            ),
            ("Gas", [_GAS]),
            ("Fenster & Türen", [("Fenster schließt nicht richtig", "", "", "")]),
            ("Schimmel & Feuchtigkeit", [_MOULD]),
        ],
    ),
    (
        "Bad / WC",
        False,
        [
            (
                "Sanitär",
                [
                    ("Wasserhahn tropft", "", "", "low"),
                    ("WC-Spülung läuft ständig", "", "", ""),
                    ("Abfluss verstopft", "", "", ""),
                    ("Kein Warmwasser", "", "", "high"),
                    _WATER_PIPE,
                ],
            ),
            ("Heizung", [("Handtuchheizkörper wird nicht warm", "", "", "")]),
            (
                "Elektrik",
                [("Licht oder Steckdose ohne Strom", "", HINT_POWER, ""), ("Lüfter läuft nicht", "", "", "")],
            ),
            ("Schimmel & Feuchtigkeit", [_MOULD, ("Fugen undicht", "", "", "")]),
        ],
    ),
    (
        "Wohn- und Schlafräume",
        False,
        [
            (
                "Heizung",
                [
                    ("Heizkörper wird nicht warm", "", "", ""),
                    ("Heizung fällt aus", HEATING, HINT_HEATING, "high"),
                    ("Thermostatventil defekt", "", "", ""),
                ],
            ),
            (
                "Elektrik",
                [
                    ("Steckdose ohne Strom", "", HINT_POWER, ""),
                    ("Sicherung löst immer wieder aus", "", "", "high"),
                ],
            ),
            (
                "Fenster & Türen",
                [
                    ("Fenster schließt nicht richtig", "", "", ""),
                    ("Rollladen oder Gurt defekt", "", "", "low"),
                    ("Wohnungstür schließt nicht", "", "", "high"),
                ],
            ),
            ("Schimmel & Feuchtigkeit", [_MOULD, ("Wasserfleck an der Decke", "", "", "high")]),
        ],
    ),
    (
        "Balkon / Loggia",
        False,
        [
            ("Fenster & Türen", [("Balkontür schließt nicht richtig", "", "", "")]),
            ("Bauliche Schäden", [("Geländer locker", "", "", "high"), ("Abfluss verstopft", "", "", "")]),
        ],
    ),
    (
        "Treppenhaus / Hauseingang",
        True,
        [
            (
                "Elektrik",
                [
                    ("Treppenhauslicht defekt", "", "", ""),
                    ("Klingel oder Gegensprechanlage defekt", "", "", ""),
                ],
            ),
            (
                "Fenster & Türen",
                [("Haustür schließt nicht", "", "", "high"), ("Briefkasten beschädigt", "", "", "low")],
            ),
            ("Gas", [_GAS]),
        ],
    ),
    (
        "Keller",
        True,
        [
            ("Sanitär", [_WATER_PIPE]),
            ("Heizung", [("Heizung fällt im ganzen Haus aus", HEATING, HINT_HEATING, "high")]),
            ("Elektrik", [("Kellerlicht defekt", "", "", "")]),
            ("Fenster & Türen", [("Kellertür schließt nicht", "", "", "")]),
            ("Schimmel & Feuchtigkeit", [("Feuchtigkeit oder Schimmel im Keller", "", "", "")]),
        ],
    ),
    (
        "Aufzug",
        True,
        [
            (
                "Aufzug",
                [
                    ("Aufzug steht still", "", "", "high"),
                    ("Person im Aufzug eingeschlossen", ALWAYS, HINT_LIFT, ""),
                    ("Aufzugtür schließt nicht", "", "", "high"),
                ],
            ),
        ],
    ),
    (
        "Außenanlage",
        True,
        [
            (
                "Wege & Beleuchtung",
                [("Außenbeleuchtung defekt", "", "", ""), ("Weg beschädigt (Stolpergefahr)", "", "", "high")],
            ),
            (
                "Müllplatz & Grünflächen",
                [("Mülltonne beschädigt", "", "", "low"), ("Spielgerät beschädigt", "", "", "high")],
            ),
        ],
    ),
]


@dataclass
class SeedResult:
    """How many locations, categories and kinds a seeding ``created``, keyed by level."""

    created: dict = field(default_factory=lambda: {"locations": 0, "categories": 0, "kinds": 0})
    existing: dict = field(default_factory=lambda: {"locations": 0, "categories": 0, "kinds": 0})

    @property
    def total_created(self):
        return sum(self.created.values())


@transaction.atomic
def seed_damage_taxonomy(company=None, taxonomy=None):
    """Add the German starter taxonomy (``GERMAN_TAXONOMY`` or ``taxonomy`` in its shape) and
    return a ``SeedResult``.

    Entries are matched by name (location: with ``company``; None = for all companies). Missing
    ones are created, active, in the listed order; existing ones are left exactly as editors
    made them (also when deactivated), so running it again changes nothing.
    """
    result = SeedResult()
    for location_order, (location_name, shared, categories) in enumerate(taxonomy or GERMAN_TAXONOMY, 1):
        location, created = DamageLocation.objects.get_or_create(
            name=location_name,
            company=company,
            defaults={"is_shared_area": shared, "sort_order": location_order * 10},
        )
        _count(result, "locations", created)
        for category_order, (category_name, kinds) in enumerate(categories, 1):
            category, created = DamageCategory.objects.get_or_create(
                location=location, name=category_name, defaults={"sort_order": category_order * 10}
            )
            _count(result, "categories", created)
            for kind_order, (kind_name, urgency, hint, priority) in enumerate(kinds, 1):
                _kind, created = DamageKind.objects.get_or_create(
                    category=category,
                    name=kind_name,
                    defaults={
                        "urgency": urgency,
                        "hint": hint,
                        "priority": priority,
                        "sort_order": kind_order * 10,
                    },
                )
                _count(result, "kinds", created)
    return result


def _count(result, level, created):
    (result.created if created else result.existing)[level] += 1


def has_damage_taxonomy():
    """Whether any damage location exists (for every company or one)."""
    return DamageLocation.objects.exists()


def seed_if_empty():
    """The German starter taxonomy for a portal that has none yet (``tenantportal_setup_pages``
    calls it, so a new portal's tenants can report damage at once): a ``SeedResult``, or None
    when a taxonomy exists (editors' entries are never touched)."""
    if has_damage_taxonomy():
        return None
    return seed_damage_taxonomy()
