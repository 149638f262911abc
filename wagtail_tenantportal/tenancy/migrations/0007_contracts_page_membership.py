""""My contracts" pages that show the old default kinds (tenancy and parking agreements) show
the membership too (the new default): cooperatives' members expect it there (issue 13)."""

from django.db import migrations

OLD_DEFAULT = ["rental", "parking"]
NEW_DEFAULT = ["rental", "parking", "membership"]


def add_membership(apps, schema_editor):
    ContractsPage = apps.get_model("tenantportal_tenancy", "ContractsPage")
    for page in ContractsPage.objects.all().only("pk", "contract_kinds"):
        if sorted(page.contract_kinds or OLD_DEFAULT) == sorted(OLD_DEFAULT):
            ContractsPage.objects.filter(pk=page.pk).update(contract_kinds=NEW_DEFAULT)


def remove_membership(apps, schema_editor):
    ContractsPage = apps.get_model("tenantportal_tenancy", "ContractsPage")
    ContractsPage.objects.filter(contract_kinds=NEW_DEFAULT).update(contract_kinds=OLD_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("tenantportal_tenancy", "0006_bank_details_change")]

    operations = [migrations.RunPython(add_membership, remove_membership)]
