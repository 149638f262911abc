"""Issue registration codes and print the letters into one PDF.

manage.py tenantportal_letters --company LH --unregistered -o briefe.pdf
manage.py tenantportal_letters --company wg-lindenhof --property WE0012 --unregistered -o briefe.pdf
manage.py tenantportal_letters --company LH --party P00017 P00018 -o briefe.pdf
manage.py tenantportal_letters --company LH --unregistered --dry-run

``--company`` takes the company's ERP id (as in companies.csv) or its slug; an unknown one
gets the list of valid ones.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from wagtail_tenantportal.accounts import services
from wagtail_tenantportal.tenancy import services as tenancy_services
from wagtail_tenantportal.tenancy.models import Contract


class Command(BaseCommand):
    help = "Issue registration codes and print one registration letter per party into one PDF."

    def add_arguments(self, parser):
        parser.add_argument(
            "--company",
            metavar="ERP_ID_OR_SLUG",
            help="Company: its ERP id (as in companies.csv) or its slug. Required with --property/--party.",
        )
        parser.add_argument(
            "--property", metavar="ERP_ID", help="Only parties with a current contract on this property."
        )
        parser.add_argument("--party", metavar="ERP_ID", nargs="+", help="Only these parties (ERP ids).")
        parser.add_argument(
            "--unregistered", action="store_true", help="Only parties without an active portal account link."
        )
        parser.add_argument(
            "--skip-active-codes",
            action="store_true",
            help="Leave out parties who hold a valid code (so letters in the post stay valid).",
        )
        parser.add_argument(
            "--contract-kind",
            choices=[kind for kind, _label in Contract.Kind.choices],
            help="The letter names a current contract of this kind; parties without one are skipped.",
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="PDF file to write.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count; issue nothing, write nothing."
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        company, prop, parties = self._choice(options)
        if not options["dry_run"] and not options["output"]:
            raise CommandError("Give the output file with -o FILE (or use --dry-run).")
        selection = services.select_parties(
            company=company,
            property=prop,
            parties=parties,
            unregistered=options["unregistered"],
            contract_kind=options["contract_kind"],
            skip_active_codes=options["skip_active_codes"],
        )
        kwargs = {"contract_kind": options["contract_kind"], "property": prop}
        if options["dry_run"]:
            batch = services.issue_letters(selection, None, dry_run=True, **kwargs)
            self.stdout.write(
                f"Dry run: {batch.count} letters would be printed; {len(batch.skipped)} parties skipped."
            )
            self._report_skipped(batch)
            return
        self._print(selection, options["output"], **kwargs)

    def _choice(self, options):
        """``(company, property_or_None, party_ids_or_None)`` named by the options."""
        if not options["company"]:
            if options["property"] or options["party"]:
                raise CommandError("--property and --party need --company (ERP ids are unique per company).")
            raise CommandError(
                "Choose the parties: --company ERP_ID_OR_SLUG [--property ERP_ID] [--party ERP_ID ...].\n"
                + tenancy_services.describe_company_keys()
            )
        company = tenancy_services.company_by_key(options["company"])
        if company is None:
            raise CommandError(
                f"No company with the ERP id or slug {options['company']!r}.\n"
                + tenancy_services.describe_company_keys()
            )
        prop = None
        if options["property"]:
            prop = services.get_property(company, options["property"])
            if prop is None:
                raise CommandError(f"No property {options['property']!r} in {company}.")
        parties = None
        if options["party"]:
            found = {
                party.erp_id: party.pk for party in services.parties_by_erp_id(options["party"], company)
            }
            missing = [erp_id for erp_id in options["party"] if erp_id not in found]
            if missing:
                raise CommandError(f"Unknown parties in {company}: {', '.join(missing)}")
            parties = list(found.values())
        return company, prop, parties

    def _print(self, selection, path, **kwargs):
        """Issue the codes and write the PDF to ``path`` (removed again if nothing was printed)."""
        try:
            with open(path, "wb") as out:
                batch = services.issue_letters(selection, out, **kwargs)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from exc
        except BaseException:
            os.remove(path)  # the transaction was rolled back: no codes, no half-written PDF
            raise
        if not batch.count:
            os.remove(path)
            self.stdout.write(
                f"No letters: no selected party has a current contract; {len(batch.skipped)} skipped."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{batch.count} letters written to {path}; {len(batch.skipped)} parties skipped."
            )
        )
        self._report_skipped(batch)

    def _report_skipped(self, batch):
        if batch.skipped and self.verbosity >= 2:
            for party in batch.skipped:
                self.stdout.write(f"  skipped (no current contract): {party.erp_id} {party}")
