# Segmint — every target sets itself up: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
CONTACTS ?= 10000
BENCH_CONTACTS ?= 100000
BENCH_ARGS ?=

WEB_STAMP := web/node_modules/.segmint-web-built
WEB_SOURCES := $(shell find web/src -type f ! -name '*.gen.ts') $(wildcard web/*.json web/*.ts web/*.js web/index.html)

.PHONY: demo test lint typecheck unit bench clean web web-test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(WEB_STAMP): $(WEB_SOURCES)
	cd web && npm ci && npm run build
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

web-test: $(WEB_STAMP)
	cd web && npm run lint && npx tsc --noEmit && npm test

demo: $(STAMP) $(WEB_STAMP)
	$(BIN)/segmint demo --workspace demo --contacts $(CONTACTS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

test: web web-test lint unit

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/segmint bench --contacts $(BENCH_CONTACTS) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
