"""Round two, finding 12 (second part): gunicorn answered every request with `Server: gunicorn`.
Started as in production (`-c python:helpdesk.gunicorn_conf`), it sends no Server header at all."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def response_headers(tmp_path, *config) -> dict:
    port = free_port()
    env = {
        **os.environ,
        "SINKRON_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "helpdesk.wsgi", *config, "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*gunicorn, "--workers", "1", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                return {name.lower(): value for name, value in response.getheaders()}
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_with_the_projects_config_sends_no_server_header(tmp_path):
    headers = response_headers(tmp_path, "-c", "python:helpdesk.gunicorn_conf")
    assert "date" in headers and "server" not in headers


def test_without_the_config_gunicorn_would_announce_itself(tmp_path):
    """The control: the check above looks at a header gunicorn really sends by default."""
    assert response_headers(tmp_path)["server"].startswith("gunicorn")
