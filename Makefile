# The two commands a newcomer needs: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs; nothing is installed by hand.

PYTHON ?= python3
# Some machines set PYTHONDONTWRITEBYTECODE: then every test worker and CLI subprocess compiles every module
# again (collection alone takes twice as long). The caches go to __pycache__, which git ignores.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test check lint typecheck pytest pytest-fast install install-dev clean services bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/constituent demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Tests run in parallel (pytest-xdist): every worker has its own emulator, temporary directories and
# Redis database; each PostgreSQL test has its own schema. Many tests wait (the emulator's latency, the
# client's retries, subprocesses, a browser), so more workers than cores pays: 6 on this 2-core machine
# took the whole suite from 11 min 44 s (4 workers) to 10 min 3 s, and "worksteal" hands a waiting
# worker's queue to an idle one near the end (see docs/BENCHMARKS.md, "Test suite").
# PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 6
PYTEST_DIST ?= worksteal
# The inner loop's tests are CPU-bound: two workers a core (measured for `make check`).
PYTEST_FAST_WORKERS ?= 4

# Every test, on SQLite and PostgreSQL (the `empty_db` fixture is parametrised over both);
# PostgreSQL must be reachable at CONSTITUENT_TEST_POSTGRES_URL (default: local trust auth).
pytest: $(DEV_STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) $(PYTEST_ARGS)

# The inner loop: SQLite only, without the tests marked slow or browser.
pytest-fast: $(DEV_STAMP)
	$(BIN)/pytest -n $(PYTEST_FAST_WORKERS) --sqlite-only -m "not slow and not browser" -q $(PYTEST_ARGS)

test: lint typecheck pytest

check: lint typecheck pytest-fast

bench: $(DEV_STAMP)
	@echo "Benchmarks live in bench/; see docs/BENCHMARKS.md for each command."

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
