"""gunicorn hooks for prometheus_client's multiprocess mode (see helpdesk/metrics.py).

Use with `gunicorn helpdesk.wsgi -c python:helpdesk.gunicorn_conf ...` and PROMETHEUS_MULTIPROC_DIR
set in the environment (docker-compose.yml does both). Without the variable the hooks do nothing.
Only hooks live here; every other setting stays on the command line.
"""

import os as _os
import shutil as _shutil


def _metrics_dir():
    return _os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    """Before the first worker forks: start from an empty directory (stale files would add up)."""
    path = _metrics_dir()
    if path:
        _shutil.rmtree(path, ignore_errors=True)
        _os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    """A worker died or was recycled: drop its live-gauge files (its counters stay summed)."""
    if _metrics_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
