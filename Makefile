# Conveniences; the README's Quick start commands work without make.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint bench

$(PY):
	python3 -m venv $(VENV)

install: $(PY)
	$(VENV)/bin/pip install -q -e '.[test]' -e plugins/informatics -e plugins/accounting -e plugins/public_admin

demo: install
	$(VENV)/bin/kiosk demo

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/ledger.py
