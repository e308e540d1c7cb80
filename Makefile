# lifegate — two commands do all setup: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The demo enables the development identity provider explicitly; it is off by default.
MANAGE := DJANGO_SETTINGS_MODULE=lifegate.settings LIFEGATE_DEV_IDP=true $(PY) -m django
export PYTHONPATH := src
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# The suite runs in this many pytest-xdist worker processes, each with its own test database
# (SQLite in memory; on PostgreSQL test_<name>_gw0, _gw1, ...) and its own var/test/gw<N>.
# `--dist loadgroup` keeps tests marked @pytest.mark.xdist_group("name") on one worker.
# TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup

.PHONY: help setup demo demo-federation test lint typecheck openapi openapi-check unit test-postgres bench drill messages clean

help:
	@echo "make demo           install, migrate, load demo data, run server + task worker on http://127.0.0.1:$(PORT)"
	@echo "make demo-federation  two nodes, Dutch (http://127.0.0.1:8000) and Estonian (:8001), trusting each other"
	@echo "make test           install and run ruff, mypy, OpenAPI drift check, unit, API and browser tests"
	@echo "make test-postgres  the same test suite against PostgreSQL ($(PG_URL))"
	@echo "make bench          run the benchmarks, write bench/results.json and docs/benchmarks.md"
	@echo "make drill          the cyber exercise on PostgreSQL: killed workers, database restart, full storage, backup"
	@echo "                    and restore (as root); one scenario: make drill DRILL=restart (docs/operations.md)"

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	@py=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { rm -rf $(VENV); echo "creating $(VENV) with $$py"; $$py -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/lock.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

src/lifegate/locale/nl/LC_MESSAGES/django.mo: src/lifegate/locale/nl/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { echo "installing gettext (msgfmt)"; apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
	cd src/lifegate && DJANGO_SETTINGS_MODULE=lifegate.settings ../../$(PY) -m django compilemessages --locale nl >/dev/null

setup: $(VENV)/.installed node_modules/.installed src/lifegate/locale/nl/LC_MESSAGES/django.mo

demo: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "  lifegate runs on http://127.0.0.1:$(PORT)/  (Ctrl-C stops server and worker)"
	@echo "  e-mails (notifications of new post) are written to var/mail/; housekeeping (message box,"
	@echo "  journeys, evidence exchange, verifiers' results) and sealing (processing log, credentials log) run every 5 minutes"
	@echo "  admin: http://127.0.0.1:$(PORT)/admin/  (user 'admin', password printed above on first run)"
	@echo
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker & \
	  while sleep 300; do for command in inbox_housekeeping journeys_housekeeping exchange_housekeeping \
	    credentials_housekeeping seal_processing_log seal_credential_log; do $(MANAGE) $$command >/dev/null; done; done & \
	  $(MANAGE) runserver 127.0.0.1:$(PORT)

# Both nodes of the evidence exchange, each with its own database, keys, worker and trust list
# naming the other, under var/federation/ (lifegate.exchange.federation; Ctrl-C stops all).
demo-federation: setup
	$(PY) -m lifegate.exchange.federation demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	@DJANGO_SETTINGS_MODULE=lifegate.settings_test $(PY) -m django makemigrations --check --dry-run >/dev/null || { echo "models changed without a migration: run makemigrations"; exit 1; }

typecheck: setup
	$(BIN)/mypy

openapi: setup
	$(MANAGE) export_openapi > docs/openapi.json

openapi-check: setup
	@$(MANAGE) export_openapi | diff -u docs/openapi.json - >/dev/null || { echo "docs/openapi.json is out of date: run 'make openapi' and commit it"; exit 1; }

unit: setup
	$(BIN)/pytest $(PYTEST_PARALLEL)

test: lint typecheck openapi-check unit

test-postgres: setup
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_PARALLEL)

bench: setup
	@command -v wrk >/dev/null || { echo "installing wrk (load generator)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

# Needs PostgreSQL (BENCH_POSTGRES_SERVER, default postgres://postgres@127.0.0.1:5432) and root
# (the restart scenario runs a private cluster, the storage scenario mounts a tmpfs); each
# scenario uses fresh databases of its own. Exits non-zero when a check fails.
# DRILL=<names> runs only those scenarios (inbox events restart storage backup).
DRILL ?=
drill: setup
	$(PY) -m bench.drill $(DRILL)

messages: $(VENV)/.installed
	cd src/lifegate && DJANGO_SETTINGS_MODULE=lifegate.settings ../../$(PY) -m django makemessages --locale nl --no-obsolete --no-location --ignore '*/tests/*'

clean:
	rm -rf $(VENV) node_modules var
