# Graduate tracer study — ЖАМУ. Every target bootstraps the pinned environment first.
# `make` alone prints this help.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-runtime
TSTAMP := $(VENV)/.installed-test
LSTAMP := $(VENV)/.installed-lab
LOCKS  := requirements
COHORT ?= demo-2025
LANGS  ?= ky
ARGS   ?=
SIZES  ?= 2000,20000
BENCH_LANGS ?= ky,ru,en

export PYTHONHASHSEED := 0
export GX_ANALYTICS_ENABLED := false
export MPLBACKEND := Agg
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help env report trends lint test test-fast lab lock demo monitor expectations bench bench-scale bench-parts clean distclean

help: ## list the targets
	@echo "Graduate tracer study — make targets (COHORT=$(COHORT))"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

$(STAMP): $(LOCKS)/runtime.lock pyproject.toml
	@echo ">> bootstrapping $(VENV) from $(LOCKS)/runtime.lock (only when a lock or pyproject changes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --progress-bar off -r $(LOCKS)/runtime.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name tracer --display-name "Python (tracer)" >/dev/null
	@touch $(STAMP)

$(TSTAMP): $(STAMP) $(LOCKS)/test.lock
	@echo ">> adding the test tools from $(LOCKS)/test.lock"
	$(BIN)/python -m pip install --quiet --progress-bar off -r $(LOCKS)/test.lock
	@touch $(TSTAMP)

$(LSTAMP): $(STAMP) $(LOCKS)/lab.lock
	@echo ">> adding JupyterLab from $(LOCKS)/lab.lock"
	$(BIN)/python -m pip install --quiet --progress-bar off -r $(LOCKS)/lab.lock
	@touch $(LSTAMP)

env: $(STAMP) ## create or update the pinned runtime environment in .venv (kernel 'tracer')

report: $(STAMP) ## run the whole pipeline for COHORT (default demo-2025); LANGS=ky (default) or ky,ru,en
	$(BIN)/tracer run $(COHORT) --lang $(LANGS) $(ARGS)

trends: $(STAMP) ## trend report of demo-2023, demo-2024, demo-2025 and the wave demo-2023-w2 (runs them if needed): reports/trends/
	$(BIN)/tracer trends $(ARGS)

lint: $(TSTAMP) ## ruff (pyproject.toml [tool.ruff]) and the import contracts of the families ([tool.importlinter])
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint ## lint, then the whole test suite (unit, reference, bad-input corpus, end-to-end)
	$(BIN)/python -m pytest -q $(ARGS)

test-fast: $(TSTAMP) ## run the tests without the end-to-end notebook runs
	$(BIN)/python -m pytest -q -m "not slow" $(ARGS)

lab: $(LSTAMP) ## open JupyterLab on the project kernel
	env -u MPLBACKEND $(BIN)/jupyter lab --notebook-dir=notebooks

demo: $(STAMP) ## regenerate the synthetic demo cohort under data/raw/demo-2025
	$(BIN)/tracer demo

monitor: $(STAMP) ## fieldwork monitor for COHORT: phase-2 response so far and whom to call next
	$(BIN)/tracer monitor $(COHORT)

expectations: $(STAMP) ## regenerate the great-expectations suites from the questionnaires
	$(BIN)/tracer expectations

bench: $(STAMP) ## scaling benchmark of the whole pipeline, SIZES=2000,20000 (default) LANGS=ky,ru,en; prints a table
	$(BIN)/python benchmarks/bench_scale.py --sizes $(SIZES) --langs $(BENCH_LANGS)

bench-scale: $(STAMP) ## the scaling benchmark at 2k/20k/100k/1M graduates (about 23 minutes on an idle 2-core machine)
	$(BIN)/python benchmarks/bench_scale.py --sizes 2000,20000,100000,1000000 --langs $(BENCH_LANGS)

bench-parts: $(STAMP) ## the older part benchmarks (demo stages, raking + domains at 1M rows, validation at 100k)
	@for b in benchmarks/bench_pipeline.py benchmarks/bench_survey.py benchmarks/bench_validate.py; do \
	  echo ">> $$b"; $(BIN)/python $$b || exit 1; done

lock: ## regenerate the locks in requirements/ from pyproject.toml (needs the package index)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv>=0.4"
	$(BIN)/uv pip compile pyproject.toml -o $(LOCKS)/runtime.lock --python-version 3.11 --no-header
	$(BIN)/uv pip compile pyproject.toml --extra test -c $(LOCKS)/runtime.lock -o $(LOCKS)/test.lock --python-version 3.11 --no-header
	$(BIN)/uv pip compile pyproject.toml --extra lab -c $(LOCKS)/runtime.lock -o $(LOCKS)/lab.lock --python-version 3.11 --no-header

clean: ## remove generated outputs (reports/, data/processed/ except READMEs, caches)
	find reports -mindepth 1 -not -name README.md -not -name .gitkeep -delete 2>/dev/null || true
	find data/processed -mindepth 1 -not -name README.md -not -name .gitkeep -delete 2>/dev/null || true
	rm -rf .pytest_cache expectations/gx/uncommitted
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)
