# Gongkai — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENTITIES ?= 20000
# The demo and development run with DEBUG on and the embedded SQLite database in var/.
DEV_ENV := DEBUG=1 DATABASE_URL=

.PHONY: demo test bench lint serve venv clean help migrations-check messages

help:
	@echo "make demo   - install into .venv, create the SQLite database, load the demo city, serve on http://$(HOST):$(PORT)/"
	@echo "make test   - install test tools and run the whole suite on SQLite and PostgreSQL (and Chromium when present)"
	@echo "make bench  - run the benchmarks under bench/ and print a table"
	@echo "make lint   - ruff, mypy and the migrations check"
	@echo "make serve  - production-like serving: gunicorn + whitenoise (needs SECRET_KEY, ALLOWED_HOSTS)"
	@echo "make messages - extract the English catalogue gongkai/locale/en and compile it (needs GNU gettext)"

# The install also builds the draw engine's optional C module (ADR 0008): rebuild when it changes.
$(VENV)/.stamp-base: pyproject.toml gongkai/inspections/_drawhash.c
	@PYBIN=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    echo "Creating $(VENV) with $$PYBIN ($$($$PYBIN --version))"; rm -rf $(VENV); $$PYBIN -m venv $(VENV) || exit 1; \
	  fi
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-base
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	@touch $@

venv: $(VENV)/.stamp-base

demo: $(VENV)/.stamp-base
	@mkdir -p var
	$(DEV_ENV) $(BIN)/gongkai migrate --noinput -v 0
	$(DEV_ENV) $(BIN)/gongkai load-demo --entities $(DEMO_ENTITIES) --if-empty
	$(DEV_ENV) $(BIN)/gongkai load-inspection-demo --if-empty
	$(DEV_ENV) $(BIN)/gongkai load-penalty-demo --if-empty
	$(DEV_ENV) $(BIN)/gongkai load-disclosure-demo
	$(DEV_ENV) $(BIN)/gongkai load-interaction-demo --if-empty
	$(DEV_ENV) $(BIN)/gongkai load-policy-demo --if-empty
	$(DEV_ENV) $(BIN)/gongkai reindex --stale
	@echo
	@echo "Gongkai demo city: http://$(HOST):$(PORT)/   (staff: http://$(HOST):$(PORT)/staff/)"
	@$(DEV_ENV) $(BIN)/gongkai demo-logins
	$(DEV_ENV) $(BIN)/gongkai runserver $(HOST):$(PORT)

test: $(VENV)/.stamp-test
	@scripts/run-tests

bench: $(VENV)/.stamp-test
	@$(PY) bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy gongkai
	$(MAKE) --no-print-directory migrations-check

# The English catalogue covers only what is translated (docs/operations.md, "Translations"); these
# paths, relative to gongkai/, are still Chinese only. Remove one from the list once it is marked up.
# The English catalogues (ADR 0060). The site's own, gongkai/locale, holds the shell and the portal;
# an app whose public pages are translated has its own gongkai/<app>/locale, extracted from inside
# the app, with gongkai/<app>/locale/staff-only listing (one glob per line) the files only staff see,
# which stay Chinese. The site's catalogue skips every app and the staff templates.
I18N_SITE_IGNORES := api core registry inspectors inspections penalties policies disclosure search \
	interaction stats opendata templates/staff */tests/* cli.py
# Needs only an installed venv: depending on .stamp-base would reinstall the package from wherever
# `make messages` runs (a git worktree sharing the venv would take the editable install over).
messages:
	@test -x $(BIN)/gongkai || { echo "run make venv first"; exit 1; }
	cd gongkai && $(DEV_ENV) ../$(BIN)/gongkai makemessages -l en --add-location=file \
	  $(foreach p,$(I18N_SITE_IGNORES),--ignore='$(p)')
	@set -e; for locale in gongkai/*/locale; do \
	  app=$${locale%/locale}; ignores=(--ignore='tests/*' --ignore='management/*' --ignore='migrations/*'); \
	  if [ -f $$locale/staff-only ]; then while read -r p; do \
	    case "$$p" in ''|'#'*) ;; *) ignores+=(--ignore="$$p");; esac; done < $$locale/staff-only; fi; \
	  echo "$$app: makemessages $${ignores[*]}"; \
	  (cd $$app && $(DEV_ENV) ../../$(BIN)/gongkai makemessages -l en --add-location=file "$${ignores[@]}"); \
	done
	cd gongkai && $(DEV_ENV) ../$(BIN)/gongkai compilemessages -l en

migrations-check: $(VENV)/.stamp-base
	$(DEV_ENV) $(BIN)/gongkai makemigrations --check --dry-run

# Two processes (one per core: Python runs one thread at a time per process) of two threads each
# (gthread: keep-alive connections wait in a poller, and a thread waiting on the database lets
# another run; four threads made the tail longer, ADR 0053); bench/bench_api.py measures this
# configuration (docs/api.md).
serve: $(VENV)/.stamp-base
	$(BIN)/gongkai collectstatic --noinput -v 0
	$(BIN)/gunicorn gongkai.wsgi --workers 2 --threads 2 --worker-class gthread --bind $(HOST):$(PORT) --access-logfile -

clean:
	rm -rf $(VENV) var test-artefacts bench/out
