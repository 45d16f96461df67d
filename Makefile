# nortime: two commands for a newcomer (`make run`, `make test`), plus `make bench`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app nortime

.PHONY: run test bench install install-test clean-venv

# Re-install only when the package metadata changed.
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# A second run finds the schema, the demo and the published plans in place and reuses them.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) plan --all --publish --unless-published --time-limit 20
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - 'nortime:create_app()'

test: install-test test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mozilla's ical.js for the feed tests, in the git-ignored .test-tools/; never fails the
# build: without npm (or offline) the test that needs it skips.
.PHONY: test-tools
test-tools:
	@if ! command -v npm >/dev/null 2>&1; then echo "test-tools: npm not found; the ical.js feed test will skip"; \
	elif cmp -s tests/feeds/tools/package.json .test-tools/package.json && [ -f .test-tools/node_modules/ical.js/package.json ]; then :; \
	else mkdir -p .test-tools && cp tests/feeds/tools/package.json tests/feeds/tools/package-lock.json .test-tools/ \
	  && npm install --prefix .test-tools --no-audit --no-fund --loglevel=error \
	  || echo "test-tools: npm install failed; the ical.js feed test will skip"; fi

bench: install-test
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
