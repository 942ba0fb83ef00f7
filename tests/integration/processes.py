"""Real processes for the integration tests: a dedicated Redis, a Celery worker and Celery beat.

Each process writes its output to its own file under var/test/integration/ (the conftest attaches
the tail of every file to a failing test's report). Nothing here imports Django: the conftest
builds the environment from the pytest process's settings and hands it over.

    redis = RedisServer(log_dir, workdir=tmp).start()   # a free port, nothing ever on disk
    redis.kill(); redis.start()                         # the same port, empty (redis.restarts counts)
    worker = CeleryProcess.worker(env, log_dir, name="worker-1").start(" ready.")
    worker.kill()                                       # SIGKILL, as an OOM killer would
    beat = CeleryProcess.beat(env, log_dir, schedule=tmp / "beat-schedule").start("Sending due task")
    wait_until(lambda: Ticket.objects.filter(...).exists(), timeout=30, message="...", describe=...)

Every process is started in a session of its own (so a kill reaches it and what it started, and
nothing else) and, where `setpriv` exists, with a parent-death signal.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import redis as redis_lib

from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


class ProcessError(RuntimeError):
    """A process of the integration stack could not start, or died."""


def wait_until(
    predicate: Callable[[], object],
    timeout: float,
    *,
    interval: float = 0.1,
    message: str = "the condition",
    describe: Callable[[], str] | None = None,
):
    """Poll `predicate` until it returns something truthy (returned), or fail after `timeout` s.

    `describe` is called on time-out to say what the world looked like (job states, logs)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f"\n{describe()}" if describe else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}{detail}")
        time.sleep(interval)


def tail(path: Path, lines: int = 60) -> str:
    """Return the last `lines` lines of a log file ('' when it does not exist)."""
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 200_000))
        text = handle.read().decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _dies_with_parent(argv: list[str]) -> list[str]:
    """Prefix `argv` so the process gets SIGTERM if the thread that started it dies (a pytest run
    killed by a time-out must not leave workers behind). Linux's parent-death signal belongs to
    the starting *thread*: start these processes from the main thread only."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *argv] if setpriv else argv


class ManagedProcess:
    """One subprocess in its own session, its output appended to `log_path`."""

    def __init__(
        self, name: str, argv: list[str], *, env: Mapping[str, str], log_path: Path, cwd: Path = REPO_ROOT
    ):
        self.name, self.argv, self.env, self.log_path, self.cwd = name, argv, dict(env), log_path, cwd
        self.process: subprocess.Popen | None = None
        self.started_at: float | None = None
        self._terminating = False

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def launch(self) -> None:
        if self.is_running():
            raise ProcessError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(
                f"\n===== {time.strftime('%H:%M:%S')} start {self.name}: {' '.join(self.argv)}\n".encode()
            )
            log.flush()
            self.process = subprocess.Popen(
                _dies_with_parent(self.argv),
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()
        self._terminating = False

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        """Send SIGTERM (a warm shutdown for Celery) once, and return at once."""
        if self.is_running() and not self._terminating:
            self._terminating = True
            self._signal(signal.SIGTERM)
            self._note(f"SIGTERM {self.name} (pid {self.pid})")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it is still running after `timeout` seconds."""
        if not self.is_running():
            return
        self.terminate()
        try:
            self.process.wait(timeout)
            self._note(f"{self.name} stopped (exit {self.process.returncode})")
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the process (and anything it started in its session); nothing gets to clean up."""
        if not self.is_running():
            return
        self._signal(signal.SIGKILL)
        self.process.wait(10)
        self._note(f"SIGKILL {self.name} (pid {self.pid})")

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)  # the session we created for it, and only that
        except ProcessLookupError:
            pass

    def _note(self, text: str) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"===== {time.strftime('%H:%M:%S')} {text}\n".encode())

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle: str, timeout: float, *, after: int = 0) -> None:
        """Wait until `needle` appears in the log past byte offset `after`; fail if the process dies."""

        def seen():
            if not self.is_running():
                raise ProcessError(
                    f"{self.name} exited with {self.process.returncode}:\n{tail(self.log_path)}"
                )
            return needle in self.log_text()[after:]

        wait_until(
            seen,
            timeout,
            interval=0.1,
            message=f"{needle!r} in the {self.name} log",
            describe=lambda: tail(self.log_path),
        )

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0


class RedisServer(ManagedProcess):
    """A redis-server of our own on a free port: nothing saved, so a restart starts empty."""

    def __init__(self, log_dir: Path, *, workdir: Path, port: int | None = None):
        self.port = port or free_port()
        binary = shutil.which("redis-server") or "redis-server"
        argv = [
            binary,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "no",
            "--dir",
            str(workdir),
            "--logfile",
            "",
        ]
        super().__init__("redis", argv, env=os.environ, log_path=log_dir / "redis.log")
        self.starts = 0

    @property
    def restarts(self) -> int:
        """How many times it was started again after its first start (each time empty)."""
        return max(0, self.starts - 1)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis_lib.Redis:
        return redis_lib.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.launch()
        self.starts += 1
        client = self.client()

        def pong():
            if not self.is_running():
                raise ProcessError(f"redis-server exited:\n{tail(self.log_path)}")
            try:
                return client.ping()
            except redis_lib.RedisError:
                return False

        try:
            wait_until(
                pong, timeout, message="redis-server to answer PING", describe=lambda: tail(self.log_path)
            )
        finally:
            client.close()
        return self


class CeleryProcess(ManagedProcess):
    """`celery -A helpdesk worker|beat`, with the environment the conftest built."""

    @staticmethod
    def celery_binary() -> str:
        beside_python = Path(sys.executable).with_name("celery")
        if beside_python.exists():
            return str(beside_python)
        return shutil.which("celery") or str(REPO_ROOT / ".venv" / "bin" / "celery")

    @classmethod
    def worker(
        cls, env: Mapping[str, str], log_dir: Path, *, name: str, concurrency: int = 8
    ) -> CeleryProcess:
        argv = [
            cls.celery_binary(),
            "-A",
            "helpdesk",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
            "-n",
            f"{name}@%h",
        ]
        return cls(name, argv, env=env, log_path=log_dir / f"{name}.log")

    @classmethod
    def beat(
        cls, env: Mapping[str, str], log_dir: Path, *, schedule: Path, name: str = "beat"
    ) -> CeleryProcess:
        argv = [cls.celery_binary(), "-A", "helpdesk", "beat", "-l", "INFO", "-s", str(schedule)]
        return cls(name, argv, env=env, log_path=log_dir / f"{name}.log")

    def start(self, ready: str, timeout: float = 30.0) -> CeleryProcess:
        """Launch and wait until the log shows `ready` (the worker's "ready.", beat's first send)."""
        offset = self.log_size()
        self.launch()
        self.wait_for_log(ready, timeout, after=offset)
        return self
