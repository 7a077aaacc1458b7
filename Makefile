# The two commands of the README:
#   make book   builds the book into _build/html (executing every chapter)
#   make test   lints, then runs the test suite
# Both create .venv with everything in requirements.txt on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Sphinx options: nitpicky, warnings are errors, report them all before failing.
SPHINXOPTS := -n -W --keep-going

.PHONY: install book book-fresh test lint clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html $(SPHINXOPTS)

# The same with every chapter executed from scratch (what CI runs).
book-fresh: $(STAMP)
	rm -rf _build
	$(MAKE) book

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf _build
