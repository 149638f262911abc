"""A starter set of German request types for permits and forms, each with its own fields
(issue 13). They are data like any type staff create: editors rename, change, deactivate or
delete them in the admin ("Request types"). Offered for tenancy agreements; routed to the
contract's general contact person. Existing types with the same code are left alone."""

from django.db import migrations

TYPES = [
    # code, name, description, order, due days, fields
    (
        "pet_permit",
        "Antrag auf Tierhaltung",
        "Für Hunde, Katzen und andere Tiere außer Kleintieren in Käfigen und Aquarien brauchen Sie "
        "unsere Zustimmung. Wir prüfen Ihren Antrag und melden uns.",
        60,
        14,
        [
            ("Tierart", "animal", "choice", True, "Hund\nKatze\nKleintier (Kaninchen, Meerschweinchen …)\nVogel\nAnderes Tier", ""),
            ("Rasse, Größe und Anzahl", "details", "text", True, "", "z. B. Labrador, 1 Tier"),
            ("Ab wann?", "from_date", "date", False, "", ""),
        ],
    ),
    (
        "sublet_permit",
        "Antrag auf Untervermietung",
        "Wenn Sie einen Teil Ihrer Wohnung untervermieten oder jemanden dauerhaft aufnehmen möchten, "
        "brauchen Sie unsere Erlaubnis (§ 553 BGB).",
        70,
        14,
        [
            ("Name der Untermieterin / des Untermieters", "subtenant", "text", True, "", ""),
            ("Beginn", "from_date", "date", True, "", ""),
            ("Ende (falls befristet)", "until_date", "date", False, "", ""),
            ("Welche Räume?", "rooms", "text", True, "", "z. B. ein Zimmer mit Mitbenutzung von Küche und Bad"),
            ("Grund der Untervermietung", "reason", "textarea", True, "", ""),
        ],
    ),
    (
        "satellite_dish",
        "Antrag auf Anbringung einer Parabolantenne",
        "Parabolantennen dürfen nur mit unserer Zustimmung angebracht werden. Bitte beschreiben Sie, "
        "wo und warum.",
        80,
        21,
        [
            ("Ort der Anbringung", "place", "choice", True, "Balkon (frei stehend)\nBalkonbrüstung\nFassade\nDach", ""),
            ("Durchmesser in cm", "diameter", "text", False, "", ""),
            ("Grund", "reason", "textarea", True, "", "z. B. Programme in Ihrer Muttersprache, die es im Kabelnetz nicht gibt"),
            ("Ein Fachbetrieb bringt die Antenne an", "professional", "checkbox", False, "", ""),
        ],
    ),
    (
        "alteration_permit",
        "Antrag auf bauliche Veränderung",
        "Für Umbauten in Ihrer Wohnung (z. B. Bodenbelag, Einbauküche, Wanddurchbruch, Wallbox) "
        "brauchen Sie vorher unsere Zustimmung.",
        90,
        21,
        [
            ("Was möchten Sie verändern?", "change", "textarea", True, "", ""),
            ("Raum", "room", "text", False, "", ""),
            ("Ausführung durch", "by", "choice", True, "Fachbetrieb\nEigenleistung", ""),
            ("Geplanter Beginn", "from_date", "date", False, "", ""),
        ],
    ),
    (
        "extra_key",
        "Bestellung eines Zusatzschlüssels",
        "Zusätzliche Schlüssel bestellen wir für Sie beim Schließdienst; die Kosten stellen wir Ihnen in Rechnung.",
        100,
        10,
        [
            ("Welcher Schlüssel?", "key", "choice", True, "Wohnungsschlüssel\nHaustürschlüssel\nBriefkastenschlüssel\nKellerschlüssel", ""),
            ("Anzahl", "count", "text", True, "", ""),
            ("Schlüsselnummer (falls bekannt)", "number", "text", False, "", ""),
        ],
    ),
]


def seed(apps, schema_editor):
    TicketType = apps.get_model("tenantportal_tickets", "TicketType")
    TicketTypeField = apps.get_model("tenantportal_tickets", "TicketTypeField")
    for code, name, description, order, due_days, fields in TYPES:
        ticket_type, created = TicketType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "kind": "other",
                "topic": "general",
                "contract_kinds": ["rental"],
                "sort_order": order,
                "due_days": due_days,
            },
        )
        if not created:
            continue
        for index, (label, key, kind, required, choices, help_text) in enumerate(fields):
            TicketTypeField.objects.create(
                ticket_type=ticket_type,
                sort_order=index,
                label=label,
                name=key,
                kind=kind,
                required=required,
                choices=choices,
                help_text=help_text,
            )


def unseed(apps, schema_editor):
    TicketType = apps.get_model("tenantportal_tickets", "TicketType")
    Ticket = apps.get_model("tenantportal_tickets", "Ticket")
    codes = [code for code, *_rest in TYPES]
    used = set(Ticket.objects.filter(ticket_type__code__in=codes).values_list("ticket_type__code", flat=True))
    TicketType.objects.filter(code__in=set(codes) - used).delete()


class Migration(migrations.Migration):
    dependencies = [("tenantportal_tickets", "0004_ticket_read")]

    operations = [migrations.RunPython(seed, unseed)]
