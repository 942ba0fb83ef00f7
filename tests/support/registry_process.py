"""Run the mock central registry as a real process, for tests that talk to it over HTTP.

The pytest process never loads the registry's Django settings: this class creates a PostgreSQL
database of its own, migrates it and starts gunicorn in subprocesses, then speaks HTTP.

    with RegistryProcess(env={"MOCKREGISTRY_PROPAGATION_SECONDS": "2"}) as registry:
        with registry.client() as api:              # httpx.Client on api_url with the bearer token
            api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key})
        registry.set_faults(error_rate=1.0)         # /_control/faults
        registry.stats()["updates_by_key"]          # /_control/stats
        registry.restart()                          # same database, same port

Interface (all keyword options have defaults):
    RegistryProcess(env=None, *, workers=1, threads=8, port=None, registry_token=...,
                    control_token=..., admin_dsn=None, startup_timeout=30.0)
    .start() -> self      create + migrate the database, start gunicorn, wait for /api/v1/health
    .stop()               stop gunicorn gracefully (the database stays)
    .kill()               SIGKILL master and workers at once, like a crash (the database stays)
    .restart(env=None)    stop and start again on the same database and port; `env` adds overrides
    .close()              stop and drop the database (also what `with` does on exit)
    .base_url, .api_url, .registry_token, .control_token, .database_url, .port, .log_path
    .client(**kwargs) -> httpx.Client            for the registry API (base api_url, bearer token)
    .http_client(**kwargs) -> httpx.Client       unauthenticated, base base_url
    .control_client(**kwargs) -> httpx.Client    for /_control (base base_url, control token)
    .api_headers(idempotency_key=None) -> dict
    .set_faults(**faults) -> dict, .clear_faults() -> dict, .faults() -> dict
    .set_behaviour(**behaviour) -> dict, .clear_behaviour() -> dict, .behaviour() -> dict
    .stats(by_key=True) -> dict, .clear_stats() -> dict
    .reset(keep_data=False)                      faults, behaviour, counters (and data) back to start
    .seed(residents) -> int                      create/overwrite residents via /_control/residents
    .manage(*args) -> subprocess.CompletedProcess   run a manage.py command against this database
    .is_running() -> bool, .log_text() -> str
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import psycopg2
from psycopg2 import sql

from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "mockregistry.settings"
DATABASE_PREFIX = "sinkron_mockregistry_test_"
DEFAULT_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REGISTRY_TOKEN = "test-registry-token"
DEFAULT_CONTROL_TOKEN = "test-control-token"

# Settings the tests rely on unless the caller overrides them: every worker reads the control
# state on every request, so a fault set through one worker is seen at once by the others.
# The centre never creates a resident from a resync ("refuse", as in production): a test that pushes
# a NIK seeds the resident first (tests/integration/conftest.py Pipeline.open_ticket does). Tests
# expect the old min_fraction..P spread ("uniform"); tests of the new one switch it via /_control.
TEST_ENV_DEFAULTS = {
    "MOCKREGISTRY_CONTROL_CACHE_SECONDS": "0",
    "MOCKREGISTRY_LOG_LEVEL": "WARNING",
    "MOCKREGISTRY_UNKNOWN_NIK": "refuse",
    "MOCKREGISTRY_PROPAGATION_MODEL": "uniform",
}
# Variables of the surrounding (pytest, help desk) process that must not leak into the registry;
# every MOCKREGISTRY_* variable is dropped too, so a developer's shell cannot change the tests.
_SCRUBBED_ENV = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONSTARTUP")


class RegistryProcessError(RuntimeError):
    """The registry could not be set up, started or reached."""


class RegistryProcess:
    """A mock registry in its own gunicorn process, on a fresh PostgreSQL database it owns."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        workers: int = 1,
        threads: int = 8,
        port: int | None = None,
        registry_token: str = DEFAULT_REGISTRY_TOKEN,
        control_token: str = DEFAULT_CONTROL_TOKEN,
        admin_dsn: str | None = None,
        startup_timeout: float = 30.0,
    ):
        self.env_overrides = dict(env or {})
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()
        self.registry_token = registry_token
        self.control_token = control_token
        self.admin_dsn = admin_dsn or os.environ.get("MOCKREGISTRY_TEST_ADMIN_DSN", DEFAULT_ADMIN_DSN)
        self.startup_timeout = startup_timeout
        self.instance_id = uuid.uuid4().hex[:8]
        self.database_name = f"{DATABASE_PREFIX}{_host_tag()}_{os.getpid()}_{self.instance_id}"
        self.database_url = _database_url(self.admin_dsn, self.database_name)
        self._workdir = Path(tempfile.mkdtemp(prefix="mockregistry-"))
        self.log_path = self._workdir / "gunicorn.log"
        self._process: subprocess.Popen | None = None
        self._control_http: httpx.Client | None = None
        self._database_created = False

    # --- addresses ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return the root URL, e.g. http://127.0.0.1:54321 (the control API lives under it)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Return the registry API base, what Sinkron calls REGISTRY_URL."""
        return f"{self.base_url}/api/v1"

    # --- life cycle --------------------------------------------------------------------------------

    def __enter__(self) -> RegistryProcess:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self) -> RegistryProcess:
        """Create and migrate the database (first time only), start gunicorn, wait until healthy."""
        if self.is_running():
            return self
        if not self._database_created:
            _drop_orphan_databases(self.admin_dsn)
            _admin_execute(self.admin_dsn, "CREATE DATABASE {}", self.database_name)
            self._database_created = True
            self._migrate()
        self._launch()
        self.wait_until_healthy()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gunicorn gracefully (SIGTERM, then SIGKILL after `timeout`); the database stays."""
        if self._control_http is not None:
            self._control_http.close()
            self._control_http = None
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def kill(self) -> None:
        """Kill the master and its workers at once (SIGKILL), as a crash would; the database stays."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
        _wait_for_group_to_exit(process.pid, timeout=5.0)  # workers hold the port until they are gone

    def restart(self, env: Mapping[str, str] | None = None) -> RegistryProcess:
        """Stop and start again on the same database and port; `env` adds or replaces overrides."""
        self.stop()
        self.env_overrides.update(env or {})
        return self.start()

    def close(self) -> None:
        """Stop the process, drop its database and remove its log."""
        self.stop()
        if self._database_created:
            _admin_execute(self.admin_dsn, "DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database_name)
            self._database_created = False
        shutil.rmtree(self._workdir, ignore_errors=True)

    def is_running(self) -> bool:
        """Tell whether the gunicorn master is alive."""
        return self._process is not None and self._process.poll() is None

    def wait_until_healthy(self, timeout: float | None = None) -> None:
        """Poll /api/v1/health until it answers 200, or raise with the server log."""
        deadline = time.monotonic() + (timeout or self.startup_timeout)
        with self.http_client(timeout=1.0) as http:
            while time.monotonic() < deadline:
                if not self.is_running():
                    raise RegistryProcessError(f"mock registry exited during start-up:\n{self.log_text()}")
                if self._answers_health(http):
                    return
                time.sleep(0.1)
        raise RegistryProcessError(f"mock registry not healthy after start-up:\n{self.log_text()}")

    def _answers_health(self, http: httpx.Client) -> bool:
        try:
            answer = http.get("/api/v1/health")
            # The instance check guards against another server that took the port meanwhile.
            return answer.status_code == 200 and answer.json().get("instance") == self.instance_id
        except (httpx.TransportError, ValueError):
            return False

    def log_text(self) -> str:
        """Return what the server wrote to stdout/stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def manage(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run `manage.py <args>` with the registry's settings and database; return the result."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self._environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    # --- HTTP --------------------------------------------------------------------------------------

    def api_headers(self, idempotency_key: str | None = None) -> dict:
        """Return the headers of a registry API call (bearer token, optional Idempotency-Key)."""
        headers = {"Authorization": f"Bearer {self.registry_token}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def http_client(self, **kwargs) -> httpx.Client:
        """Return an unauthenticated httpx.Client on base_url. Close it after use."""
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("timeout", 10.0)
        kwargs.setdefault("verify", _shared_ssl_context())
        return httpx.Client(**kwargs)

    def client(self, **kwargs) -> httpx.Client:
        """Return an httpx.Client for the registry API (base api_url, bearer token). Close it after use."""
        return self.http_client(base_url=self.api_url, headers=self.api_headers(), **kwargs)

    def control_client(self, **kwargs) -> httpx.Client:
        """Return an httpx.Client for /_control (base base_url, control token). Close it after use."""
        return self.http_client(headers={"Authorization": f"Bearer {self.control_token}"}, **kwargs)

    def set_faults(self, **faults) -> dict:
        """Set the given faults (others unchanged); return the effective faults.

        Fields: latency_ms, jitter_ms, error_rate, error_statuses, outage_seconds, outage_start,
        outage_end, rate_limit_per_second, drop_rate, drop_phase ("before" or "after").
        """
        return self._control("POST", "/_control/faults", json=faults)

    def clear_faults(self) -> dict:
        """Put the faults back to the process's environment defaults."""
        return self._control("DELETE", "/_control/faults")

    def faults(self) -> dict:
        """Return the effective faults."""
        return self._control("GET", "/_control/faults")

    def set_behaviour(self, **behaviour) -> dict:
        """Set propagation behaviour (others unchanged); return the effective behaviour.

        Fields: propagation_seconds, propagation_min_fraction, late_rate, stuck_rate, reject_rate,
        expedite_seconds.
        """
        return self._control("POST", "/_control/behaviour", json=behaviour)

    def clear_behaviour(self) -> dict:
        """Put the behaviour back to the process's environment defaults."""
        return self._control("DELETE", "/_control/behaviour")

    def behaviour(self) -> dict:
        """Return the effective behaviour."""
        return self._control("GET", "/_control/behaviour")

    def stats(self, by_key: bool = True) -> dict:
        """Return the counters of /_control/stats (due updates are settled first)."""
        return self._control("GET", "/_control/stats", params={"by_key": "1" if by_key else "0"})

    def clear_stats(self) -> dict:
        """Clear the request counters; return the (now empty) stats."""
        return self._control("DELETE", "/_control/stats")

    def reset(self, keep_data: bool = False) -> None:
        """Reset faults, behaviour and counters to the start state; wipe the data unless keep_data."""
        self._control("POST", "/_control/reset", json={"keep_data": keep_data})

    def seed(self, residents: Iterable[Mapping]) -> int:
        """Create or overwrite residents (nik, kk_number, full_name, birth_date, sex); return how many."""
        return self._control("PUT", "/_control/residents", json=[dict(r) for r in residents])["loaded"]

    def seed_families(self, families: Iterable[Mapping]) -> int:
        """Create or overwrite family cards (kk_number, head_nik, members); return how many."""
        return self._control("PUT", "/_control/families", json=[dict(f) for f in families])["loaded"]

    def set_state(self, nik: str, state: str) -> dict:
        """Play the central operator: set a resident's persistent state; return the resident."""
        return self._control("POST", f"/_control/residents/{nik}/state", json={"state": state})

    def advance_clock(self, seconds: float) -> dict:
        """Move the registry's clock forward (instead of sleeping); return {now, offset_seconds}."""
        return self._control("POST", "/_control/clock", json={"advance_seconds": seconds})

    # --- internals ---------------------------------------------------------------------------------

    def _control(self, method: str, path: str, **kwargs) -> dict:
        if self._control_http is None:
            self._control_http = self.control_client()
        response = self._control_http.request(method, path, **kwargs)
        if response.status_code != 200:
            raise RegistryProcessError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()

    def _environment(self) -> dict:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in _SCRUBBED_ENV and not name.startswith("MOCKREGISTRY_")
        }
        env.update(TEST_ENV_DEFAULTS)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
                "MOCKREGISTRY_DATABASE_URL": self.database_url,
                "REGISTRY_TOKEN": self.registry_token,
                "MOCKREGISTRY_CONTROL_TOKEN": self.control_token,
                "MOCKREGISTRY_INSTANCE": self.instance_id,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env_overrides)
        return env

    def _migrate(self) -> None:
        result = self.manage("migrate", "--noinput", "-v", "0")
        if result.returncode != 0:
            raise RegistryProcessError(f"migrate failed:\n{result.stdout}\n{result.stderr}")

    def _launch(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "mockregistry.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread",
            "--graceful-timeout",
            "5",
            "--no-control-socket",  # gunicorn 27 shares one control socket path per user by default
        ]
        self._workdir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            # Its own process group, so kill() can take the workers down with the master.
            self._process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self._environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    # httpx builds a fresh context (reading the CA bundle, ~50 ms) per client unless given one.
    return httpx.create_ssl_context()


def _database_url(admin_dsn: str, database_name: str) -> str:
    root, _, _ = admin_dsn.rpartition("/")
    return f"{root}/{database_name}"


def _admin_execute(admin_dsn: str, statement: str, database_name: str) -> None:
    connection = psycopg2.connect(admin_dsn)
    try:
        connection.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL(statement).format(sql.Identifier(database_name)))
    finally:
        connection.close()


def _drop_orphan_databases(admin_dsn: str) -> None:
    """Drop test databases left behind by this host's test runs whose process no longer exists."""
    connection = psycopg2.connect(admin_dsn)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [DATABASE_PREFIX + "%"])
            names = [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
    own_host = f"{DATABASE_PREFIX}{_host_tag()}_"
    for name in names:
        if not name.startswith(own_host):
            continue  # another machine's run: its process ids mean nothing here
        pid = name[len(own_host) :].split("_", 1)[0]
        if pid.isdigit() and not _process_exists(int(pid)):
            _admin_execute(admin_dsn, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _wait_for_group_to_exit(group: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise RegistryProcessError(f"processes of group {group} still alive {timeout} s after SIGKILL")


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
