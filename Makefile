# Sinkron — the README's commands. `make run` starts the demo, `make test` runs every test.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | sha1sum | cut -c1-12)
DEV_STAMP     := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

# Tests run on the real services: PostgreSQL and Redis on this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sinkron
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15
# Two pytest workers (pytest-xdist), one per core: each has its own test database, Redis db and
# var dir (tests/support/xdist_env.py). PYTEST_ARGS="-n 0" runs the suite in one process.
PYTEST_ARGS       ?= -n 2 --durations=15

.PHONY: run test install install-dev migrate demo-data lint clean bench topology topology-down

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_regions

# Demo timing: 1x24 jam runs in 3 minutes (every SLA-related duration divided by 480), the mock
# registry applies most updates within that, and the sweeper runs every 5 seconds.
run demo-data: export DEMO_TIME_SCALE ?= 480
run demo-data: export SYNC_SWEEP_SECONDS ?= 5
run demo-data: export MOCKREGISTRY_PROPAGATION_SECONDS ?= 180
run demo-data: export MOCKREGISTRY_EXPEDITE_SECONDS ?= 10
# The demo centre, like the real one, never records a NIK from a resync: an unknown NIK is refused
# as "documents needed" (the demo's hard cases show it, see the README).
run demo-data: export MOCKREGISTRY_UNKNOWN_NIK ?= refuse
# Notifications go by WhatsApp, then SMS, then e-mail, through the mock gateway on :8002
# (mockwhatsapp/ defaults: the same tokens and secret).
run demo-data: export NOTIFY_CHANNEL ?= whatsapp
run demo-data: export NOTIFY_FALLBACK ?= sms,email
run demo-data: export WHATSAPP_API_URL ?= http://127.0.0.1:$(or $(WHATSAPP_PORT),8002)
run demo-data: export WHATSAPP_PHONE_NUMBER_ID ?= 100200300400500
run demo-data: export WHATSAPP_ACCESS_TOKEN ?= dev-whatsapp-token
run demo-data: export WHATSAPP_APP_SECRET ?= dev-whatsapp-app-secret
run demo-data: export WHATSAPP_VERIFY_TOKEN ?= dev-verify-token
run demo-data: export NOTIFY_SMS_URL ?= http://127.0.0.1:$(or $(WHATSAPP_PORT),8002)/sms/v1/messages
run demo-data: export NOTIFY_SMS_TOKEN ?= dev-whatsapp-token

demo-data: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_families
	DJANGO_SETTINGS_MODULE=mockregistry.settings $(BIN)/python manage.py migrate --noinput -v0
	DJANGO_SETTINGS_MODULE=mockregistry.settings $(BIN)/python manage.py mockregistry_seed --builtin var/demo_residents.json var/demo_families.json

## run: the demo on http://127.0.0.1:8000/ (SQLite under var/, no Redis needed)
run: demo-data
	@echo ""
	@echo "  Sinkron:          http://127.0.0.1:8000/"
	@echo "  Cek status:       http://127.0.0.1:8000/cek-status/"
	@echo "  Admin:            http://127.0.0.1:8000/admin/"
	@echo "  Mock registry:    http://127.0.0.1:8001/api/v1/health"
	@echo "  Mock WhatsApp:    http://127.0.0.1:8002/  (conversations)"
	@echo "  Demo timing:      1x24 jam = $$((86400 / $$DEMO_TIME_SCALE)) s"
	@echo "  Logins:           petugas / supervisor / admin, password $${DEMO_PASSWORD:-sinkron-demo}"
	@echo ""
	$(BIN)/honcho start -f Procfile

## test: lint (ruff, Django checks, no missing migration), then the whole suite on PostgreSQL + Redis,
## with a real browser
test: lint
	./scripts/ensure_services.sh
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SINKRON_VAR_DIR=$(CURDIR)/var/test \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: seed 10k/100k/1M tickets in PostgreSQL, load-test with wrk, time the sync pipeline and
## the roll-up over 514 offices and the cost of one ticket from intake to Selesai
## (BENCH_SIZES="10000 100000 1000000"; results in docs/benchmarks.md)
bench: install-dev
	./scripts/ensure_services.sh
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.sync_throughput
	$(BIN)/python -m bench.rollup
	$(BIN)/python -m bench.ticket_cost

## topology: the scale-out topology as processes (docs/scaling.md): nginx on http://127.0.0.1:8080/ in
## front of 3 gunicorn processes, Celery workers by queue, beat, a PostgreSQL primary and streaming
## replica created under var/topology/, the mock registry, Redis db 3. Ctrl-C stops it all.
topology: install
	./scripts/ensure_services.sh
	$(BIN)/python -m scripts.topology up

## topology-down: stop what a killed `make topology` left running
topology-down:
	$(BIN)/python -m scripts.topology down

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
