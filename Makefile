# Chat performance analytics: dbt on DuckDB. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The default paths live in scripts/chatperf/settings.py; this reads them (NAME?=value words,
# so the environment and the command line still override them). It needs only the standard
# library, so it works before `make setup`.
$(foreach setting,$(shell $(PYTHON) scripts/chatperf/settings.py --make),$(eval $(setting)))
ifndef CHATPERF_DUCKDB_PATH
$(error cannot read the default paths: `$(PYTHON) scripts/chatperf/settings.py --make` failed)
endif
export CHATPERF_DUCKDB_PATH CHATPERF_LANDING
export DBT_PROFILES_DIR := $(CURDIR)
SEED ?= 42
CONVERSATIONS ?= 3000
DAYS ?= 56
START_DATE ?= 2026-09-01
RETENTION_DAYS ?=

.PHONY: help setup browser demo generate load build checks freshness retention pipeline dashboard browser-check docs lint test test-fast benchmark clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP) ## create .venv: the pinned dependencies, then chatperf editable (the chatperf-* commands)

browser: ## install Debian's chromium for the dashboard browser test when it is missing
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

demo: setup ## the main job on fresh demo data: generate, then the pipeline (load, dbt build, checks, docs, publish)
	rm -rf $(CHATPERF_LANDING) $(CHATPERF_DUCKDB_PATH) $(CHATPERF_DATA_DIR)/serving $(CHATPERF_DATA_DIR)/pipeline_state.json
	$(MAKE) generate pipeline

generate: setup ## generate demo landing files (SEED, CONVERSATIONS, DAYS, START_DATE)
	$(BIN)/python scripts/generate_data.py --out $(CHATPERF_LANDING) --seed $(SEED) \
		--conversations $(CONVERSATIONS) --days $(DAYS) --start-date $(START_DATE) --force

load: setup ## load new landing files into the warehouse's raw schema
	$(BIN)/python scripts/load_landing.py --landing $(CHATPERF_LANDING) --database $(CHATPERF_DUCKDB_PATH)

build: setup ## dbt build: seeds, models, data tests and unit tests
	$(BIN)/dbt build

checks: setup ## the Great Expectations checkpoint on the warehouse (Data Docs in data/gx_docs/index.html)
	$(BIN)/python scripts/run_checkpoint.py --database $(CHATPERF_DUCKDB_PATH)

freshness: setup ## dbt source freshness (warn after 36 h, error after 7 days without new data)
	$(BIN)/dbt source freshness

retention: setup ## delete chat transcript text older than RETENTION_DAYS (default: the var, 90)
	$(BIN)/python scripts/retention.py --database $(CHATPERF_DUCKDB_PATH) $(if $(RETENTION_DAYS),--days $(RETENTION_DAYS))

pipeline: setup ## the scheduled job: load new files, dbt build, GX checkpoint, docs, publish the serving copy
	$(BIN)/python scripts/pipeline.py --landing $(CHATPERF_LANDING) --database $(CHATPERF_DUCKDB_PATH)

dashboard: setup ## the Streamlit dashboard on localhost:8501 (reads only data/serving/)
	$(BIN)/streamlit run scripts/dashboard/app.py --server.address 127.0.0.1 --server.port 8501 --browser.gatherUsageStats false

browser-check: setup browser ## headless Chromium screenshots of every dashboard page -> artifacts/screenshots/
	$(BIN)/python scripts/browser_check.py

docs: setup ## serve the dbt docs (metric definitions, lineage with the dashboard exposures) on localhost:8080
	test -f target/catalog.json || $(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --host 127.0.0.1 --port 8080 --no-browser

lint: setup ## sqlfluff (DuckDB dialect) on the models, ruff on the Python
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	CHATPERF_DUCKDB_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models analyses

test: lint browser ## the whole test suite: lint, then pytest (builds and dbt-tests a warehouse, GX, pipeline, browser)
	CHATPERF_REQUIRE_BROWSER=1 $(BIN)/pytest

test-fast: setup ## pytest without lint
	$(BIN)/pytest

benchmark: setup ## generate and load 10 million messages; prints time and peak memory
	$(BIN)/python scripts/benchmark.py --messages 10000000

clean: ## remove generated data, the warehouse and dbt artifacts
	rm -rf data target logs artifacts
