# The two commands of the README: `make run` and `make test`.
# Both create .venv on first use and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the whole system locally (HTTP API, ingest queue, bus, schedules, demo catalog).
run: $(STAMP)
	$(BIN)/questline-local

## Install what the tests need, check lint, the layer rules and the template, run every test.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache  # the layer rules: [tool.importlinter] in pyproject.toml
	$(BIN)/pytest -n 2 --dist loadfile  # two workers (one per core); a module's tests stay together

## Benchmarks (on demand, never part of `make test`).
bench: $(STAMP)
	$(BIN)/python -m tests.bench
