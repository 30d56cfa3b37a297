# Garanzia Casa — the README's commands. Everything installs from this repository's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
DEMO_DB := var/demo.db
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
REDIS_URL ?= redis://127.0.0.1:6379/15
# pytest-xdist workers: `auto` is one per core; 0 runs the suite in one process.
TEST_WORKERS ?= auto
# Compiled modules are kept (in var/pycache, not beside the sources), also where the shell says
# PYTHONDONTWRITEBYTECODE: otherwise every xdist worker rewrites the asserts of every test
# module again (half of collecting, some 7 s of CPU per worker) and every process a test starts
# compiles the project again.
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/var/pycache \
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope

.PHONY: install system-deps demo serve test lint typecheck unit test-postgres bench clean

## Debian packages (root): Chromium for the browser tests, HarfBuzz's subsetter for faster PDFs.
SYSTEM_PACKAGES := chromium libharfbuzz-subset0
system-deps:
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES)) || true; \
	fi

$(STAMP): requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Front-end assets from the npm registry (Bootstrap Italia, axe-core), exactly as locked.
ASSETS_STAMP := node_modules/.installed
$(ASSETS_STAMP): package.json package-lock.json
	if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(ASSETS_STAMP); \
	else \
	  echo "npm non trovato: le pagine funzionano senza gli stili di Bootstrap Italia" >&2; \
	fi

install: $(STAMP) $(ASSETS_STAMP)

## Run the whole system on the embedded default (SQLite, in-process jobs) with fresh demo data.
# The demo fund's bank account (repayment plans are not sent without one); an example IBAN.
demo: export GARANZIA_FUND_IBAN ?= IT60X0542811101000000123456
demo: install
	mkdir -p var
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	GARANZIA_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(BIN)/garanzia db upgrade
	GARANZIA_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(BIN)/garanzia demo --credentials-json var/demo-credentials.json
	GARANZIA_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(BIN)/garanzia serve --host 127.0.0.1 --port $(PORT)

## Serve whatever GARANZIA_DATABASE_URL points at (no demo data).
serve: install
	$(BIN)/garanzia db upgrade
	$(BIN)/garanzia serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check guarantee tests bench migrations
	$(BIN)/lint-imports --config .ci/importlinter.ini --no-cache

typecheck: install
	$(BIN)/mypy guarantee

unit: install
	$(PYTEST)

## Install everything and run all checks and tests on the embedded default (SQLite).
test: lint typecheck unit

## The database tests (marker `db`, set by tests/conftest.py) against PostgreSQL and Redis
## (servers already running); the others never open a database and ran in `make test`.
test-postgres: install
	GARANZIA_TEST_POSTGRES_URL=$(POSTGRES_URL) GARANZIA_TEST_REDIS_URL=$(REDIS_URL) $(PYTEST)

## The in-process benches (the server, issuing and stress benches need PostgreSQL or wrk: see
## the README's Measurements).
bench: install
	$(BIN)/python bench/bench_eligibility.py
	$(BIN)/python -m bench.bench_pdf
	$(BIN)/python -m bench.bench_api
	$(BIN)/python -m bench.bench_stress

clean:
	rm -rf $(VENV) var outbox .pytest_cache .mypy_cache .ruff_cache
