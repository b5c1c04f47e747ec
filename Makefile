# Run `make help` for the list of targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# A folder of .txt files, or a CSV/JSONL file with id,text[,date,...] columns; empty = seed corpus.
CORPUS ?=
CAMEL_TOOLS := camel-tools==1.6.0

.PHONY: help setup reports batch materials test test-fast lab lint format lock browser bench clean

help: ## List the targets with one line each
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## Create .venv from requirements.lock (only when missing or stale)

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed: run with PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	$(PY) -m pip install -q --no-deps $(CAMEL_TOOLS)
	touch $@

reports: setup ## Execute every notebook on the corpus (CORPUS=path, default: seeds) and write HTML to reports/
	$(PY) -m reports $(if $(CORPUS),--corpus "$(CORPUS)")

# Batch run: OUT = folder for the Parquet tables; SCHEDULER = empty (in process), local, or an
# address such as tcp://scheduler:8786.
OUT ?= data/processed/batch
SCHEDULER ?=

batch: setup ## Run the helpers block by block with Dask (CORPUS=, OUT=, SCHEDULER=local|tcp://...)
	$(PY) -m batch $(if $(CORPUS),--corpus "$(CORPUS)") --out "$(OUT)" $(if $(SCHEDULER),--scheduler "$(SCHEDULER)")

materials: setup ## Print-ready A4 worksheet, coding sheet and Arabic pitfalls handout in reports/materials/
	$(PY) -m teaching

test: setup browser ## Run the whole test suite (notebooks, browser checks and lint included)
	$(PY) -m ruff check .
	$(PY) -m pytest

test-fast: setup ## Unit tests only: skip notebook execution and the browser
	$(PY) -m pytest -m "not slow"

lab: setup ## Open JupyterLab on the project's environment
	$(VENV)/bin/jupyter lab notebooks/

lint: setup ## Ruff over src/, tests/, benchmarks/ and the notebooks
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup ## Apply ruff's formatter
	$(PY) -m ruff format .

browser: setup ## Install Chromium for the report tests (apt-get on Debian/Ubuntu, else Playwright)
	bash scripts/install-chromium.sh $(PY)

bench: setup ## Run every benchmark (figures go to benchmarks/results/)
	$(PY) benchmarks/bench_load.py
	$(PY) benchmarks/bench_normalize.py
	$(PY) benchmarks/bench_frames.py
	$(PY) benchmarks/bench_reports.py
	$(PY) benchmarks/bench_batch.py

lock: ## Refresh requirements.lock from pyproject.toml (needs uv: pip install uv)
	uv pip compile pyproject.toml --all-extras --python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements.lock -q --custom-compile-command "make lock" --upgrade

clean: ## Remove generated files (reports, processed tables); keeps .venv
	rm -rf reports data/processed
