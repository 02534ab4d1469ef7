# One command to run, one to test. Everything is set up from the project's own files.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := core:create_app

.PHONY: run test test-sqlite test-postgres lint bench browser-deps clean docs

$(STAMP): pyproject.toml examples/ob_order_limit/pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q -e examples/ob_order_limit
	touch $(STAMP)

run: $(STAMP)
	mkdir -p instance
	$(BIN)/orderbridge db upgrade
	$(BIN)/orderbridge demo --if-empty
	$(BIN)/orderbridge users ensure-admin
	$(BIN)/orderbridge run --host 127.0.0.1 --port 5000

# Debian's Chromium for the browser tests; when it cannot be installed the
# browser tests skip and say why (tests/browser/conftest.py).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || ( [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ) || \
	  echo "chromium not installed: browser tests will be skipped"

test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL leg: $$TEST_DATABASE_URL"; \
	  ORDERBRIDGE_TEST_DB="$$TEST_DATABASE_URL" $(BIN)/python -m pytest; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

docs: $(STAMP)
	$(BIN)/orderbridge plugins docs --write

bench: $(STAMP)
	$(BIN)/python bench/generate.py

clean:
	rm -rf $(VENV) instance/*.db
