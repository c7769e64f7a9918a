# Two commands from a fresh clone: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

.PHONY: install system db run worker test bench clean

#: Debian packages the project needs beside Python (each area adds its own line below).
DEBIAN_PACKAGES :=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Install the missing Debian packages once (as root, or through sudo); without either, say so and go on:
## the tests that need them are then skipped with the reason.
system:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
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

## The app on http://$(HOST):$(PORT) and its Celery worker with the beat (reminders) inside; Ctrl-C stops both.
run: db system
	@trap 'kill 0' EXIT; \
	$(BIN)/celery -A tasks.worker worker -B --schedule instance/celerybeat-schedule --loglevel=INFO \
		--concurrency=2 --without-mingle --without-gossip & \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 1 --threads 8 --access-logfile - 'app:create_app()' & \
	sleep 4; $(BIN)/flask demo users; \
	echo; echo "Nämndflöde körs på http://$(HOST):$(PORT) – Ctrl-C avslutar."; echo; \
	wait

worker: install
	$(BIN)/celery -A tasks.worker worker --loglevel=INFO

test: install system
	$(BIN)/pytest

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
