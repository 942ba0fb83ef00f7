"""helpdesk/supervise.py in real processes: a supervisor running a small Python child."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.integration.processes import REPO_ROOT, wait_until

# The child: records its pid on each start, then exits with EXIT_CODE for its first CRASHES runs
# and stays up afterwards, writing the signal it gets (if any) before it exits.
CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    folder = Path(sys.argv[1])
    crashes, code, run_for = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    with (folder / "starts").open("a") as starts:
        starts.write(f"{os.getpid()}\\n")
    def stop(signum, frame):
        (folder / "signal").write_text(signal.Signals(signum).name)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if len((folder / "starts").read_text().split()) <= crashes:
        time.sleep(run_for)
        sys.exit(code)
    while True:
        time.sleep(0.1)
    """
)


class Child:
    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "child.py").write_text(CHILD)

    def command(self, *, crashes: int, code: int = 3, run_for: float = 0.0) -> list[str]:
        return [
            sys.executable,
            str(self.folder / "child.py"),
            str(self.folder),
            str(crashes),
            str(code),
            str(run_for),
        ]

    @property
    def pids(self) -> list[int]:
        path = self.folder / "starts"
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@pytest.fixture
def child(tmp_path):
    return Child(tmp_path)


def supervise(child: Child, *options: str, **command) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpdesk.supervise",
            "worker",
            "--backoff",
            "0.1",
            *options,
            "--",
            *child.command(**command),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen, signum=signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(signum)
    output, _ = process.communicate(timeout=20)
    return process.returncode, output


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_crashing_child_is_restarted_with_one_line_naming_it_and_its_exit_code(child):
    supervisor = supervise(child, crashes=2, code=3)
    wait_until(lambda: len(child.pids) == 3, timeout=15, message="the third start of the child")
    time.sleep(0.3)

    assert supervisor.poll() is None
    _code, output = stop(supervisor)
    lines = [line for line in output.splitlines() if line.startswith("supervise:")]
    assert lines == [
        "supervise: worker exited with code 3; restarting in 0.1 s (crash 1 of 5 allowed in a row)",
        "supervise: worker exited with code 3; restarting in 0.2 s (crash 2 of 5 allowed in a row)",
    ]


def test_sigterm_stops_the_supervisor_and_its_child_cleanly(child):
    supervisor = supervise(child, crashes=0)
    wait_until(lambda: child.pids, timeout=15, message="the child's start")
    time.sleep(0.3)  # the child has installed its signal handlers

    code, output = stop(supervisor, signal.SIGTERM)

    assert code == 0
    assert (child.folder / "signal").read_text() == "SIGTERM"
    assert not alive(child.pids[0])
    assert "restarting" not in output
    assert len(child.pids) == 1


def test_ctrl_c_reaches_the_child_once_and_nothing_is_restarted(child):
    supervisor = supervise(child, crashes=0)
    wait_until(lambda: child.pids, timeout=15, message="the child's start")
    time.sleep(0.3)

    code, output = stop(supervisor, signal.SIGINT)

    assert code == 0
    assert (child.folder / "signal").read_text() == "SIGINT"
    assert len(child.pids) == 1


def test_a_child_that_ignores_the_stop_signal_is_killed_after_the_grace_period(tmp_path):
    script = tmp_path / "stubborn.py"
    script.write_text(
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('up', flush=True)\ntime.sleep(60)\n"
    )
    supervisor = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpdesk.supervise",
            "stubborn",
            "--grace",
            "0.5",
            "--",
            sys.executable,
            str(script),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert supervisor.stdout.readline().strip() == "up"

    started = time.monotonic()
    code, output = stop(supervisor, signal.SIGTERM)

    assert time.monotonic() - started < 5
    assert "supervise: stubborn did not stop within 0.5 s; killing it" in output
    assert code == 128 + signal.SIGKILL


def test_after_the_allowed_quick_crashes_in_a_row_it_gives_up_with_a_clear_line(child):
    supervisor = supervise(child, "--max-crashes", "3", crashes=99, code=2)

    output, _ = supervisor.communicate(timeout=20)

    assert supervisor.returncode == 2
    assert len(child.pids) == 3
    assert output.splitlines()[-1] == (
        "supervise: worker exited with code 2; it crashed 3 times in a row within 30 s of starting, "
        "so it is not restarted again (see its lines above)"
    )


def test_crashes_after_a_long_run_do_not_count_towards_giving_up(child):
    supervisor = supervise(child, "--max-crashes", "2", "--quick", "0.3", crashes=4, code=1, run_for=0.5)
    wait_until(lambda: len(child.pids) == 5, timeout=20, message="the fifth start of the child")

    assert supervisor.poll() is None
    _code, output = stop(supervisor)
    assert output.count("restarting in 0.1 s (crash 1 of 2 allowed in a row)") == 4


def test_a_child_killed_by_a_signal_is_named_with_the_signal_and_restarted(child):
    supervisor = supervise(child, crashes=0)
    wait_until(lambda: child.pids, timeout=15, message="the child's start")
    os.kill(child.pids[0], signal.SIGKILL)
    wait_until(lambda: len(child.pids) == 2, timeout=15, message="the restart")

    _code, output = stop(supervisor)

    assert "supervise: worker was killed by SIGKILL; restarting in 0.1 s" in output


def test_a_command_that_cannot_start_is_reported_and_given_up_on(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpdesk.supervise",
            "ghost",
            "--backoff",
            "0.05",
            "--max-crashes",
            "2",
            "--",
            str(tmp_path / "missing"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=20,
    )

    assert result.returncode == 127
    assert "supervise: ghost could not be started: [Errno 2] No such file or directory" in result.stdout
    assert "it crashed 2 times in a row" in result.stdout


def test_a_supervisor_killed_outright_takes_its_child_with_it(child):
    supervisor = supervise(child, crashes=0)
    wait_until(lambda: child.pids, timeout=15, message="the child's start")

    supervisor.kill()
    supervisor.communicate(timeout=10)

    wait_until(lambda: not alive(child.pids[0]), timeout=5, message="the child's end")
