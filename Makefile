# The two commands that matter: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
# Test processes for the parallel part of each pass (pytest-xdist): one per core, at most 4 (each
# worker migrates its own PostgreSQL database and starts its own osmem server). XDIST= runs serially.
XDIST ?= --numprocesses auto --maxprocesses 4 --dist loadgroup

.PHONY: run install system-deps setup demo serve worker test test-sqlite test-postgres lint check format bench bench-forum bench-forum-http bench-real import-check corpora lock clean

run: setup
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(MANAGE) runserver 127.0.0.1:8000

install: $(STAMP)

# Exactly the versions CI tested (requirements.lock), then the project itself without resolving.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing dependencies in pyproject.toml: re-resolve the lock (keeps versions already pinned).
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11.7 --no-header -o requirements.lock

# Debian packages the browser tests and the PostgreSQL pass need (installed when run as root).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Please install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; \
	fi
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; \
	  else echo "Please install PostgreSQL server binaries (sudo apt-get install postgresql)"; exit 1; fi; \
	fi

setup: install
	mkdir -p var
	# The cache table first: the cache is in the database and migrations already write through
	# it (the forum's page-cache generation moves on every committed write).
	$(MANAGE) createcachetable
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

demo: setup

worker: install
	TASKS_WORKER=1 $(MANAGE) db_worker

test: install system-deps check test-sqlite test-postgres

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=resourcecenter.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=resourcecenter.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# Everything but the browser tests in parallel; the browser tests (a live server and Chromium
# each, timing-sensitive on a busy machine) afterwards in one process.
test-sqlite: install
	$(BIN)/pytest -m "not browser" $(XDIST) $(PYTEST_ARGS)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# The whole suite again on a real PostgreSQL server (browser tests drive the same views, so they
# run once, in the SQLite pass). Tests that only make sense on PostgreSQL skip in the SQLite pass.
# pytest-django gives each xdist worker its own database (test_resourcecenter_gw0, _gw1, ...).
test-postgres: install
	scripts/with-postgres.sh $(BIN)/pytest -m "not browser" $(XDIST) $(PYTEST_ARGS)

lint: check

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Search relevance (MRR@10, nDCG@10) and speed per engine: SQLite + OpenSearch (osmem), then
# PostgreSQL. BENCH_ARGS="--size 20000" for a quicker run.
bench: install
	$(BIN)/python -m scripts.bench $(BENCH_ARGS)
	scripts/with-postgres.sh $(BIN)/python -m scripts.bench --engines database $(BENCH_ARGS)

# Forum page timings and SQL query counts on the peers' dataset (their generator and seed), in a
# throwaway PostgreSQL. Beside the peers: README, "Forum speed". BENCH_FORUM_ARGS="--peers DIR".
bench-forum: install
	scripts/with-postgres.sh $(BIN)/python -m scripts.bench_forum all $(BENCH_FORUM_ARGS)

# Requests per second under gunicorn (2 workers, 8 clients): our anonymous thread page beside
# Spirit's, our home and article pages beside the same bytes as a static file. Needs the forum
# dataset in DATABASE_URL, the demo in SITE_DATABASE_URL and the peers in PEERS (README).
bench-forum-http: install
	$(BIN)/python -m scripts.bench_forum_http --site-database-url "$(SITE_DATABASE_URL)" $(BENCH_FORUM_HTTP_ARGS)

# Relevance on real public content (tests/search/real/*.yaml) beside a plain BM25 baseline:
# CORPORA is a folder holding the corpora cloned at their pinned commits (see the README).
# BENCH_REAL_ARGS="--split validation" for the held-out part, "--misses" to list misses.
bench-real: install
	@test -n "$(CORPORA)" || { echo "usage: make bench-real CORPORA=DIR"; exit 2; }
	$(BIN)/python -m scripts.bench_real --corpora "$(CORPORA)" $(BENCH_REAL_ARGS)
	scripts/with-postgres.sh $(BIN)/python -m scripts.bench_real --engines database --corpora "$(CORPORA)" $(BENCH_REAL_ARGS)

# How faithfully a docs tree imports: into a scratch database, never var/db.sqlite3.
# DOCS is a Docusaurus/MkDocs site folder or its docs folder.
import-check: install
	@test -n "$(DOCS)" || { echo "usage: make import-check DOCS=path/to/site-or-docs"; exit 2; }
	$(MANAGE) import_docs "$(DOCS)" --check

# The public docs trees the importer is measured on, at pinned commits (never committed here).
CORPORA ?= var/corpora
CORPORA_GIT ?= https://github.com
# folder=owner/repository@commit; the folders are the ones tests/search/real/*.yaml name.
CORPORA_TREES := golioth+docs=golioth/docs@8314093700a63cfc553835a28da0d780ad35c27c \
	tasmota+docs=tasmota/docs@9849ab94d785118a4e59b3d063b83e843be7a325 \
	clusteringex=dmaharana/Clusteringex@0ec434f7d16a7bee08b4d6b8af094ca6567e330b
corpora:
	mkdir -p "$(CORPORA)"
	@for tree in $(CORPORA_TREES); do \
	  folder=$${tree%%=*}; spec=$${tree#*=}; repo=$${spec%@*}; commit=$${spec#*@}; \
	  dir="$(CORPORA)/$$folder"; \
	  if [ ! -d "$$dir/.git" ]; then \
	    git init -q "$$dir" && git -C "$$dir" remote add origin "$(CORPORA_GIT)/$$repo.git"; \
	  fi; \
	  echo "$$repo at $$commit -> $$dir"; \
	  git -C "$$dir" fetch -q --depth 1 origin "$$commit" && \
	  git -C "$$dir" checkout -q --detach FETCH_HEAD || exit 1; \
	done

clean:
	rm -rf $(VENV) var
