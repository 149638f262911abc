"""One migrated SQLite file shared by the test sessions of ``make mutation`` (docs/testing.md).

mutmut runs pytest once per mutant, each run a new test session. Building the test database
(every migration, about 45 seconds) in each of them would take hours, so ``make mutation``
builds it once (``python -m tests.mutation_db <file>``) and names it in the environment
variable ``TENANTPORTAL_MUTATION_DB``; each session then works on its own copy (parallel
mutants never share one, and tests that flush tables leave the file as it was). Without the
variable nothing here is used.
"""

import os
import shutil
import sys

ENV = "TENANTPORTAL_MUTATION_DB"


def session_database(template):
    """Point the test database at a fresh copy of ``template``; yield; remove the copy."""
    from django.conf import settings

    copy = f"{template}.{os.getpid()}"
    shutil.copyfile(template, copy)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = copy
    try:
        yield copy
    finally:
        if os.path.exists(copy):
            os.remove(copy)


def build(template):
    """Create ``template``: the test database with every migration applied."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{os.path.abspath(template)}.main"
    django.setup()
    from django.db import connection

    connection.settings_dict["TEST"]["NAME"] = os.path.abspath(template)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)


if __name__ == "__main__":
    build(sys.argv[1])
