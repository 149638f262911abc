"""Write the OpenAPI schema of the API, or check that a committed copy is up to date.

manage.py tenantportal_api_schema --file docs/api/openapi.yaml           # write
manage.py tenantportal_api_schema --file docs/api/openapi.yaml --check   # exit 1 if different
"""

import difflib
import pathlib

from django.core.management.base import BaseCommand, CommandError

from ...schema import generate, render_yaml


class Command(BaseCommand):
    help = "Write the API's OpenAPI 3.1 schema (YAML), or --check a committed copy."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="Path of the YAML file.")
        parser.add_argument("--check", action="store_true", help="Fail when the file differs from the code.")

    def handle(self, *args, file, check, **options):
        text = render_yaml(generate())
        path = pathlib.Path(file)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                diff = "".join(
                    list(
                        difflib.unified_diff(
                            current.splitlines(True), text.splitlines(True), str(path), "generated", n=1
                        )
                    )[:60]
                )
                raise CommandError(
                    f"{path} differs from the API's code; run `make api-schema` and commit it.\n{diff}"
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
