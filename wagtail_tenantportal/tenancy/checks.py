"""System checks of the staff scope (ids ``tenantportal_tenancy.W0xx``, see docs/staff-admin.md).

The check reads the database, so, like Django's database checks, it runs when a database is
named: ``manage.py check --database default`` and at the start of ``migrate``.
"""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

#: Users named in the message at most (the command lists all).
LISTED = 20


@register(Tags.security, Tags.database)
def check_staff_without_company(app_configs=None, databases=None, **kwargs):
    """Staff who may use the admin but work for no company see no tenant data."""
    if not databases:
        return []
    from .staff_scope import staff_without_company

    try:
        users = list(staff_without_company()[: LISTED + 1])
    except DatabaseError:  # not migrated yet
        return []
    if not users:
        return []
    names = ", ".join(user.get_username() for user in users[:LISTED])
    more = " and more" if len(users) > LISTED else ""
    return [
        Warning(
            f"Staff users with admin access work for no company and see no tenant data: {names}{more}.",
            hint=(
                "Add them to a staff group of their company (Settings → Groups → Tenant portal: "
                "companies), or run: manage.py tenantportal_staff_scope --company <slug> --unassigned-staff"
            ),
            id="tenantportal_tenancy.W001",
        )
    ]
