"""Keep one demo process running: restart it when it dies, stop it when told to.

honcho (`make run`) stops every process as soon as one exits, so each Procfile line runs its
command under this supervisor:

    python -m helpdesk.supervise worker -- .venv/bin/celery -A helpdesk worker ...

A child that exits is started again after a backoff (1 s, 2 s, 4 s... up to 30 s), with one line
naming it, its exit code and what happens next. After `--max-crashes` quick exits in a row (each
within `--quick` seconds of its start) it gives up with a clear line and exits with the child's
code, so honcho stops the demo rather than restart a process that cannot run. SIGINT and SIGTERM
are passed to the child (Ctrl-C still stops the demo cleanly); a child that ignores them is
killed after `--grace` seconds. Standard library only: it runs before Django is set up.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import signal
import subprocess
import sys
import time

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Below honcho's 5 s: a child that is slow to stop is killed here, with a line saying so, and the
# supervisor exits before honcho kills it (which would orphan the child). Celery 5.7's worker
# takes about 5 s for a warm shutdown even when idle.
DEFAULT_GRACE = 4.0
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the supervisor itself is killed outright."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def say(name: str, text: str) -> None:
    print(f"supervise: {name} {text}", flush=True)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def exit_status(code: int) -> int:
    """The shell's convention: a child killed by signal N gives 128 + N."""
    return 128 - code if code < 0 else code


class Supervisor:
    def __init__(
        self, name, command, *, max_crashes=5, quick=30.0, backoff=1.0, max_backoff=30.0, grace=DEFAULT_GRACE
    ):
        self.name, self.command = name, command
        self.max_crashes, self.quick, self.grace = max_crashes, quick, grace
        self.backoff, self.max_backoff = backoff, max_backoff
        self.child: subprocess.Popen | None = None
        self.stop_signal: int | None = None

    def run(self) -> int:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_stop_signal)
        quick_crashes = 0
        while self.stop_signal is None:
            started = time.monotonic()
            code = self._run_child()
            if self.stop_signal is not None:
                return 0 if code in (0, -self.stop_signal) else exit_status(code)
            quick_crashes = quick_crashes + 1 if time.monotonic() - started < self.quick else 1
            if quick_crashes >= self.max_crashes:
                say(
                    self.name,
                    f"{describe_exit(code)}; it crashed {quick_crashes} times in a row within "
                    f"{self.quick:g} s of starting, so it is not restarted again (see its lines above)",
                )
                return exit_status(code)
            delay = min(self.max_backoff, self.backoff * 2 ** (quick_crashes - 1))
            say(
                self.name,
                f"{describe_exit(code)}; restarting in {delay:g} s (crash {quick_crashes} of {self.max_crashes} allowed in a row)",
            )
            if not self._sleep(delay):
                return 0
        return 0

    def _run_child(self) -> int:
        # A process group of its own: a terminal's Ctrl-C reaches the child once, through us.
        try:
            self.child = subprocess.Popen(
                self.command, process_group=0, preexec_fn=die_with_parent if sys.platform == "linux" else None
            )
        except OSError as exc:
            say(self.name, f"could not be started: {exc}")
            return 127
        try:
            return self.child.wait()
        finally:
            self.child = None

    def _on_stop_signal(self, signum, frame) -> None:
        first = self.stop_signal is None
        self.stop_signal = signum
        child = self.child
        if child is None or child.poll() is not None:
            return
        child.send_signal(signum)
        if first:
            signal.signal(signal.SIGALRM, self._kill_child)
            signal.setitimer(signal.ITIMER_REAL, self.grace)

    def _kill_child(self, signum, frame) -> None:
        child = self.child
        if child is not None and child.poll() is None:
            say(self.name, f"did not stop within {self.grace:g} s; killing it")
            child.kill()

    def _sleep(self, seconds: float) -> bool:
        """Wait `seconds`; False as soon as a stop signal arrives."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stop_signal is not None:
                return False
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return self.stop_signal is None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m helpdesk.supervise",
        usage="%(prog)s NAME [options] -- COMMAND...",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("name", help="the process's name in the lines printed")
    parser.add_argument("--max-crashes", type=int, default=5, help="quick crashes in a row before giving up")
    parser.add_argument("--quick", type=float, default=30.0, help="a crash within this many seconds is quick")
    parser.add_argument(
        "--backoff", type=float, default=1.0, help="first wait before a restart, doubled each time"
    )
    parser.add_argument(
        "--grace", type=float, default=DEFAULT_GRACE, help="seconds a stopping child gets before SIGKILL"
    )
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        parser.error("give the command to run after --")
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    supervisor = Supervisor(
        args.name,
        argv[split + 1 :],
        max_crashes=args.max_crashes,
        quick=args.quick,
        backoff=args.backoff,
        grace=args.grace,
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
