# The README's commands.  `make serve` and `make test` each set up .venv first when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test build lint derive-tables translations editor clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed
	$(BIN)/rarekg serve

test: $(BIN)/.installed
	$(BIN)/python -m pytest

build: $(BIN)/.installed
	$(BIN)/rarekg build

lint: $(BIN)/.installed
	$(BIN)/ruff check kg loaders service tests
	$(BIN)/mypy

derive-tables: $(BIN)/.installed
	$(BIN)/rarekg derive-tables

translations: $(BIN)/.installed
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
