"""gunicorn hooks: no `Server` header, and prometheus_client's multiprocess mode (helpdesk/metrics.py).

Use with `gunicorn helpdesk.wsgi -c python:helpdesk.gunicorn_conf ...` and PROMETHEUS_MULTIPROC_DIR
set in the environment (docker-compose.yml does both). Without the variable the metrics hooks do
nothing. Only hooks live here; every other setting stays on the command line.
"""

import os as _os
import shutil as _shutil


def _metrics_dir():
    return _os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def _drop_server_header():
    """Stop gunicorn announcing itself and its version (`Server: gunicorn`) on every response.

    gunicorn has no setting for it: it writes the line in Response.default_headers, so that method
    is wrapped to leave it out. Done in the master before the workers fork, so all inherit it.
    """
    from gunicorn.http.wsgi import Response

    original = Response.default_headers
    if getattr(original, "_sinkron_no_server", False):
        return

    def default_headers(self):
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers._sinkron_no_server = True
    Response.default_headers = default_headers


def on_starting(server):
    """Before the first worker forks: no Server header; start the metrics from an empty directory
    (stale files would add up)."""
    _drop_server_header()
    path = _metrics_dir()
    if path:
        _shutil.rmtree(path, ignore_errors=True)
        _os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    """A worker died or was recycled: drop its live-gauge files (its counters stay summed)."""
    if _metrics_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
