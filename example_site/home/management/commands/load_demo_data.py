"""``manage.py load_demo_data``: the German demo (see ``home/demo.py``). Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from home import demo


class Command(BaseCommand):
    help = (
        "Load the German demo: pages, two cooperatives with tenants and contracts, the portal pages, "
        "a damage taxonomy, requests and documents of a demo tenant, demo logins."
    )

    def handle(self, *args, **options):
        try:
            result = demo.load_demo()
        except demo.DemoDataError as exc:
            raise CommandError(str(exc)) from exc

        for kind, counts in result.import_result.counts.items():
            self.stdout.write(
                f"  {kind:<17} {counts.created:>4} new, {counts.updated:>4} updated, {counts.unchanged:>4} unchanged"
            )
        base_url = getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(self.style.SUCCESS("\nDemo data loaded. Demo logins (for this demo only):\n"))
        self.stdout.write(f"  Website:          {base_url}/")
        self.stdout.write(f"  Wagtail admin:    {base_url}/admin/")
        self.stdout.write(f"    staff user:     {demo.STAFF_USERNAME}")
        self.stdout.write(f"    password:       {demo.STAFF_PASSWORD}")
        self.stdout.write(f"  Tenant portal:    {base_url}/portal/")
        self.stdout.write(f"    tenant email:   {demo.TENANT_EMAIL}  (Erika Mustermann, WG Lindenhof eG)")
        self.stdout.write(f"    password:       {demo.TENANT_PASSWORD}")
        self.stdout.write("  Team (admin, receives the requests routed to them):")
        for name, user in result.team_users.items():
            self.stdout.write(f"    {user.username:<42} ({name})")
        self.stdout.write(f"    password:       {demo.TEAM_PASSWORD}")
        if result.portal_pages:
            self.stdout.write("\nPortal pages:")
            for setup in result.portal_pages:
                page = setup.page
                self.stdout.write(f"  {page.title + ':':<17} {base_url}{page.get_url() or page.url_path}")
            self.stdout.write(f"  {'Anliegen (Team):':<17} {base_url}/admin/")
