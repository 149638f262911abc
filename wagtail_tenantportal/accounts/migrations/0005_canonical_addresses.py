# Portal users' addresses in the one canonical form that lookups and attempt limits use
# (core.identity.canonical_email). Collisions are left as they were and reported; the command
# tenantportal_normalise_addresses lists them again.

import logging

from django.conf import settings
from django.db import migrations

logger = logging.getLogger("wagtail_tenantportal.accounts")


def normalise(apps, schema_editor):
    from wagtail_tenantportal.accounts.addresses import normalise_addresses

    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    report = normalise_addresses(
        apps.get_model(app_label, model_name), apps.get_model("tenantportal_accounts", "PortalAccount")
    )
    if report.changed or report.collisions:
        for line in report.lines():
            (logger.warning if report.collisions else logger.info)("%s", line)
            print(f"  tenantportal_accounts: {line}")  # noqa: T201 - shown by migrate


class Migration(migrations.Migration):

    dependencies = [
        ("tenantportal_accounts", "0004_portal_pages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
