# travelrisk: `make run` serves the API with demo data; `make test` runs every test.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.installed-dev ## create .venv and install pinned runtime and dev dependencies

# The trained analyser: rebuilt from the corpus when it changes (artifacts are not committed).
models/artifacts/ACTIVE: $(VENV)/.installed $(wildcard models/data/*.jsonl)
	mkdir -p var
	$(BIN)/python -m service train > var/train.log
	@echo "trained $$(cat $@) (log: var/train.log)"

.PHONY: run
run: $(VENV)/.installed ## train if needed, migrate SQLite, load demo data once, serve on :8080 with the scheduler
	mkdir -p var
	$(MAKE) --no-print-directory models/artifacts/ACTIVE
	$(BIN)/python -m service db upgrade
	$(BIN)/python -m service demo load --if-empty
	$(BIN)/python -m service serve --host $(HOST) --port $(PORT)

.PHONY: test
test: $(VENV)/.installed-dev ## run the whole test suite (PostgreSQL too when TRAVELRISK_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest

.PHONY: lint
lint: $(VENV)/.installed-dev ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: typecheck
typecheck: $(VENV)/.installed-dev ## mypy (strict on service/ and models/)
	$(BIN)/mypy

.PHONY: train
train: $(VENV)/.installed ## fit the models and write a versioned, active artifact
	mkdir -p var
	$(BIN)/python -m service train

.PHONY: bench
bench: $(VENV)/.installed-dev ## run the benchmarks under bench/ (they print figures)
	@for b in bench/*.py; do echo "== $$b"; PYTHONPATH=. $(BIN)/python $$b || exit 1; done

.PHONY: clean
clean: ## remove the venv, caches and the local database
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
