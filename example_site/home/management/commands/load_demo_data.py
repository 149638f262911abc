"""``manage.py load_demo_data``: the German demo (see ``home/demo.py``). Safe to run again."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from home import demo


class Command(BaseCommand):
    help = (
        "Load the German demo: two cooperatives with a site each (own homepage, portal pages and "
        "theme), tenants and contracts, a damage taxonomy, requests and documents of a demo tenant, "
        "demo logins."
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
        elsteraue_url = self.site_url(base_url, demo.ELSTERAUE_HOSTNAME)
        self.stdout.write(self.style.SUCCESS("\nDemo data loaded. Demo logins (for this demo only):\n"))
        self.stdout.write("  Two cooperatives, two sites, one portal:")
        self.stdout.write(f"  Website Lindenhof:  {base_url}/  (also http://localhost…)")
        self.stdout.write(f"  Website Elsteraue:  {elsteraue_url}/  (*.localhost is this computer)")
        self.stdout.write(f"  Wagtail admin:      {base_url}/admin/")
        self.stdout.write(f"    staff user:       {demo.STAFF_USERNAME}")
        self.stdout.write(f"    password:         {demo.STAFF_PASSWORD}")
        self.stdout.write(f"  Tenant portal:      {base_url}/portal/  and  {elsteraue_url}/portal/")
        self.stdout.write(f"    tenant email:     {demo.TENANT_EMAIL}  (Erika Mustermann, WG Lindenhof eG)")
        self.stdout.write(f"    password:         {demo.TENANT_PASSWORD}")
        self.stdout.write(
            f"    tenant email:     {demo.ELSTERAUE_TENANT_EMAIL}  (Dirk Herrmann, Bauverein Elsteraue eG, "
            f"on {elsteraue_url}/)"
        )
        self.stdout.write(f"    password:         {demo.ELSTERAUE_TENANT_PASSWORD}")
        self.stdout.write(
            "    (Elsteraue requires two-factor: at the first login he sets up a method; codes by "
            "email appear in this console)"
        )
        self.stdout.write(
            f"  Example ERP:        {base_url}{demo.DEMO_ERP_PATH}  (staff login; receives every new request)"
        )
        self.stdout.write(
            "  Staff of each cooperative (admin; each sees only its cooperative's tenants and "
            "receives the requests routed to them):"
        )
        for group_name in demo.STAFF_GROUPS.values():
            self.stdout.write(f"    {group_name}:")
            for name, user in result.team_users.items():
                if user.groups.filter(name=group_name).exists():
                    self.stdout.write(f"      {user.username:<40} ({name})")
        self.stdout.write(f"    password:         {demo.TEAM_PASSWORD}")
        self.stdout.write(
            f"  The staff user {demo.STAFF_USERNAME} is a superuser: it sees both cooperatives."
        )
        for label, url, pages in (
            ("Lindenhof", base_url, result.portal_pages),
            ("Elsteraue", elsteraue_url, result.elsteraue_portal_pages),
        ):
            if not pages:
                continue
            self.stdout.write(f"\nPortal pages {label}:")
            for setup in pages:
                page = setup.page
                self.stdout.write(f"  {page.title + ':':<20} {url}{self.page_path(page)}")
        self.stdout.write(f"  {'Anliegen (Team):':<20} {base_url}/admin/")
        if result.service_page is not None:
            self.stdout.write(
                "\nA page of the site with portal blocks (text, overview, notices, contact, request):"
            )
            self.stdout.write(
                f"  {result.service_page.title + ':':<20} {base_url}{self.page_path(result.service_page)}"
            )

    @staticmethod
    def page_path(page):
        """The page's path on its own site ("/anmelden/"), whichever site the command runs for."""
        parts = page.get_url_parts()
        return parts[2] if parts else page.url_path

    @staticmethod
    def site_url(base_url, hostname):
        """``base_url`` with another host name, the port kept (elsteraue.localhost:8000)."""
        parsed = urlsplit(base_url)
        netloc = hostname + (f":{parsed.port}" if parsed.port else "")
        return urlunsplit((parsed.scheme, netloc, "", "", "")).rstrip("/")
