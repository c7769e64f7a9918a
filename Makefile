# Two commands from a fresh clone: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

.PHONY: install system system-test debian db run worker test bench clean

#: Debian packages the app needs beside Python: LibreOffice for the PDFs (unoserver runs under Debian's
#: python3-uno), with fonts metric-compatible with the Word template's Arial and Calibri.
DEBIAN_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui python3-uno fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea
#: and what only the tests need: Debian's Chromium for the browser tests (never a downloaded browser), and
#: poppler-utils, whose pdftotext reads each word's place on a rendered page (tests/rendering/test_documents_as_originals.py).
DEBIAN_TEST_PACKAGES := chromium poppler-utils

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

system:
	@$(MAKE) --no-print-directory debian PACKAGES="$(DEBIAN_PACKAGES)"

system-test:
	@$(MAKE) --no-print-directory debian PACKAGES="$(DEBIAN_PACKAGES) $(DEBIAN_TEST_PACKAGES)"

## Install the missing Debian packages of PACKAGES once (as root, or through sudo); without either, say
## so and go on: the app then says the PDF step is unavailable, and the tests needing them are skipped.
debian:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "Saknas (installera som root):$$missing" >&2; exit 0; fi; \
	echo "Installerar Debian-paket:$$missing"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing \
		|| echo "Kunde inte installera:$$missing" >&2

## Create or upgrade the database in place, and load the demo municipality into an empty one.
db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask documents render-demo  # queues the demo kallelse's files; the worker renders them at start

## The app on http://$(HOST):$(PORT) and its Celery worker with the beat (reminders) inside; Ctrl-C stops both,
## with every LibreOffice they started, and removes their temporary folder (app/launcher.py).
run: db system
	@$(BIN)/python -m app.launcher --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/celery -A tasks.worker worker -Q celery,rendering --loglevel=INFO

#: test processes: twice the cores, since most tests spend their time waiting for a worker process, LibreOffice,
#: a browser or a database rather than computing
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))

test: install system-test
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=15

## The document stack's figures beside their yardsticks, median and min–max (tests/benchmarks/run.py).
bench: install system
	$(BIN)/python -m tests.benchmarks.run

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
