# MPS ICT Tracker. `make run` sets up and serves the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint lint-check format clean assets bench bench-savings bench-portfolio bench-mobile bench-imports bench-outturn

# `make run` is a development run: debug on unless the caller says otherwise.
run setup: export DEBUG ?= 1

## run: install everything, migrate, load the seed data and demo users, serve on http://$(HOST):$(PORT)
## (HOST and PORT from the command line or environment: `PORT=8080 make run`)
run: setup
	@echo "Serving the MPS ICT Tracker on http://$(HOST):$(PORT)/ (sign in at http://$(HOST):$(PORT)/sign-in/; Ctrl-C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

## setup: everything `run` does before serving. Safe to re-run: the loaders insert only what is
## missing and never overwrite a record that is there (users' changes are kept)
setup: $(BIN)/.runtime-installed assets .env
	$(MANAGE) migrate --no-input
	$(MANAGE) load_mps_baseline
	$(MANAGE) create_demo_users --site-url http://$(HOST):$(PORT)
	$(MANAGE) load_portfolio
	$(MANAGE) load_mobile_estate
	$(MANAGE) load_contracts

## test: the whole suite, on two processes; tests needing PostgreSQL, Redis or Chromium skip (saying why) unless REQUIRE_SERVICES=1
# (PYTEST_ARGS="-n 0" runs it in one process; each worker has its own test database and cache)
PYTEST_ARGS ?= -n 2
test: $(BIN)/.dev-installed assets .env
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## lint-check: the lint CI holds every commit to
lint-check: $(BIN)/.dev-installed
	$(BIN)/ruff check .

format: $(BIN)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the whole suite against PostgreSQL at the small and large scales, one table, written to bench/RESULTS.md
## (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/mps_ict_bench, which it drops and recreates)
bench: $(BIN)/.dev-installed .env
	@{ command -v wrk && test -x /usr/bin/time; } >/dev/null 2>&1 || { echo "Installing wrk (the load tool) and GNU time from Debian"; apt-get install -y -qq wrk time >/dev/null; }
	$(BIN)/python bench/run.py

## bench-savings: the savings overview and endpoints at the seed's size and at 1,000 initiatives × 12 quarters
bench-savings: $(BIN)/.dev-installed assets .env
	$(BIN)/python bench/bench_savings.py

## bench-portfolio: the portfolio dashboard and capital-programme endpoint at the seed's size and at 2,000 projects × 5 years × 12 months
bench-portfolio: $(BIN)/.dev-installed assets .env
	$(BIN)/python bench/bench_portfolio.py

## bench-mobile: the benefit roll-up over 2 million usage rows against a hand-written GROUP BY, and the register at 300 and 30,000 devices
bench-mobile: $(BIN)/.dev-installed assets .env
	$(BIN)/python bench/bench_mobile.py

## bench-imports: previewing and committing a 30,000-row device register and a 1,000-initiative quarter's actuals,
## each against pandas reading the same file plus one bulk insert (also in `make bench`; DATABASE_URL defaults to
## postgres://postgres@127.0.0.1:5432/mps_ict_bench_imports, which it drops and recreates)
bench-imports: $(BIN)/.dev-installed .env
	$(BIN)/python bench/bench_imports.py

## bench-outturn: the outturn simulation (2,000 projects) and the savings one (2,000 initiatives), 10,000 draws each,
## against a bare numpy simulation of the same draws (also in `make bench`; no database needed)
bench-outturn: $(BIN)/.dev-installed .env
	$(BIN)/python bench/bench_outturn.py

assets: node_modules/.installed static/dist/app.css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(BIN)/.runtime-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/app.css: static_src/app.scss node_modules/.installed
	npm run --silent build:css

.env:
	cp .env.example .env

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles .pytest_cache
