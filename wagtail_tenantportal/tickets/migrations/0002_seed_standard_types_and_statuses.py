"""The standard statuses and request types. Names are English msgids, shown translated
(see ``models.SEEDED_LABELS``); editors may rename or deactivate them afterwards."""

from django.db import migrations

STATUSES = [
    # code, name, order, initial, closed, awaiting tenant
    ("new", "New", 10, True, False, False),
    ("in_progress", "In progress", 20, False, False, False),
    ("awaiting_tenant", "Awaiting your reply", 30, False, False, True),
    ("done", "Done", 40, False, True, False),
    ("rejected", "Rejected", 50, False, True, False),
]

TYPES = [
    # code, name, kind, topic, order, due days
    ("general_contact", "General contact request", "general", "general", 10, 5),
    ("damage_report", "Damage report", "damage", "technical", 20, 14),
    ("complaint", "Complaint", "complaint", "general", 30, 10),
    ("document_request", "Document request", "document", "general", 40, 10),
    ("appointment_request", "Appointment request", "appointment", "general", 50, 5),
]


def seed(apps, schema_editor):
    TicketStatus = apps.get_model("tenantportal_tickets", "TicketStatus")
    TicketType = apps.get_model("tenantportal_tickets", "TicketType")
    for code, name, order, initial, closed, awaiting in STATUSES:
        TicketStatus.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sort_order": order,
                "is_initial": initial,
                "is_closed": closed,
                "awaiting_tenant": awaiting,
            },
        )
    for code, name, kind, topic, order, due_days in TYPES:
        TicketType.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "topic": topic, "sort_order": order, "due_days": due_days},
        )


class Migration(migrations.Migration):
    dependencies = [("tenantportal_tickets", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
