# One command to run, one to test. Everything is set up from the project's own files.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := core:create_app

.PHONY: run test test-lint test-sqlite test-postgresql lint bench bench-pages bench-deps browser-deps pdf-deps clean docs

$(STAMP): pyproject.toml examples/ob_order_limit/pyproject.toml examples/supplier_sim/pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q -e examples/ob_order_limit -e examples/supplier_sim
	touch $(STAMP)

run: $(STAMP) pdf-deps
	mkdir -p instance
	$(BIN)/orderbridge db upgrade
	$(BIN)/orderbridge demo --if-empty
	$(BIN)/orderbridge users ensure-admin
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) $(BIN)/honcho start -f Procfile -p $(PORT)

# $(call apt_install,PACKAGES,WHAT,IF IT FAILED,IF IT CANNOT BE): install Debian packages as root
# or with password-less sudo, and say so; when that cannot be done, say what is missed instead.
define apt_install
if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
  echo "installing $(strip $(2))"; \
  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null \
    || echo "$(strip $(3))"; \
else echo "$(strip $(4))"; fi
endef

# Debian's Chromium for the browser tests (as root, or with password-less sudo); when
# it cannot be installed the browser tests fail and say why (tests/browser/conftest.py).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	$(call apt_install,chromium,Debian's chromium for the browser tests,\
	  chromium could not be installed: browser tests will fail,\
	  chromium is not installed and cannot be (needs root and apt-get): browser tests will fail)

# wrk (an HTTP load generator) for bench/pages.py --wrk, installed like Chromium above; without
# it the benchmark prints its own figures and says that the wrk figure was skipped.
bench-deps:
	@if command -v wrk >/dev/null 2>&1; then exit 0; fi; \
	$(call apt_install,wrk,wrk for the page benchmark,\
	  wrk could not be installed: bench/pages.py skips its wrk figure,\
	  wrk is not installed and cannot be (needs root and apt-get): bench/pages.py skips its wrk figure)

# Debian's libraries for WeasyPrint (purchase orders as PDF), installed like Chromium above when
# `import weasyprint` fails; without them the PO TO VENDOR email cannot attach the PDF.
pdf-deps: $(STAMP)
	@if $(BIN)/python -c "import weasyprint" 2>/dev/null; then exit 0; fi; \
	$(call apt_install,libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core,\
	  the Debian libraries WeasyPrint needs,\
	  WeasyPrint's libraries could not be installed: purchase orders cannot be emailed as PDF,\
	  WeasyPrint's libraries are missing and cannot be installed (needs root and apt-get))

# The whole suite on SQLite and, when TEST_DATABASE_URL is set, again on PostgreSQL. The two legs
# (and ruff) run side by side, one per CPU, by make's own -j; --output-sync prints each leg's
# output whole when it ends. -k: every leg always runs; the target fails when any of them failed.
# TEST_PATHS: OrderBridge's suite and the example plugin's own (orderbridge.testing fixtures).
TEST_PATHS ?= tests examples/ob_order_limit/tests
TEST_JOBS ?= 3
test: $(STAMP) browser-deps pdf-deps
	@rc=0; $(MAKE) --no-print-directory -k -j$(TEST_JOBS) --output-sync=target \
	  test-lint test-sqlite test-postgresql || rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "== tests FAILED (exit $$rc)"; else echo "== all test legs passed"; fi; \
	exit $$rc

test-lint: $(STAMP)
	@echo "== ruff check ."; $(BIN)/ruff check .

test-sqlite: $(STAMP)
	@echo "== SQLite leg"; ORDERBRIDGE_TEST_DB= $(BIN)/python -m pytest $(TEST_PATHS) $(PYTEST_ARGS)

test-postgresql: $(STAMP)
	@if [ -z "$$TEST_DATABASE_URL" ]; then echo "== PostgreSQL leg: not run (TEST_DATABASE_URL is not set)"; exit 0; fi; \
	echo "== PostgreSQL leg: $$TEST_DATABASE_URL"; \
	ORDERBRIDGE_TEST_DB="$$TEST_DATABASE_URL" $(BIN)/python -m pytest $(TEST_PATHS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

docs: $(STAMP)
	$(BIN)/orderbridge plugins docs --write

bench: $(STAMP)
	$(BIN)/python bench/generate.py

# SO list and SO entry form at 10,000 of everything, and wrk on the SO list (PostgreSQL, 2 workers)
bench-pages: $(STAMP) bench-deps
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.db
