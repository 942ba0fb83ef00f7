"""The scale-out topology on one machine, as processes: `make topology` (docs/scaling.md).

    .venv/bin/python -m scripts.topology up      # start everything, print the addresses, wait; Ctrl-C stops
    .venv/bin/python -m scripts.topology down    # stop what a killed `up` left running (reads state.json)

What `up` starts, everything under var/topology/ (TOPOLOGY_DIR) and on its own ports:
- PostgreSQL: a primary and a streaming replica, clusters created here with initdb and
  pg_basebackup from the installed binaries (the machine's own server on 5432 is never touched);
- the mock registry (gunicorn), its database on the primary;
- TOPOLOGY_WEB gunicorn processes (default 3) behind nginx (TOPOLOGY_PORT, default 8080), which
  also serves the collected static files;
- Celery workers by queue: two on `sync` (push, check, sweep), one on `notifications`, one on
  `imports` and `celery` (KK imports, snapshots, retention); one beat;
- the existing Redis, on its own database number (TOPOLOGY_REDIS_URL, default .../3).
The help desk runs with production settings (DEBUG off, secrets generated once into
var/topology/secrets.json), the demo's time scale and the demo data (logins as in `make run`).

tests/scale/ and bench/topology.py use Topology to run the same topology on free ports with its own Redis.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from scripts.processes import (
    Cluster,
    Process,
    as_postgres_user,
    cluster_root,
    free_port,
    log,
    nginx_binary,
    pg_bindir,
)

REPO = Path(__file__).resolve().parents[1]
PYTHON = (
    str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
)
DEMO_TIMING = {
    "DEMO_TIME_SCALE": "480",
    "SYNC_SWEEP_SECONDS": "5",
    "MOCKREGISTRY_PROPAGATION_SECONDS": "180",
    "MOCKREGISTRY_EXPEDITE_SECONDS": "10",
}
WORKERS = {  # name: queues
    "worker-sync-1": "sync",
    "worker-sync-2": "sync",
    "worker-notifications": "notifications",
    "worker-imports": "imports,celery",
}


class Topology:
    """Everything `up` starts. Ports are fixed for `make topology` and free ones for the tests."""

    def __init__(
        self,
        root: Path,
        *,
        redis_url: str,
        web: int = 3,
        proxy_port: int = 8080,
        free_ports: bool = False,
        env: dict | None = None,
        registry_env: dict | None = None,
    ):
        port = free_port if free_ports else iter(range(proxy_port + 1, proxy_port + 100)).__next__
        self.root, self.redis_url, self.proxy_port = (
            root,
            redis_url,
            free_port() if free_ports else proxy_port,
        )
        self.logs = root / "logs"
        clusters = cluster_root(root)
        self.primary = Cluster("pg-primary", clusters, port())
        self.replica = Cluster("pg-replica", clusters, port())
        self.registry_port = port()
        self.web_ports = [port() for _ in range(web)]
        self.env_overrides, self.registry_env = dict(env or {}), dict(registry_env or {})
        self.processes: dict[str, Process] = {}

    # --- addresses -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def registry_url(self) -> str:
        return f"http://127.0.0.1:{self.registry_port}"

    def secrets(self) -> dict:
        path = self.root / "secrets.json"
        if not path.exists():
            from cryptography.fernet import Fernet

            values = {
                "SECRET_KEY": secrets.token_urlsafe(50),
                "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "FIELD_HMAC_KEY": secrets.token_urlsafe(32),
                "REGISTRY_TOKEN": secrets.token_urlsafe(24),
                "MOCKREGISTRY_CONTROL_TOKEN": secrets.token_urlsafe(24),
            }
            path.write_text(json.dumps(values, indent=1))
            path.chmod(0o600)
        return json.loads(path.read_text())

    def app_env(self) -> dict:
        """The environment of every help desk process: production settings on this topology."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "MOCKREGISTRY_"))
        }
        keys = self.secrets()
        env.update(
            {k: keys[k] for k in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HMAC_KEY", "REGISTRY_TOKEN")}
        )
        env.update(DEMO_TIMING)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
                "SINKRON_ENV": "production",
                "DEMO_MODE": "1",  # the demo logins and data; production settings otherwise
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": f"{self.url},http://localhost:{self.proxy_port}",
                "PUBLIC_BASE_URL": self.url,
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "SECURE_HSTS_SECONDS": "0",
                "REQUIRE_2FA_FOR_SUPERVISORS": "0",
                "TRUST_X_FORWARDED_FOR": "1",  # nginx sets it; nothing else reaches the web processes
                "DATABASE_URL": self.primary.url("sinkron"),
                "DATABASE_REPLICA_URL": self.replica.url("sinkron"),
                "REDIS_URL": self.redis_url,
                "CELERY_BROKER_URL": self.redis_url,
                "REGISTRY_URL": f"{self.registry_url}/api/v1",
                "SINKRON_VAR_DIR": str(self.root / "var"),
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env_overrides)
        return env

    def registry_env_vars(self) -> dict:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "MOCKREGISTRY_"))
        }
        env.pop("DATABASE_URL", None)
        keys = self.secrets()
        env.update({k: v for k, v in DEMO_TIMING.items() if k.startswith("MOCKREGISTRY_")})
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "mockregistry.settings",
                "MOCKREGISTRY_DATABASE_URL": self.primary.url("mockregistry"),
                "REGISTRY_TOKEN": keys["REGISTRY_TOKEN"],
                "MOCKREGISTRY_CONTROL_TOKEN": keys["MOCKREGISTRY_CONTROL_TOKEN"],
                "MOCKREGISTRY_CONTROL_CACHE_SECONDS": "0",  # a fault set through one worker holds for all
                "MOCKREGISTRY_UNKNOWN_NIK": "mint",
                "MOCKREGISTRY_VAR_DIR": str(self.root / "var"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.registry_env)
        return env

    # --- bring-up --------------------------------------------------------------------------------

    def manage(self, *args: str, env: dict | None = None) -> None:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=REPO, env=env or self.app_env(), capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )

    def prepare_databases(self) -> None:
        """Create the primary, its databases and schema, then the replica from a copy of it."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        (self.root / "var").mkdir(exist_ok=True)
        log(f"PostgreSQL primary on port {self.primary.port}")
        self.primary.init_primary()
        self.primary.start()
        self.primary.execute("CREATE DATABASE sinkron")
        self.primary.execute("CREATE DATABASE mockregistry")
        with ThreadPoolExecutor(max_workers=2) as pool:
            side_jobs = [
                pool.submit(self.manage, "migrate", "--noinput", "-v0", env=self.registry_env_vars()),
                pool.submit(self.manage, "collectstatic", "--noinput", "-v0"),
            ]
            self.manage("migrate", "--noinput", "-v0")
            self.manage("load_regions")
            self.manage("seed_demo")
            for job in side_jobs:
                job.result()
        log(f"PostgreSQL replica on port {self.replica.port} (pg_basebackup, streaming)")
        self.replica.init_replica(self.primary)
        self.replica.start()

    def start_web(self, index: int) -> Process:
        port = self.web_ports[index]
        metrics = self.root / "metrics" / f"web-{index + 1}"
        metrics.mkdir(parents=True, exist_ok=True)
        argv = [
            PYTHON, "-m", "gunicorn", "helpdesk.wsgi", "-c", "python:helpdesk.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket", "--graceful-timeout", "5",
        ]  # fmt: skip
        env = {**self.app_env(), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        return self._start(Process(f"web-{index + 1}", argv, env=env, log_dir=self.logs))

    def start_worker(self, name: str) -> Process:
        argv = [
            PYTHON, "-m", "celery", "-A", "helpdesk", "worker", "-Q", WORKERS[name], "--pool", "threads",
            "--concurrency", "8", "--without-gossip", "--without-mingle", "-l", "INFO", "-n", f"{name}@%h",
        ]  # fmt: skip
        return self._start(Process(name, argv, env=self.app_env(), log_dir=self.logs))

    def _start(self, process: Process) -> Process:
        self.processes[process.name] = process.start()
        return process

    def start_processes(self) -> None:
        registry_argv = [
            PYTHON, "-m", "gunicorn", "mockregistry.wsgi", "--bind", f"127.0.0.1:{self.registry_port}",
            "--workers", "2", "--threads", "8", "--worker-class", "gthread", "--no-control-socket",
        ]  # fmt: skip
        self._start(Process("registry", registry_argv, env=self.registry_env_vars(), log_dir=self.logs))
        for index in range(len(self.web_ports)):
            self.start_web(index)
        for name in WORKERS:
            self.start_worker(name)
        beat_argv = [PYTHON, "-m", "celery", "-A", "helpdesk", "beat", "-l", "INFO", "--schedule",
                     str(self.root / "var" / "celerybeat-schedule")]  # fmt: skip
        self._start(Process("beat", beat_argv, env=self.app_env(), log_dir=self.logs))
        self._start(Process("nginx", self.nginx_argv(), env=dict(os.environ), log_dir=self.logs))

    def nginx_argv(self) -> list[str]:
        prefix = self.root / "nginx"
        (prefix / "temp").mkdir(parents=True, exist_ok=True)
        (prefix / "temp").chmod(0o1777)  # nginx's workers run as nobody when started by root
        servers = "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in self.web_ports
        )
        static = self.root / "var" / "staticfiles"
        template = (REPO / "scripts" / "topology-nginx.conf").read_text()
        conf = (
            template.replace("{{servers}}", servers)
            .replace("{{listen}}", f"127.0.0.1:{self.proxy_port}")
            .replace("{{static}}", f"{static}/")
            .replace("{{temp}}", str(prefix / "temp"))
            .replace("{{pid}}", str(prefix / "nginx.pid"))
        )
        (prefix / "nginx.conf").write_text(conf)
        return [nginx_binary(), "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]

    def wait_until_ready(self, timeout: float = 90.0) -> None:
        """Wait for every web process and the registry to answer, every worker to be ready, nginx."""
        deadline = time.monotonic() + timeout
        checks = {f"web-{i + 1}": f"http://127.0.0.1:{p}/healthz" for i, p in enumerate(self.web_ports)}
        checks.update({"registry": f"{self.registry_url}/api/v1/health", "nginx": f"{self.url}/healthz"})
        pending = set(checks) | set(WORKERS) | {"beat"}
        while pending:
            for name in sorted(pending):
                process = self.processes[name]
                if not process.running():
                    raise RuntimeError(f"{name} exited:\n{process.log_text()[-3000:]}")
                if name in checks and _answers(checks[name]):
                    pending.discard(name)
                elif name in WORKERS and " ready." in process.log_text():
                    pending.discard(name)
                elif name == "beat" and "Sending due task" in process.log_text():
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(pending)}")
            time.sleep(0.2)

    def up(self) -> None:
        self.prepare_databases()
        self.start_processes()
        self.wait_until_ready()
        state = {
            "url": self.url,
            "registry": self.registry_url,
            "primary": self.primary.url("sinkron"),
            "replica": self.replica.url("sinkron"),
            "clusters": [str(self.primary.datadir), str(self.replica.datadir)],
            "pids": {name: process.pid for name, process in self.processes.items()},
        }
        (self.root / "state.json").write_text(json.dumps(state, indent=1))

    def down(self) -> None:
        """SIGTERM every process at once, SIGKILL what is left after 10 s, then stop both clusters."""
        try:
            for process in self.processes.values():
                process.signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in self.processes.values():
                while process.running() and time.monotonic() < deadline:
                    time.sleep(0.1)
                process.kill()
        finally:
            for cluster in (self.replica, self.primary):
                try:
                    cluster.stop()
                except RuntimeError as exc:
                    log(f"stopping {cluster.name}: {exc}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def down_from_state(root: Path) -> None:
    """Stop the processes and clusters a previous `up` recorded in state.json."""
    path = root / "state.json"
    if not path.exists():
        log(f"nothing recorded in {path}")
        return
    state = json.loads(path.read_text())
    for name, pid in state["pids"].items():
        try:
            os.killpg(pid, signal.SIGTERM)
            log(f"stopped {name} (pid {pid})")
        except ProcessLookupError:
            pass
    for datadir in state["clusters"]:
        if (Path(datadir) / "postmaster.pid").exists():
            subprocess.run(
                as_postgres_user([str(pg_bindir() / "pg_ctl"), "-D", datadir, "-m", "fast", "stop"])
            )
    path.unlink()


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "up"
    root = Path(os.environ.get("TOPOLOGY_DIR", REPO / "var" / "topology")).resolve()
    if command == "down":
        down_from_state(root)
        return
    if command != "up":
        sys.exit(__doc__)
    down_from_state(root)
    topology = Topology(
        root,
        redis_url=os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/3"),
        web=int(os.environ.get("TOPOLOGY_WEB", "3")),
        proxy_port=int(os.environ.get("TOPOLOGY_PORT", "8080")),
    )
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        topology.up()
        log(f"Sinkron:        {topology.url}/ (petugas / supervisor / admin, password sinkron-demo)")
        log(f"Mock registry:  {topology.registry_url}/api/v1/health")
        log(f"Primary:        {topology.primary.url('sinkron')}")
        log(f"Replica:        {topology.replica.url('sinkron')}")
        log(f"Logs:           {topology.logs}/   Ctrl-C stops everything")
        while not stopping:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        log("stopping")
        topology.down()
        (root / "state.json").unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1:])
