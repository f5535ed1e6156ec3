# callqa: `make demo` runs the product with demo data, `make test` runs every test.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/callqa_test
VENV := .venv
FLASK := $(VENV)/bin/flask --app qa_app
PYTEST_ARGS ?=

.PHONY: demo test install install-dev db seed serve services lint bench clean-instance

demo: install db seed serve

test: install-dev services lint
	@mkdir -p test-artifacts
	@start=$$(date +%s); \
	$(VENV)/bin/pytest $(PYTEST_ARGS) && \
	if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
	  echo "== database-backed tests again, on PostgreSQL ($(PG_TEST_URL))"; \
	  CALLQA_TEST_DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -q -m "not browser" tests/qa_app $(PYTEST_ARGS); \
	else \
	  echo "== no PostgreSQL on 127.0.0.1:5432: database tests ran on SQLite only"; \
	  [ "$$CI" != true ]; \
	fi; \
	rc=$$?; echo "== test suite took $$(( $$(date +%s) - start )) s"; exit $$rc

install:
	@scripts/bootstrap.sh runtime

install-dev:
	@scripts/bootstrap.sh dev

db:
	@$(FLASK) db upgrade heads

seed:
	@$(FLASK) seed-demo

# gunicorn in front, a Celery worker beside it (`flask worker`: embedded SQLite broker by
# default; it sends the demo calls on its first sweep). Stopping gunicorn stops the worker:
# one SIGTERM, then wait, so a running transcription finishes or is picked up next time.
serve:
	@echo "callqa on http://$(HOST):$(PORT)  (sign in as admin@example.com / demo)"
	@$(FLASK) worker --concurrency 2 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --workers 2 --bind $(HOST):$(PORT) \
	  --forwarded-allow-ips 127.0.0.1 "qa_app:create_app()"

services:
	@scripts/services.sh

lint:
	@$(VENV)/bin/ruff check .
