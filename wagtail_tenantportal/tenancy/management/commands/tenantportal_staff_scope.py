"""``manage.py tenantportal_staff_scope``: which staff group works for which company (the staff
scope of the admin, see docs/staff-admin.md)."""

from django.core.management.base import BaseCommand, CommandError

from ... import staff_scope


class Command(BaseCommand):
    help = (
        "Without options: list the companies with their staff groups and the staff users who work for "
        "no company (they see no tenant data). With --company and --group: make the group a staff group "
        "of the company. With --company and --unassigned-staff: put every staff user without a company "
        "into a staff group of the company (the usual step after upgrading a portal of one company)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", metavar="SLUG", help="Slug or ERP id of the company.")
        parser.add_argument("--group", metavar="NAME", help="Name of the group (Settings → Groups).")
        parser.add_argument(
            "--create-group",
            action="store_true",
            help="Create the group if it does not exist (no permissions).",
        )
        parser.add_argument(
            "--unassigned-staff",
            action="store_true",
            help="Add every staff user who works for no company to the group (default name: 'Staff <company>').",
        )

    def handle(self, *args, **options):
        if not options["company"]:
            if options["group"] or options["unassigned_staff"]:
                raise CommandError("Name the company with --company.")
            self.list()
            return
        company = staff_scope.get_company(options["company"])
        if company is None:
            raise CommandError(f"No company with slug or ERP id {options['company']!r}.")
        if options["unassigned_staff"]:
            group_name = options["group"] or f"Staff {company.name}"
            users = staff_scope.assign_unassigned_staff(company, group_name)
            self.stdout.write(
                f"{len(users)} staff user(s) added to {group_name!r}, which works for {company}: "
                + (", ".join(user.get_username() for user in users) or "nobody was without a company")
            )
            return
        if not options["group"]:
            raise CommandError("Give --group NAME or --unassigned-staff.")
        group = staff_scope.add_staff_group(company, options["group"], create=options["create_group"])
        if group is None:
            raise CommandError(f"No group named {options['group']!r} (add --create-group to create it).")
        self.stdout.write(f"Members of {group.name!r} work for {company}.")

    def list(self):
        for company in staff_scope.companies_with_groups():
            groups = ", ".join(group.name for group in company.staff_groups.all()) or "(no staff group)"
            self.stdout.write(f"{company} [{company.slug}]: {groups}")
        unassigned = list(staff_scope.staff_without_company())
        if unassigned:
            self.stdout.write(
                "Staff users who work for no company (they see no tenant data): "
                + ", ".join(user.get_username() for user in unassigned)
            )
        else:
            self.stdout.write("Every staff user works for a company (superusers for all).")
