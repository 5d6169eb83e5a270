# CareerPath: `make run` serves the app, `make test` runs every test. See README.md.
SHELL := /bin/bash
PORT ?= 8000
UV := python3 -m uv
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

.PHONY: install run test lint browser audit bench

install:  ## the locked dependencies, in .venv (installs uv itself when missing)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --quiet

run: install  ## migrate, load the guide, then serve on http://127.0.0.1:$(PORT) with a worker and the scheduler (one Ctrl-C stops all three)
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py load_guide
	@trap 'kill 0' EXIT; \
	$(UV) run python manage.py db_worker --interval 1 & \
	$(UV) run python manage.py crontask --no-heartbeat & \
	$(UV) run python manage.py runserver 127.0.0.1:$(PORT)

test: install  ## the whole suite (browser tests skip when Chromium is missing, unless E2E_REQUIRED=1)
	$(UV) run pytest -m "not audit"

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run python manage.py makemigrations --check --dry-run

browser:  ## Debian's Chromium for the browser tests (needs root and apt)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

audit: install browser  ## axe on every page (light, dark, phone) and Lighthouse on three pages
	npm ci --prefix audit --no-audit --no-fund --silent
	E2E_REQUIRED=1 $(UV) run pytest tests/audit -m audit -q
	$(UV) run python audit/lighthouse.py

bench: install  ## server time and queries per page as ratios to a baseline, SQLite and PostgreSQL
	$(UV) run python bench/pages.py
