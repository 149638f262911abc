"""Create the portal's pages (login, registration, my account, ...) where they are missing, and
the German starter damage taxonomy when the portal has none yet.

manage.py tenantportal_setup_pages
manage.py tenantportal_setup_pages --parent 3 --dry-run
manage.py tenantportal_setup_pages --parent 12 --company EA   # a second cooperative's site
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from wagtail.models import Page

from wagtail_tenantportal.page_setup import setup_portal_pages


class Command(BaseCommand):
    help = (
        "Create one published page of each installed portal page type that has no page in the "
        "site yet, below the root page of the default site (or --parent), and the German starter "
        "damage taxonomy if there is none yet. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parent", type=int, metavar="PAGE_ID", help="Id of the parent page.")
        parser.add_argument(
            "--language", metavar="CODE", help="Language of the titles and slugs (default: LANGUAGE_CODE)."
        )
        parser.add_argument(
            "--company",
            metavar="ERP_ID_OR_SLUG",
            help="A new registration page registers only this company's tenants (its ERP id or slug).",
        )
        parser.add_argument(
            "--no-damage-taxonomy",
            action="store_true",
            help="Do not add the starter damage taxonomy (locations, categories, kinds).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only show what would be created.")

    def handle(self, *args, **options):
        parent = None
        if options["parent"] is not None:
            parent = Page.objects.filter(pk=options["parent"]).first()
            if parent is None:
                raise CommandError(f"No page with id {options['parent']}.")
            parent = parent.specific
        company = None
        if options["company"]:
            from wagtail_tenantportal.tenancy import services as tenancy_services

            key = options["company"]
            company = tenancy_services.company_by_key(key)
            if company is None:
                raise CommandError(
                    f"No company with the ERP id or slug {key!r}.\n"
                    + tenancy_services.describe_company_keys()
                )
        with translation.override(options["language"] or translation.get_language()):
            try:
                results = setup_portal_pages(parent, company=company, dry_run=options["dry_run"])
            except ValueError as error:
                raise CommandError(str(error)) from error
        for result in results:
            name = str(result.model._meta.verbose_name)
            if result.created and result.page is None:
                self.stdout.write(f"would create: {name}")
            elif result.created:
                self.stdout.write(
                    self.style.SUCCESS(f"created: {name} at {result.page.get_url() or result.page.url_path}")
                )
            else:
                self.stdout.write(f"exists: {name} at {result.page.get_url() or result.page.url_path}")
        if not results:
            self.stdout.write("No portal page types are installed.")
        if not options["no_damage_taxonomy"]:
            self._damage_taxonomy(options["dry_run"])

    def _damage_taxonomy(self, dry_run):
        """Tenants cannot report damage without categories: a new portal gets the starter set."""
        from django.apps import apps

        if not apps.is_installed("wagtail_tenantportal.tickets"):
            return
        from wagtail_tenantportal.tickets import taxonomy

        if taxonomy.has_damage_taxonomy():
            self.stdout.write("damage taxonomy: present, kept as it is")
            return
        if dry_run:
            self.stdout.write("would add: damage taxonomy (German starter set)")
            return
        result = taxonomy.seed_if_empty()
        if result is not None:
            counts = ", ".join(
                f"{result.created[level]} {level}" for level in ("locations", "categories", "kinds")
            )
            self.stdout.write(self.style.SUCCESS(f"added: damage taxonomy ({counts})"))
