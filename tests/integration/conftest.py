"""The integration stack: a real mock registry (gunicorn), a dedicated Redis, a Celery worker and
Celery beat, all separate processes, working on the pytest-django test database.

Per module: one registry, one Redis, one worker and one beat (`stack`). Per test (`pipeline`): the
registry is reset, the broker queue purged and the breaker forgotten; after the test every active
job is cancelled, so the transactional flush finds a quiet database.

Nothing runs eagerly: tickets are opened in this process, their on-commit nudges go to our Redis
(the pytest process's Celery app is pointed at it), and the worker does the rest. Every process
logs to var/test/integration/<module>/; a failing test's report carries the tail of each log.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.integration.processes import CeleryProcess, RedisServer, tail, wait_until
from tests.support.registry_process import RegistryProcess

# The mock registry: quick, deterministic propagation (1-2 s); tests change it through /_control.
REGISTRY_ENV = {
    "MOCKREGISTRY_PROPAGATION_SECONDS": "2",
    "MOCKREGISTRY_PROPAGATION_MIN_FRACTION": "0.5",
    "MOCKREGISTRY_LATE_RATE": "0",
    "MOCKREGISTRY_STUCK_RATE": "0",
    "MOCKREGISTRY_REJECT_RATE": "0",
    "MOCKREGISTRY_EXPEDITE_SECONDS": "0.5",
    "MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS": "0.5",
    "MOCKREGISTRY_LOG_LEVEL": "INFO",
    # Portals see an applied update at once, so the tests about the centre pass the portal stage in
    # one check; tests/integration/test_portal_stage.py sets the portals' lag itself.
    "MOCKREGISTRY_PORTAL_LAG_MAX_SECONDS": "0",
}

# Worker and beat timing: the 1x24 jam SLA becomes 6 s (86400 / 14400); checks after acceptance at
# +0.25 s, +0.5 s, +1 s, +2 s, +4 s, at the SLA, then every 0.5 s; the sweeper runs every second.
TIME_SCALE = 14400
SLA_SECONDS = 86400 / TIME_SCALE
STACK_TIMING_ENV = {
    "DEMO_TIME_SCALE": str(TIME_SCALE),
    "SYNC_SLA_SECONDS": "86400",
    "SYNC_SWEEP_SECONDS": "1",
    "SYNC_RETRY_BASE_SECONDS": "0.2",
    "SYNC_RETRY_MAX_SECONDS": "2",
    # 8 in production. The fault tests draw a 50 % error rate, and a push the open circuit breaker
    # answers locally (no call made) counts as an attempt too: 25 keeps "give up and escalate" out
    # of tests that are about recovering.
    "SYNC_MAX_PUSH_ATTEMPTS": "25",
    # The lease of a claimed job: what a SIGKILLed worker's jobs wait before another worker may
    # take them. It must outlast one unit of work (two calls of at most 1 + 4 s here).
    "SYNC_CLAIM_SECONDS": "12",
    "REGISTRY_CONNECT_TIMEOUT": "1",
    "REGISTRY_READ_TIMEOUT": "4",
    "REGISTRY_BREAKER_THRESHOLD": "5",
    "REGISTRY_BREAKER_OPEN_SECONDS": "1",
    "SYNC_EXPEDITE_CHECK_SECONDS": "0.5",
    # 600 s here: only tests of the accept deadline (test_centre_blocks.py) want it to pass.
    "SYNC_ACCEPT_DEADLINE_SECONDS": str(600 * TIME_SCALE),
    "LOG_LEVEL": "INFO",
}
WORKER_READY = " ready."
BEAT_READY = "Sending due task sync-sweep"

# Stacks that are up, so a failing test's report can show their logs.
_LIVE_STACKS: list[Stack] = []


def results_dir() -> Path:
    return Path(settings.VAR_DIR) / "integration"


def database_url_for_workers() -> str:
    """Return the DATABASE_URL of the pytest-django test database (call after django_db_setup)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.fail("the integration tests need PostgreSQL: set DATABASE_URL=postgres://...")
    assert db["NAME"].startswith("test_"), f"not a test database: {db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


