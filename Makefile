# The README's commands.  `make serve` and `make test` each set up .venv first when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test build lint derive-tables clean

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

clean:
	rm -rf $(VENV) var
