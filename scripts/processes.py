"""The processes and PostgreSQL clusters of the scale-out topology (scripts/topology.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
PG_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    "max_connections": "300",
    # A throwaway cluster on a shared development machine: no durability needed, less disk I/O.
    "fsync": "off",
    "full_page_writes": "off",
    "logging_collector": "off",
}


def log(message: str) -> None:
    print(f"[topology {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_bindir() -> Path:
    """Return the directory of the installed PostgreSQL server binaries (initdb, pg_ctl, postgres)."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if versions:
        return versions[-1].parent
    found = shutil.which("postgres")
    if not found:
        sys.exit("PostgreSQL's server binaries are missing (Debian: apt-get install postgresql).")
    return Path(found).parent


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if not found:
        sys.exit("nginx is missing: run scripts/ensure_services.sh (as root) or apt-get install nginx-light.")
    return found


def as_postgres_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", *argv]


def cluster_root(root: Path) -> Path:
    """Return where the clusters' data directories go: under `root` (var/), unless we are root and
    the `postgres` user cannot reach it (a checkout in a private folder); then a folder of /tmp."""
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(as_postgres_user(["test", "-x", str(root)])).returncode == 0:
        return root
    fallback = Path(tempfile.mkdtemp(prefix="sinkron-topology-pg-"))
    fallback.chmod(0o755)
    return fallback


class Process:
    """One long-running program in a session of its own (a kill reaches it and its children only)."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path):
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log_path.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.running():
            try:
                os.killpg(self.popen.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL, as an OOM killer would: nothing gets to clean up."""
        self.signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        self.signal(signal.SIGTERM)
        if self.popen is not None:
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Cluster:
    """A PostgreSQL cluster of our own: a data directory under `root` and a port."""

    def __init__(self, name: str, root: Path, port: int):
        self.name, self.datadir, self.port = name, root / name, port
        self.log_path = root / "logs" / f"{name}.log"
        self.bindir = pg_bindir()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        argv = as_postgres_user([str(self.bindir / program), *args])
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def _prepare_dir(self) -> None:
        shutil.rmtree(self.datadir, ignore_errors=True)
        self.datadir.mkdir(parents=True, mode=0o700)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.touch()
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            shutil.chown(self.log_path, "postgres", "postgres")

    def init_primary(self) -> None:
        self._prepare_dir()
        self._run(
            "initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"
        )
        self._configure()

    def init_replica(self, primary: Cluster) -> None:
        """Copy the primary and follow it (-R writes standby.signal and primary_conninfo)."""
        self._prepare_dir()
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.datadir), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._configure()

    def _configure(self) -> None:
        lines = [f"{key} = {value}" for key, value in {**PG_SETTINGS, "port": str(self.port)}.items()]
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n# scripts/topology.py\n" + "\n".join(lines) + "\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.log_path), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")

    def execute(self, statement: str, database: str = "postgres"):
        connection = psycopg2.connect(self.url(database), connect_timeout=5)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()