class Stack:
    """The processes of one test module and the environment they share."""

    def __init__(
        self,
        *,
        registry: RegistryProcess,
        redis: RedisServer,
        log_dir: Path,
        workdir: Path,
        env_overrides: dict | None = None,
    ):
        self.registry, self.redis, self.log_dir, self.workdir = registry, redis, log_dir, workdir
        self.env = {**self._environment(), **(env_overrides or {})}
        self.worker: CeleryProcess | None = None
        self.beat: CeleryProcess | None = None
        self.workers_started = 0
        self.worker_kills = 0
        self._retired_logs: list[Path] = []

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(STACK_TIMING_ENV)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
                "DATABASE_URL": database_url_for_workers(),
                # Broker and cache (the circuit breaker) on our own Redis, never the machine's.
                "REDIS_URL": self.redis.url(0),
                "CELERY_BROKER_URL": self.redis.url(0),
                # The same keys as this process, so the worker decrypts the payloads we encrypt.
                "SINKRON_VAR_DIR": str(settings.VAR_DIR),
                "SECRET_KEY": settings.SECRET_KEY,
                "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
                "FIELD_HMAC_KEY": settings.FIELD_HMAC_KEY,
                "REGISTRY_URL": self.registry.api_url,
                "REGISTRY_TOKEN": self.registry.registry_token,
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    # --- processes -------------------------------------------------------------------------------

    def start_worker(self, *, wait: bool = True) -> CeleryProcess:
        """Start a new worker (its own log file); `wait=False` returns as soon as it is launched."""
        self.workers_started += 1
        self.worker = CeleryProcess.worker(self.env, self.log_dir, name=f"worker-{self.workers_started}")
        if not wait:
            self.worker.launch()
            return self.worker
        return self.worker.start(WORKER_READY)

    def wait_for_worker(self, timeout: float = 30.0) -> None:
        self.worker.wait_for_log(WORKER_READY, timeout)

    def kill_worker(self) -> None:
        """SIGKILL the worker: no warm shutdown, no acknowledgements, leases left behind."""
        self.worker.kill()
        self.worker_kills += 1

    def start_beat(self, *, wait: bool = True) -> CeleryProcess:
        if self.beat is None:
            self.beat = CeleryProcess.beat(self.env, self.log_dir, schedule=self.workdir / "beat-schedule")
        if not wait:
            self.beat.launch()
            return self.beat
        return self.beat.start(BEAT_READY)

    def start(self) -> None:
        """Start everything, the slow parts side by side: the registry (database, migrations,
        gunicorn) in a thread, while the worker and beat boot Django."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            registry_up = pool.submit(self.registry.start)
            self.start_worker(wait=False)
            self.start_beat(wait=False)
            self.wait_for_worker()
            self.beat.wait_for_log(BEAT_READY, 30)
            registry_up.result()

    def ensure_running(self) -> None:
        """Bring back whatever a previous test killed (or that died)."""
        if not self.redis.is_running():
            self.redis.start()
        if not self.registry.is_running():
            self.registry.start()
        if self.worker is None or not self.worker.is_running():
            self.start_worker()
        if self.beat is None or not self.beat.is_running():
            self.start_beat()

    def stop(self) -> None:
        running = [p for p in (self.beat, self.worker) if p is not None and p.is_running()]
        for process in running:
            process.terminate()  # both shut down at once
        for process in running:
            process.stop()
        self.redis.stop()

    # --- broker ----------------------------------------------------------------------------------

    def clear_broker(self) -> None:
        """Drop queued nudges and the circuit breaker's state (not the queue bindings: a FLUSHALL
        would also delete kombu's binding keys under a connected worker)."""
        from helpdesk.celery import app

        try:
            app.control.purge()
        except Exception:  # noqa: BLE001 - a purge is a courtesy; stale nudges are harmless
            pass
        client = self.redis.client()
        try:
            keys = list(client.scan_iter(match="*registry:breaker*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    # --- observation -----------------------------------------------------------------------------

    def sweeps_sent(self) -> int:
        """How many sweeps beat has published so far (its log says so for each)."""
        return self.beat.log_text().count(BEAT_READY) if self.beat else 0

    def wait_for_sweeps(self, count: int, timeout: float = 15.0) -> None:
        """Wait until beat has published `count` more sweeps."""
        start = self.sweeps_sent()
        wait_until(
            lambda: self.sweeps_sent() >= start + count,
            timeout,
            message=f"{count} sweeps",
            describe=lambda: tail(self.beat.log_path, 20),
        )

    def log_files(self) -> list[tuple[str, Path]]:
        files = [("registry", self.registry.log_path), ("redis", self.redis.log_path)]
        if self.beat:
            files.append(("beat", self.beat.log_path))
        for number in range(1, self.workers_started + 1):
            files.append((f"worker-{number}", self.log_dir / f"worker-{number}.log"))
        return files

    def keep_registry_log(self) -> None:
        if self.registry.log_path.exists():
            shutil.copyfile(self.registry.log_path, self.log_dir / "registry.log")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of every process log to a failing test's report."""
    report = yield
    if report.failed and _LIVE_STACKS:
        for stack in _LIVE_STACKS:
            for name, path in stack.log_files():
                report.sections.append((f"{name} log, last lines ({path})", tail(path, 40)))
    return report


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(request, django_db_setup):
    """Start the registry, our Redis, a worker and beat for this module; stop them afterwards.

    A module may set STACK_ENV (a dict) to change the worker's and beat's environment."""
    log_dir = results_dir() / request.module.__name__.rsplit(".", 1)[-1]
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    workdir = Path(tempfile.mkdtemp(prefix="sinkron-integration-"))
    registry = RegistryProcess(env=REGISTRY_ENV, workers=2, threads=8)
    redis = RedisServer(log_dir, workdir=workdir)
    restore_broker = None
    built = None
    try:
        redis.start()
        restore_broker = point_this_process_at(redis.url(0))
        built = Stack(
            registry=registry,
            redis=redis,
            log_dir=log_dir,
            workdir=workdir,
            env_overrides=getattr(request.module, "STACK_ENV", None),
        )
        _LIVE_STACKS.append(built)
        built.start()
        yield built
    finally:
        if built is not None:
            _LIVE_STACKS.remove(built)
            built.stop()
            built.keep_registry_log()
        else:
            redis.stop()
        if restore_broker is not None:
            restore_broker()
        registry.close()
        shutil.rmtree(workdir, ignore_errors=True)


def point_this_process_at(broker_url: str):
    """Make this process's Celery app publish to `broker_url` (our Redis); return an undo."""
    from helpdesk.celery import app

    assert not app.conf.task_always_eager, "the integration tests never run tasks eagerly"
    saved = (app.conf.broker_url, app.conf.broker_transport_options)

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url = broker_url
    if not str(saved[0]).startswith("redis"):  # the settings chose the filesystem broker's options
        app.conf.broker_transport_options = {"visibility_timeout": 3600}

    def restore():
        reset_pools()
        app.conf.broker_url, app.conf.broker_transport_options = saved

    return restore


@pytest.fixture(autouse=True)
def desk_groups(transactional_db):
    """The groups come from a post_migrate hook; a flush between tests may have dropped them."""
    from tickets.roles import ensure_groups

    ensure_groups()


@pytest.fixture
def pipeline(stack, transactional_db, office, clerk, settings):
    """A running stack with a clean registry and broker, and helpers to open and watch tickets."""
    from sync.models import SyncJob

    # The counter (this process) promises the 1x24 jam on the workers' clock, as in production
    # where the web and the workers read the same environment.
    settings.DEMO_TIME_SCALE = float(stack.env["DEMO_TIME_SCALE"])
    settings.SYNC_SLA_SECONDS = int(stack.env["SYNC_SLA_SECONDS"])
    stack.ensure_running()
    stack.registry.reset()
    stack.clear_broker()
    kills_before = stack.worker_kills
    yield Pipeline(stack, office=office, clerk=clerk)
    # Quiet the worker before pytest-django truncates the tables under it.
    SyncJob.objects.filter(state__in=SyncJob.ACTIVE_STATES).update(state=SyncJob.State.CANCELLED)
    stack.clear_broker()
    if stack.worker_kills != kills_before:
        # After kills the worker re-drives what they left behind for a while: a task of it inside
        # its transaction deadlocked with the TRUNCATE (twice in full runs). It goes; the next
        # test's ensure_running starts a fresh one (not counted as a kill).
        stack.worker.kill()


class Pipeline:
    """What a test does with the stack: open tickets, wait for outcomes, read both sides."""

    def __init__(self, stack: Stack, *, office, clerk):
        self.stack, self.office, self.clerk = stack, office, clerk
        self.registry = stack.registry

    def open_ticket(self, serial: int = 1, *, known: bool = True, state: str = "active", **overrides):
        """Open a ticket at the counter (its commit nudges the worker through our Redis).

        The centre knows the citizen first (with their old KK, in `state`) unless `known` is False:
        like the real one, the mock refuses a NIK it has never recorded.
        """
        from tests.cast import complaint, nik_with_serial
        from tickets.services import open_ticket

        overrides.setdefault("nik", nik_with_serial(serial))
        typed = complaint(**overrides)
        if known:
            self.seed_resident(typed, state=state)
        return open_ticket(office=self.office, created_by=self.clerk, complaint=typed)

    def seed_resident(self, typed, *, state: str = "active") -> None:
        """Record the complaint's citizen at the centre as it stands before the fix: the old KK."""
        resident = {
            "nik": typed.nik,
            "kk_number": typed.kk_number_old or typed.kk_number,
            "full_name": typed.full_name,
            "birth_date": typed.birth_date.isoformat(),
            "sex": typed.sex,
            "state": state,
        }
        self.registry.seed([resident])

    def wait_for_status(self, tickets, statuses, timeout: float) -> None:
        """Wait until every ticket's status is one of `statuses`."""
        from tickets.models import Ticket

        ids = [t.pk for t in tickets]
        wanted = {statuses} if isinstance(statuses, str) else set(statuses)
        wait_until(
            lambda: not Ticket.objects.filter(pk__in=ids).exclude(status__in=wanted).exists(),
            timeout,
            interval=0.2,
            message=f"{len(ids)} ticket(s) to reach {sorted(wanted)}",
            describe=self.describe,
        )

    def wait_for_pushed(self, tickets, timeout: float) -> None:
        """Wait until the registry has accepted every ticket's push (its job holds an update id)."""
        from sync.models import SyncJob

        ids = [t.pk for t in tickets]
        wait_until(
            lambda: SyncJob.objects.filter(ticket__in=ids).exclude(update_id="").count() == len(ids),
            timeout,
            interval=0.2,
            message=f"the registry to accept {len(ids)} push(es)",
            describe=self.describe,
        )

    def job(self, ticket):
        from sync.models import SyncJob

        return SyncJob.objects.get(ticket=ticket)

    def describe(self) -> str:
        """Say where every ticket and job stands (for time-out messages)."""
        from django.utils import timezone

        from sync.models import SyncAttempt, SyncJob
        from tickets.models import Ticket

        now = timezone.now()
        tickets = Counter(Ticket.objects.values_list("status", flat=True))
        jobs = Counter(SyncJob.objects.values_list("state", flat=True))
        claimed = SyncJob.objects.filter(claimed_until__gt=now).count()
        errors = Counter(SyncJob.objects.exclude(last_error="").values_list("last_error", flat=True))
        outcomes = Counter(SyncAttempt.objects.values_list("operation", "outcome", "status_code"))
        try:
            registry = self.registry.stats(by_key=False)
        except Exception as exc:  # noqa: BLE001
            registry = f"unavailable: {exc}"
        return json.dumps(
            {
                "tickets": tickets,
                "jobs": jobs,
                "claimed_now": claimed,
                "last_errors": dict(errors.most_common(5)),
                "attempts": {" ".join(map(str, k)): v for k, v in outcomes.most_common(12)},
                "registry": registry,
                "processes": {
                    "worker": self.stack.worker.is_running() if self.stack.worker else None,
                    "beat": self.stack.beat.is_running() if self.stack.beat else None,
                    "redis": self.stack.redis.is_running(),
                    "registry": self.registry.is_running(),
                },
            },
            indent=1,
            default=str,
        )

    def sleep_sweeps(self, count: int) -> None:
        self.stack.wait_for_sweeps(count)

    @staticmethod
    def elapsed(since: float) -> float:
        return round(time.monotonic() - since, 1)
