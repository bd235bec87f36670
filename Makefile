# The two commands: `make run` and `make test`. Both set up everything on a fresh machine.
.PHONY: run test setup lint worker clean bench faults typescript-client

VENV := .venv
BIN := $(VENV)/bin
# The first Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
HOST ?= 127.0.0.1
PORT ?= 8000
# The address `make run` sends people to and e-mail links point at: this server unless set.
SITE_URL ?= http://$(HOST):$(PORT)

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (none found on PATH)." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python manage.py migrate --noinput
	SITE_URL="$(SITE_URL)" $(BIN)/python manage.py seed_demo --quiet
	@echo "ApplianceOps is starting on http://$(HOST):$(PORT)/ (Ctrl-C stops it)."
	@# The task worker and the reminder loop run beside the server, are started again if they
	@# exit (applianceops/supervise.py), and stop with it. where_to_go says where to go (pages,
	@# logins, partner key) once the server listens: the last thing printed at start-up. Each
	@# e-mail is then one line (applianceops/mail.py).
	SITE_URL="$(SITE_URL)" $(BIN)/python -m applianceops.supervise \
		--helper "$(BIN)/python manage.py db_worker --no-reload" \
		--helper "$(BIN)/python manage.py send_reminders --every 300" \
		--once "$(BIN)/python manage.py where_to_go --wait-for $(HOST):$(PORT)" \
		-- $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The task worker alone (e-mails), e.g. beside a server started another way.
worker: setup
	$(BIN)/python manage.py db_worker

# The browser tests drive a Chromium: PLAYWRIGHT_CHROMIUM, Debian's /usr/bin/chromium, or the one
# Playwright downloads, fetched here when there is none. Offline the download fails: the suite then
# leaves the browser tests out with one line saying how to get a browser, and still passes.
test: setup
	@$(BIN)/python -c 'import sys; from applianceops.tests.helpers import find_chromium; sys.exit(not find_chromium())' \
	|| $(BIN)/python -m playwright install chromium >/dev/null 2>&1 \
	|| echo "No Chromium found, and Playwright could not download one."
	$(BIN)/python -m pytest

# The booking API against a floor view through gunicorn (README: Benchmark): a fresh SQLite file,
# plus PostgreSQL + Redis when DATABASE_URL is a postgres:// URL. Not part of `make test`.
# BENCH_ARGS="--pairs 3 --seconds 5 --profile" etc.; `python -m bench.booking_bench -h` lists them.
bench: setup
	$(BIN)/python -m bench.booking_bench $(BENCH_ARGS)

# Fault suite (not part of `make test`, about 6 minutes): throwaway PostgreSQL, Redis, SMTP sink,
# gunicorn and worker on 127.0.0.1; a few hundred bookings while each of them fails in turn.
# FAULTS_ARGS="--bookings 20 --scenarios ad" for a shorter run.
faults: setup
	$(BIN)/python -m faults.run $(FAULTS_ARGS)

lint: setup
	$(BIN)/ruff check .

# A TypeScript client made from the API's schema the way partners make one (README: Generate a
# client): types by openapi-typescript, a booking script on openapi-fetch, type-checked by tsc.
# Needs Node and npm; the packages are pinned in clients/typescript/package-lock.json.
TS := clients/typescript
typescript-client: setup
	cd $(TS) && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python manage.py spectacular --format openapi-json --file $(TS)/openapi.json
	cd $(TS) && npx --no-install openapi-typescript openapi.json --output schema.d.ts
	cd $(TS) && npx --no-install tsc --noEmit -p .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .test-db.sqlite3* $(TS)/node_modules $(TS)/build
