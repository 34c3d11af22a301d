# The README's commands.  Each sets up .venv first when needed, and installs only what it needs:
# `make serve` and `make build` the runtime (no test tools), `make test` adds the `test` extra,
# `make lint` the `lint` extra.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: serve test build lint derive-tables translations editor clean

$(BIN)/.runtime: pyproject.toml
	@echo "make: creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "make: installing rarekg and its runtime dependencies (about a minute the first time)"
	$(PIP) --upgrade pip
	$(PIP) -e .
	@touch $@

$(BIN)/.test: $(BIN)/.runtime
	@echo "make: installing the test tools (pytest, Playwright, pandas)"
	$(PIP) -e '.[test]'
	@touch $@

$(BIN)/.lint: $(BIN)/.runtime
	@echo "make: installing the lint tools (ruff, mypy)"
	$(PIP) -e '.[lint]'
	@touch $@

serve: $(BIN)/.runtime
	@echo "make: serving the default graph (the first run builds it into var/store, about 30 s)"
	$(BIN)/rarekg serve

test: $(BIN)/.test
	@echo "make: running the whole test suite (about 30 minutes on 2 cores)"
	$(BIN)/python -m pytest

build: $(BIN)/.runtime
	$(BIN)/rarekg build

lint: $(BIN)/.lint
	$(BIN)/ruff check kg loaders service tests
	$(BIN)/mypy

derive-tables: $(BIN)/.runtime
	$(BIN)/rarekg derive-tables

translations: $(BIN)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k add:2 --no-location --sort-output \
		-o service/translations/messages.pot .
	$(BIN)/pybabel update -i service/translations/messages.pot -d service/translations \
		--ignore-obsolete --no-fuzzy-matching -w 100
	$(BIN)/pybabel compile -d service/translations
	rm service/translations/messages.pot

editor:
	service/static/editor-src/build.sh

clean:
	rm -rf $(VENV) var
