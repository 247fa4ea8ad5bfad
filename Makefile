# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format setup demo index system-deps clean

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

# Debian packages the test suite drives: Chromium and its driver for the browser tests (and a
# CJK font so their screenshots under var/screenshots/ show Chinese and Japanese, not boxes).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
		else \
			echo "chromium and chromium-driver are missing: sudo apt-get install chromium chromium-driver"; \
		fi; \
	fi

test: $(VENV)/.installed system-deps
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy archive config

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var
