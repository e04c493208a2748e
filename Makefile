# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Two test workers per core (many tests wait on sockets and timers), at most 8 (each holds
# PostgreSQL connections); idle workers take tests from busy ones (worksteal).
TEST_WORKERS ?= $(shell n=$$(( $$(nproc) * 2 )); echo $$(( n > 8 ? 8 : n )))

.PHONY: run test lint bench clean

run: $(STAMP)
	$(BIN)/sangkien db upgrade
	$(BIN)/sangkien demo load --if-empty
	$(BIN)/sangkien run

test: $(DEV_STAMP)
	./scripts/ensure-postgres.sh
	./scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(DEV_STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python bench/dialog.py
	$(BIN)/python bench/zalo_updates.py

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing: installing it" >&2; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq python3-venv >/dev/null; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	@touch $@

$(DEV_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $@ $(STAMP)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
