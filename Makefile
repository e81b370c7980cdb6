# The two commands of the README: `make run` and `make test`. Plus `make bench` and `make lint`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails, tickets and calendar feeds point here.
BASE_URL ?= http://$(HOST):$(PORT)
export BASE_URL
FLASK := $(BIN)/flask --app conference
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint format system-deps translations scheduler clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(RUN_STAMP) $@

translations: | $(BIN)/python
	$(BIN)/pybabel compile --statistics -d conference/translations 2>/dev/null || $(BIN)/pybabel compile -d conference/translations

## make run: the app with the 2022 programme (dates moved for the demo) on an SQLite file.
run: $(RUN_STAMP) translations
	$(FLASK) init-db --demo
	$(FLASK) demo
	@echo ""
	@echo "  Sociaalwerkconferentie is running at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@echo "  The scheduler runs beside it; its log lines start with a time stamp."
	@echo ""
	@$(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT) --no-reload

## Browser tests need Debian's chromium, ffmpeg makes fake camera videos; install them when we can.
system-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v ffmpeg >/dev/null 2>&1; then \
		true; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing chromium and ffmpeg with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium ffmpeg >/dev/null; \
	else \
		echo "chromium/ffmpeg missing and cannot be installed here: browser tests will be skipped"; \
	fi

## make test: installs what the tests need, then the whole suite (PostgreSQL too if TEST_DATABASE_URL is set).
test: $(TEST_STAMP) system-deps translations
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

## make bench: the benchmarks, with ratios to baselines measured in the same run.
bench: $(TEST_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache
