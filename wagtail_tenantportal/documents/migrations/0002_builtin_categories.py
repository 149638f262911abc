"""The built-in document categories. Their names come from the translation catalogue
(``BUILTIN_CATEGORIES``), so the rows carry only key and order; editors may rename them."""

from django.db import migrations

KEYS = [
    "operating_cost_statement",
    "tenancy_agreement",
    "rent_certificate",
    "landlord_confirmation",
    "letter",
    "tax_certificate",
    "house_rules",
    "notice",
    "other",
]


def create(apps, schema_editor):
    DocumentCategory = apps.get_model("tenantportal_documents", "DocumentCategory")
    for index, key in enumerate(KEYS):
        DocumentCategory.objects.get_or_create(key=key, defaults={"sort_order": index * 10})


class Migration(migrations.Migration):
    dependencies = [("tenantportal_documents", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
