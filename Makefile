# Two commands from a fresh clone: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

.PHONY: install db run worker test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Create or upgrade the database in place, and load the demo municipality into an empty one.
db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty

## The app on http://$(HOST):$(PORT) and its Celery worker; Ctrl-C stops both.
run: db
	@trap 'kill 0' EXIT; \
	$(BIN)/celery -A tasks.worker worker --loglevel=INFO --concurrency=2 --without-mingle --without-gossip & \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 1 --threads 8 --access-logfile - 'app:create_app()' & \
	sleep 4; $(BIN)/flask demo users; \
	echo; echo "Nämndflöde körs på http://$(HOST):$(PORT) – Ctrl-C avslutar."; echo; \
	wait

worker: install
	$(BIN)/celery -A tasks.worker worker --loglevel=INFO

test: install
	$(BIN)/pytest

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
