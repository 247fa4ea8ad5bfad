# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format setup demo index system-deps clean serve reliability reliability-deps

# The venv is rebuilt when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --no-input -v0

demo: setup
	$(PY) manage.py load_demo

# The search index: made if missing, mended if it lags the database (a no-op when current).
index: demo
	$(PY) manage.py check_index --repair --no-progress

run: index
	@echo "Serving the archive at http://$(HOST):$(PORT)/ (admin: /admin/, see the README for the demo login)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# As in production (docs/operations.md): settings from $(ENV_FILE), DEBUG off,
# static files collected into var/static and served by WhiteNoise, gunicorn with WEB_WORKERS
# workers, and the one search indexer worker beside it (stopped when gunicorn stops).
ENV_FILE ?= .env.production
serve: $(VENV)/.installed
	@test -f $(ENV_FILE) || { echo "$(ENV_FILE) is missing: cp .env.production.example $(ENV_FILE) and edit it"; exit 1; }
	set -a && . $(abspath $(ENV_FILE)) && set +a && \
	$(PY) manage.py check --deploy --fail-level WARNING && \
	$(PY) manage.py migrate --no-input -v0 && \
	$(PY) manage.py collectstatic --no-input -v0 && \
	$(PY) manage.py check_index --repair --no-progress && \
	{ SEARCH_INDEXER=worker $(PY) manage.py run_indexer & indexer=$$!; \
	  trap 'kill $$indexer' EXIT INT TERM; \
	  SEARCH_INDEXER=worker $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi:application \
	    --bind $(HOST):$(PORT) --workers $${WEB_WORKERS:-3} --access-logfile - ; }

# Debian packages the test suite drives: Chromium and its driver for the browser tests (and a
# CJK font so their screenshots under var/screenshots/ show Chinese and Japanese, not boxes);
# wrk, the concurrent clients of the benchmark and the reliability runs.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk wrk >/dev/null; \
		else \
			echo "chromium, chromium-driver or wrk is missing: sudo apt-get install chromium chromium-driver wrk"; \
		fi; \
	fi

test: $(VENV)/.installed system-deps
	$(PY) -m pytest

# docs/reliability.md: a load run, SIGKILLed indexers and rebuilds,
# and (when DATABASE_URL is PostgreSQL) a real PostgreSQL restart, each against gunicorn and the
# indexer on a throw-away archive; then the fuzz tests with thousands of examples each
# (`make test` runs a few hundred). Takes tens of minutes, so it is not part of `make test`.
reliability-deps:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "wrk is missing: sudo apt-get install wrk"; exit 1; \
		fi; \
	fi

reliability: $(VENV)/.installed reliability-deps
	$(PY) manage.py reliability $(RELIABILITY_ARGS)
	HYPOTHESIS_PROFILE=reliability $(PY) -m pytest -q tests/fuzz/test_search.py tests/fuzz/test_importers.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy archive config tests

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var
