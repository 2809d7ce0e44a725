# Two commands: `make run` brings the platform up; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint unit integration e2e bench bench-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m contactcentre up

# Two workers (pytest-xdist, one file each at a time): most tests wait on sockets and processes,
# so two of them share this machine's two cores well. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

test: $(DEV_STAMP) lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy routing ivr contactcentre agent_ui tools
	$(BIN)/lint-imports

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/integration

bench-smoke: $(DEV_STAMP)
	$(BIN)/python bench/smoke.py

# bench/routing.py runs routing_engine.py, router.py and routing_pooling.py itself.
bench: $(DEV_STAMP)
	for b in bench/routing.py bench/ivr.py bench/screenpop.py bench/chat.py bench/scaleout.py bench/email_intake.py; do \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
