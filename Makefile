# TowerWatch: `make run` sets everything up and serves the demo district; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := towerwatch.settings
# PostgreSQL used by the PostgreSQL half of the suite (CI starts it on this address).
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: setup run demo test test-sqlite test-postgres lint bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/towerwatch migrate --no-input
	$(BIN)/towerwatch demo --if-empty
	$(BIN)/towerwatch personas
	$(BIN)/towerwatch run

demo: setup
	$(BIN)/towerwatch migrate --no-input
	$(BIN)/towerwatch demo

test: setup test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest -n 2 -q

# The same suite against PostgreSQL (browser journeys run once, on SQLite).
# Outside CI a machine without PostgreSQL skips this half (and says so); in CI it must run.
test-postgres: setup
	@if [ "$$CI" != "true" ] && ! pg_isready -q -d "$(TEST_PG_URL)" 2>/dev/null; then \
	  echo "PostgreSQL not reachable at $(TEST_PG_URL): PostgreSQL half skipped (CI runs it)"; \
	else \
	  TOWERWATCH_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -n 2 -q -m "not browser"; \
	fi

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/towerwatch makemigrations --check --dry-run
	! grep -rnE '\.objects\.get\(|get_object_or_404\([A-Z]' src/towerwatch/*/views.py src/towerwatch/*/api.py

bench: setup
	$(BIN)/python -m towerwatch.bench $(BENCH_ARGS)
	$(BIN)/python -m towerwatch.bench_ingest $(BENCH_INGEST_ARGS)
	$(BIN)/python -m towerwatch.bench_hazards $(BENCH_HAZARDS_ARGS)
	$(BIN)/python -m towerwatch.bench_inspections $(BENCH_INSPECTIONS_ARGS)

messages: setup
	cd src/towerwatch && ../../$(BIN)/towerwatch makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/towerwatch compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/
