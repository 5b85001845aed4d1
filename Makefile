# Conveniences; the README's Quick start commands work without make.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint bench mo pot

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

# Translations (Babel): compile every .po into the .mo beside it (a test fails while one is stale).
mo: install
	$(VENV)/bin/pybabel -q compile -d kiosk/locale -D kiosk
	for p in informatics accounting public_admin; do \
		$(VENV)/bin/pybabel -q compile -d plugins/$$p/kiosk_$$p/locale -D kiosk_$$p; done

# The keys the core's code uses, as a template for translators (Babel with tools/babel_keys.py).
pot: install
	PYTHONPATH=. $(VENV)/bin/pybabel -q extract -F babel.cfg --no-default-keywords -k t -k tn -k Text \
		-o kiosk/locale/kiosk.pot kiosk
