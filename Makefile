# Chat performance analytics: dbt on DuckDB. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CHATPERF_DUCKDB_PATH ?= data/warehouse.duckdb
export CHATPERF_LANDING ?= data/landing
export DBT_PROFILES_DIR := $(CURDIR)
SEED ?= 42
CONVERSATIONS ?= 3000
DAYS ?= 56
START_DATE ?= 2026-09-01

.PHONY: help setup demo generate load build docs lint test test-fast benchmark clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP) ## create .venv with the pinned dependencies

demo: setup ## the main job: generate demo data, load it, dbt build (fresh warehouse)
	rm -rf $(CHATPERF_LANDING) $(CHATPERF_DUCKDB_PATH)
	$(MAKE) generate load build

generate: setup ## generate demo landing files (SEED, CONVERSATIONS, DAYS, START_DATE)
	$(BIN)/python scripts/generate_data.py --out $(CHATPERF_LANDING) --seed $(SEED) \
		--conversations $(CONVERSATIONS) --days $(DAYS) --start-date $(START_DATE) --force

load: setup ## load new landing files into the warehouse's raw schema
	$(BIN)/python scripts/load_landing.py --landing $(CHATPERF_LANDING) --database $(CHATPERF_DUCKDB_PATH)

build: setup ## dbt build: seeds, models, data tests and unit tests
	$(BIN)/dbt build

docs: setup ## generate and serve the dbt docs (metric definitions) on localhost:8080
	$(BIN)/dbt docs generate && $(BIN)/dbt docs serve --port 8080

lint: setup ## sqlfluff (DuckDB dialect) on the models, ruff on the Python
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	CHATPERF_DUCKDB_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models analyses

test: lint ## the whole test suite: lint, then pytest (which builds and dbt-tests a warehouse)
	$(BIN)/pytest

test-fast: setup ## pytest without lint
	$(BIN)/pytest

benchmark: setup ## generate and load 10 million messages; prints time and peak memory
	$(BIN)/python scripts/benchmark.py --messages 10000000

clean: ## remove generated data, the warehouse and dbt artifacts
	rm -rf data target logs artifacts
