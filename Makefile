# Tremplin Numérique – the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The address the links of emails point at: where `make run` serves, unless given.
SITE_ROOT ?= http://127.0.0.1:$(PORT)

.PHONY: run serve test test-browser fuzz setup deps system-deps browser-deps demo lint lock bench clean

$(VENV)/.installed: requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

system-deps:
	@bash scripts/system-deps.sh

browser-deps:
	@bash scripts/browser-deps.sh

deps: system-deps $(VENV)/.installed

setup: deps
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo

## Set everything up with demo data and serve http://127.0.0.1:$(PORT) (task worker included; emails link there).
run: setup
	@echo "Tremplin Numérique sur http://127.0.0.1:$(PORT)/ – comptes de démonstration : voir README.md"
	SITE_ROOT=$(SITE_ROOT) $(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
	  trap 'kill %1 2>/dev/null' EXIT INT TERM; \
	  SITE_ROOT=$(SITE_ROOT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The production stack on this machine (docs/deploy.md): gunicorn (config/gunicorn.py) and the task worker,
## DEBUG off, on PostgreSQL (DATABASE_URL). TLS and its redirect are nginx's, in front.
serve: deps
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make serve runs on PostgreSQL: set DATABASE_URL=postgres://…" >&2; exit 2;; esac
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	export DEBUG=false SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} \
	  SITE_ROOT=$${SITE_ROOT:-http://127.0.0.1:$(PORT)} BIND=$${BIND:-127.0.0.1:$(PORT)}; \
	  $(PY) manage.py migrate --no-input -v0 && $(PY) manage.py collectstatic --no-input -v0 && \
	  { $(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
	    trap 'kill %1 2>/dev/null' EXIT INT TERM; \
	    $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi; }

## Set everything up and run the test suite but the browser tests (SQLite, or PostgreSQL when DATABASE_URL is set).
test: deps
	$(PY) -m pytest -q -m "not browser"

## The browser tests: Playwright drives Debian's Chromium (installed when missing) against a live server.
test-browser: deps browser-deps
	$(PY) -m pytest -q -m browser tests/browser

## Fuzz the whole API with schemathesis (demo data, a manager's and an owner's token; scripts/fuzz-api.sh).
fuzz: deps
	bash scripts/fuzz-api.sh

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint tremplin --lint
	$(PY) manage.py makemigrations --check --dry-run

lock:
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras --extra dev -o requirements-dev.txt pyproject.toml

bench: deps
	$(PY) bench/budget_race.py

clean:
	rm -rf $(VENV) var
