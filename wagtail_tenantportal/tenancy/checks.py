"""System checks of tenancy that read the database.

Staff scope (``tenantportal_tenancy.W001``, see docs/staff-admin.md): staff who may use the admin
but work for no company. Like Django's database checks it runs when a database is named:
``manage.py check --database default`` and at the start of ``migrate``.

Go-live checks of what the database holds about sites and companies (ids
``wagtail_tenantportal.W071``-``W073``, ``W076``, see docs/settings.md). Silent before ``migrate``.

- ``W071``: a Wagtail Site record still says ``localhost`` (or another placeholder host):
  Wagtail's own absolute links and the company's site address point there.
- ``W072``: a company has no website (``Company.site``) while the portal has several sites
  or companies: its mails and letters cannot know which site is its own.
- ``W073``: a company has no sender of its own while several companies share the portal,
  or the portal-wide sender is Django's placeholder: tenants get mails from somebody else.
- ``W076``: a Site record has port 80 while the site redirects to HTTPS and its company has
  no web address: links in mails and letters would start with ``http://``.
"""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from ..core.checks import ID
from ..core.golive import is_placeholder_host, tables_exist

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


ADMIN_HINT = "In the Wagtail admin under Tenant portal → Companies → Portal options"


def _sites_and_companies():
    from wagtail.models import Site

    from .models import Company

    if not tables_exist(Site, Company):
        return None, None
    try:
        return list(Site.objects.order_by("pk")), list(
            Company.objects.filter(portal_enabled=True).order_by("pk")
        )
    except Exception:  # a database that cannot answer yet: nothing to check
        return None, None


@register(Tags.compatibility)
def check_sites_and_companies(app_configs=None, **kwargs):
    from django.conf import settings

    sites, companies = _sites_and_companies()
    if sites is None:
        return []
    messages = []
    for site in sites:
        if is_placeholder_host(site.hostname):
            messages.append(
                Warning(
                    f"The Wagtail site {site.site_name or site.pk!r} has the host name {site.hostname!r}: "
                    "Wagtail's absolute links and the portal's links to it point to no real site.",
                    hint="Enter the public host name (and port 443 for https) under Settings → Sites, or run "
                    "'manage.py tenantportal_site https://www.your-site.de'. See 'Base URL and the Site "
                    "record' in docs/quickstart.md.",
                    id=ID.format("W071"),
                )
            )
    https_only = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
    own_base = {company.site_id for company in companies if company.base_url}
    for site in sites:
        if (
            https_only
            and site.port == 80
            and site.pk not in own_base
            and not is_placeholder_host(site.hostname)
        ):
            messages.append(
                Warning(
                    f"The Wagtail site {site.site_name or site.pk!r} has port 80 while the site redirects to "
                    f"HTTPS: links in mails and letters start with {site.root_url!r}.",
                    hint="Set the site's port to 443 under Settings → Sites (or run 'manage.py tenantportal_site "
                    f"https://{site.hostname}'), or give its company a web address starting with https://.",
                    id=ID.format("W076"),
                )
            )
    shared = len(companies) > 1
    for company in companies:
        if company.site_id is None and (shared or len(sites) > 1):
            messages.append(
                Warning(
                    f"The company {company.display_name!r} has no website: its mails and letters cannot "
                    "tell which of the portal's sites is its own.",
                    hint=f"{ADMIN_HINT}, choose its website (or run 'manage.py tenantportal_site URL "
                    f"--company {company.erp_id or company.slug}').",
                    id=ID.format("W072"),
                )
            )
        default_sender = str(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "")
        placeholder_sender = not default_sender or is_placeholder_host(
            default_sender.rpartition("@")[2].rstrip(">")
        )
        if not company.mail_from and (shared or placeholder_sender):
            messages.append(
                Warning(
                    f"The company {company.display_name!r} has no mail sender of its own: its tenants get "
                    f"mails from {default_sender!r}"
                    + (", like the other companies' tenants." if shared else "."),
                    hint=f"{ADMIN_HINT}, enter its mail sender (or run 'manage.py tenantportal_site URL "
                    f'--company {company.erp_id or company.slug} --sender "Name <address>"\').',
                    id=ID.format("W073"),
                )
            )
    return messages
