"""Point a Wagtail site at the portal's public address and make it the companies' own site.

manage.py tenantportal_site https://www.wg-lindenhof.de
manage.py tenantportal_site https://www.wg-lindenhof.de --company LH --sender "WG Lindenhof eG <portal@wg-lindenhof.de>"
manage.py tenantportal_site https://www.bauverein-elsteraue.de --site 2 --company EA --dry-run

The site (``--site ID``, else the one with the address's host name, else the default site)
gets the host name and port of the address (443 for https, so Wagtail's links start with
https://). The companies named with ``--company`` (ERP id or slug), else every company without
a website yet, get the site as their website (links in their mails and letters lead there)
and, with ``--sender``, their own mail sender. The same can be done in the Wagtail admin:
Settings → Sites, and Tenant portal → Companies → Portal options.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site

from wagtail_tenantportal.tenancy import services
from wagtail_tenantportal.tenancy.validators import validate_sender


class Command(BaseCommand):
    help = (
        "Give a Wagtail site the portal's public address (host name and port) and make it the "
        "website of the companies named (default: every company without one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="The public address, e.g. https://www.wg-lindenhof.de")
        parser.add_argument("--site", type=int, metavar="SITE_ID", help="The Wagtail site to change.")
        parser.add_argument("--name", metavar="NAME", help="A new site name (shown in the admin).")
        parser.add_argument(
            "--company",
            action="append",
            metavar="ERP_ID_OR_SLUG",
            help="A company whose website this is (repeat for several). Default: every company without one.",
        )
        parser.add_argument(
            "--sender", metavar="'NAME <ADDRESS>'", help="The mail sender of these companies' mails."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only show what would change.")

    def handle(self, *args, **options):
        hostname, port = self._address(options["url"])
        site = self._site(options["site"], hostname)
        companies = self._companies(options["company"])
        sender = (options["sender"] or "").strip()
        if sender:
            try:
                validate_sender(sender)
            except ValidationError as error:
                raise CommandError(f"--sender {sender!r}: {error.messages[0]}") from error
        self.stdout.write(
            f"site {site.site_name or site.pk}: {site.hostname}:{site.port} -> {hostname}:{port}"
        )
        for company in companies:
            self.stdout.write(f"company {company.display_name}: website -> {hostname}")
            if sender:
                self.stdout.write(f"company {company.display_name}: mail sender -> {sender}")
        if not companies:
            self.stdout.write("No company without a website: none changed (name them with --company).")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing changed.")
            return
        with transaction.atomic():
            site.hostname, site.port = hostname, port
            if options["name"]:
                site.site_name = options["name"]
            try:
                site.full_clean()
            except ValidationError as error:
                raise CommandError(f"The site cannot be saved: {'; '.join(error.messages)}") from error
            site.save()
            services.set_company_site(companies, site, sender=sender or None)
        self.stdout.write(self.style.SUCCESS(f"The site answers at {site.root_url}."))

    def _address(self, url):
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise CommandError(f"Not the address of a site (scheme and host, no path): {url!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise CommandError(f"Not a valid port in {url!r}") from error
        return parts.hostname.lower(), port

    def _site(self, site_id, hostname):
        if site_id is not None:
            site = Site.objects.filter(pk=site_id).first()
            if site is None:
                raise CommandError(f"No Wagtail site with id {site_id}.")
            return site
        site = (
            Site.objects.filter(hostname=hostname).first()
            or Site.objects.filter(is_default_site=True).first()
        )
        if site is None:
            raise CommandError(
                "No Wagtail site to change: create one under Settings → Sites (or give --site)."
            )
        return site

    def _companies(self, keys):
        if not keys:
            return services.companies_without_site()
        companies = []
        for key in keys:
            company = services.company_by_key(key)
            if company is None:
                raise CommandError(
                    f"No company with the ERP id or slug {key!r}.\n" + services.describe_company_keys()
                )
            companies.append(company)
        return companies
