# Vetted: `make run` starts the demo on http://127.0.0.1:8000, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck install migrate seed worker beat services clean fuzz

# The newest Python >= 3.12 that really runs (pyenv shims on PATH may not).
$(VENV)/bin/python:
	@py="$$(sh bin/find-python)"; \
	if [ -z "$$py" ]; then \
	  echo "error: Vetted needs Python 3.12 or newer (Django 6.1 requires it); none was found." >&2; \
	  echo "       Install one, or point VETTED_PYTHON at its interpreter." >&2; exit 1; \
	fi; \
	echo "Using $$py ($$($$py --version))"; \
	$$py -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Embedded default: SQLite, and a Celery worker (with beat) on a local transport.
run: seed
	@mkdir -p var
	@$(VENV)/bin/celery -A config worker --beat --pool=solo --loglevel=warning \
	    --schedule=var/celerybeat-schedule >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Background worker running (log: var/worker.log). Emails are written to var/mail/."; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Production shape (REDIS_URL set): any number of `make worker`, exactly one `make beat`.
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info $(WORKER_ARGS)

beat: install
	@mkdir -p var
	$(VENV)/bin/celery -A config beat --loglevel=info --schedule=var/celerybeat-schedule

# One worker and the beat together, in the foreground (Ctrl-C stops both).
services: install
	@mkdir -p var
	@$(VENV)/bin/celery -A config beat --loglevel=info --schedule=var/celerybeat-schedule & beat=$$!; \
	trap 'kill $$beat 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/celery -A config worker --loglevel=info $(WORKER_ARGS)

lint: install typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# mypy with django-stubs on the apps [tool.mypy]'s `files` names (docs/testing.md, "Type check").
typecheck: install
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# A long fuzzing campaign (issue 14): every test marked `fuzz` with VETTED_FUZZ_EXAMPLES examples
# each instead of CI's small fixed budget, fresh random examples, and every page as every role.
# Prints the answers it got per target. `make fuzz FUZZ_EXAMPLES=2000` for a longer one.
FUZZ_EXAMPLES ?= 500
fuzz: install
	VETTED_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -m fuzz -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3

# Every benchmark under bench/, against DATABASE_URL (PostgreSQL) and REDIS_URL; each
# says so when a service it needs is missing. Figures are merged into bench/results.md.
# Use a database of its own: the seed adds 100,000 articles to it (once).
.PHONY: bench
bench: migrate
	$(PY) bench/run_all.py $(BENCH_ARGS)
