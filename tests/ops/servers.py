"""Small real servers for the ops tests: a redis-server of our own on a free port (killed and
restarted by the tests), and an HTTP stand-in for the registry's /api/v1/health."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.ports import free_port


class RedisServer:
    """`redis-server` on 127.0.0.1:<port>, nothing on disk. stop() kills it; start() brings it back
    on the same port."""

    def __init__(self, port: int | None = None):
        self.binary = shutil.which("redis-server")
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class _HealthHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        server = self.server
        server.hits += 1
        if self.path.rstrip("/") == "/api/v1/health":
            code, body = server.status, b'{"status": "ok"}'
        else:
            code, body = 404, b'{"error": "not_found"}'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class FakeRegistry:
    """Answers GET /api/v1/health with `status` (200 unless a test changes it)."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
        self.server.status, self.server.hits = 200, 0
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def set_status(self, code: int) -> None:
        self.server.status = code

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
