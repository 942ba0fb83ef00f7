"""A real SMS gateway stand-in for the notification tests: ThreadingHTTPServer on a free local
port that records every request and answers from a script (200 when the script is empty)."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PHONE = "+6281234567890"
MASKED_PHONE = "+62812****7890"


class FakeGateway:
    """An SMS gateway on 127.0.0.1: answers the scripted statuses in order, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def answer(self, status: int, headers: dict | None = None):
        self.script.append((status, headers or {}))
        return self

    def stop(self):
        """Shut the server down: its port now refuses connections."""
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with gateway.lock:
                    gateway.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "json": json.loads(body or b"{}")}
                    )
                    status, headers = gateway.script.pop(0) if gateway.script else (200, {})
                time.sleep(gateway.delay)
                payload = json.dumps({"ok": 200 <= status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler


def closed_port_url() -> str:
    """Return a local URL nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/send"
