# Two entry points: `make demo` and `make test`. Both set themselves up from nothing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
# The oldest Wagtail we support, tested in CI against SQLite.
OLDEST_WAGTAIL ?= wagtail>=7.4,<7.5
VENV_OLDEST ?= .venv-wagtail74
DATABASE_URL_PG ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
MANAGE := cd example_site && ../$(PY) manage.py
PYTEST_ARGS ?=

.PHONY: help demo test lint migrations-check catalogue check-site docs pytest-sqlite pytest-postgres \
	pytest-oldest messages bench clean

help:
	@echo "make demo   set up .venv, migrate SQLite, load German demo data, serve on 127.0.0.1:8000"
	@echo "make test   set up .venv and run everything CI checks"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev,s3]"
	touch $@

demo: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo_data
	$(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.installed lint migrations-check catalogue check-site docs pytest-sqlite pytest-postgres pytest-oldest
	@echo "make test: all checks passed"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: $(VENV)/.installed
	$(MANAGE) makemigrations --check --dry-run

catalogue: $(VENV)/.installed
	$(PY) scripts/check_catalogue.py

check-site: $(VENV)/.installed
	$(MANAGE) check --fail-level WARNING

docs: $(VENV)/.installed
	$(VENV)/bin/sphinx-build -q -W -b html docs docs/_build/html

pytest-sqlite: $(VENV)/.installed
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

pytest-postgres: $(VENV)/.installed
	@if $(PY) scripts/db_reachable.py "$(DATABASE_URL_PG)"; then \
		echo "== pytest on PostgreSQL"; \
		DATABASE_URL="$(DATABASE_URL_PG)" $(VENV)/bin/pytest -q $(PYTEST_ARGS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is required in CI but not reachable at $(DATABASE_URL_PG)"; exit 1; \
	else \
		echo "== PostgreSQL not reachable: skipped (CI=true makes this an error)"; \
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
		$(VENV_OLDEST)/bin/pytest -q $(PYTEST_ARGS); \
	else \
		echo "== oldest Wagtail run only with CI=true (or TEST_OLDEST=1)"; \
	fi

messages: $(VENV)/.installed
	cd wagtail_tenantportal && ../$(PY) -m django makemessages -l de --no-location --settings=tests.settings --pythonpath=.. -i "tests/*"
	cd wagtail_tenantportal && ../$(PY) -m django compilemessages -l de --settings=tests.settings --pythonpath=..

bench: $(VENV)/.installed
	$(PY) bench/import_bench.py

clean:
	rm -rf $(VENV) $(VENV_OLDEST) build dist docs/_build *.egg-info example_site/db.sqlite3
