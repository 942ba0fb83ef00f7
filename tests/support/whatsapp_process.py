"""Run the mock WhatsApp gateway (mockwhatsapp/) as a real process, for tests that talk to it over HTTP.

It keeps its state in an SQLite file of its own under a temporary folder, so a restart keeps the
conversations and idempotency keys, and close() removes everything.

    with GatewayProcess(webhook_url=live_server.url + "/whatsapp/webhook/") as gateway:
        gateway.api_url, gateway.sms_url, gateway.phone_number_id, gateway.access_token
        gateway.set_faults(outage=True); gateway.clear_faults()
        gateway.configure(unreachable=["+6281..."], webhook_url=...)
        gateway.inbound("+6281...", "CEK ABCDE-FGHJK")     # the citizen writes to the office
        gateway.messages("+6281...")                       # both directions, oldest first
        gateway.stats()                                    # counters: whatsapp_200, whatsapp_replayed, ...
        gateway.kill(); gateway.start()                    # SIGKILL and back, same port and file
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCESS_TOKEN = "test-whatsapp-token"
APP_SECRET = "test-whatsapp-app-secret"
CONTROL_TOKEN = "test-whatsapp-control"
PHONE_NUMBER_ID = "109876543210"


class GatewayProcessError(RuntimeError):
    """The gateway could not be started or reached."""


class GatewayProcess:
    def __init__(self, *, webhook_url: str = "", port: int | None = None, status_delay: float = 0.3):
        self.port = port or free_port()
        self.webhook_url = webhook_url
        self.status_delay = status_delay
        self.instance_id = uuid.uuid4().hex[:8]
        self.workdir = Path(tempfile.gettempdir()) / f"mockwhatsapp-{self.instance_id}"  # made by start()
        self.log_path = self.workdir / "gunicorn.log"
        self.access_token, self.app_secret, self.phone_number_id = ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID
        self._process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sms_url(self) -> str:
        return f"{self.base_url}/sms/v1/messages"

    def sinkron_settings(self) -> dict:
        """The help desk's settings that point at this gateway (as environment or Django settings)."""
        return {
            "WHATSAPP_API_URL": self.base_url,
            "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
            "WHATSAPP_ACCESS_TOKEN": self.access_token,
            "WHATSAPP_APP_SECRET": self.app_secret,
            "NOTIFY_SMS_URL": self.sms_url,
            "NOTIFY_SMS_TOKEN": self.access_token,
        }

    # --- life cycle ----------------------------------------------------------------------------------

    def __enter__(self) -> GatewayProcess:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self, timeout: float = 20.0) -> GatewayProcess:
        if self.is_running():
            return self
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKWHATSAPP_", "DJANGO_"))}
        env.update(
            {
                "MOCKWHATSAPP_DATABASE": str(self.workdir / "state.sqlite3"),
                "MOCKWHATSAPP_ACCESS_TOKEN": self.access_token,
                "MOCKWHATSAPP_APP_SECRET": self.app_secret,
                "MOCKWHATSAPP_CONTROL_TOKEN": CONTROL_TOKEN,
                "MOCKWHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
                "MOCKWHATSAPP_WEBHOOK_URL": self.webhook_url,
                "MOCKWHATSAPP_STATUS_DELAY_SECONDS": str(self.status_delay),
                "MOCKWHATSAPP_INSTANCE": self.instance_id,
                "PYTHONUNBUFFERED": "1",
            }
        )
        command = [
            sys.executable, "-m", "gunicorn", "mockwhatsapp.app:application", "--bind",
            f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "8", "--worker-class", "gthread",
            "--graceful-timeout", "2", "--no-control-socket",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_healthy(timeout)
        return self

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                raise GatewayProcessError(f"mock gateway exited:\n{self.log_text()}")
            try:
                answer = httpx.get(f"{self.base_url}/health", timeout=1.0)
                if answer.status_code == 200 and answer.json().get("instance") == self.instance_id:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise GatewayProcessError(f"mock gateway not healthy:\n{self.log_text()}")

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- the control API -----------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: dict | None = None):
        answer = httpx.request(
            method, f"{self.base_url}/_control/{path}", json=body,
            headers={"X-Control-Token": CONTROL_TOKEN}, timeout=5.0,
        )  # fmt: skip
        answer.raise_for_status()
        return answer.json()

    def reset(self) -> None:
        self._control("POST", "reset")

    def set_faults(self, **faults) -> dict:
        return self._control("PUT", "faults", faults)

    def clear_faults(self) -> dict:
        return self._control("DELETE", "faults")

    def configure(self, **values) -> dict:
        return self._control("PUT", "settings", values)

    def inbound(self, phone: str, text: str, name: str = "Warga") -> str:
        return self._control("POST", "inbound", {"from": phone, "text": text, "name": name})["id"]

    def messages(self, phone: str | None = None) -> list[dict]:
        path = "messages" + (f"?phone={phone.lstrip('+')}" if phone else "")
        return self._control("GET", path)["messages"]

    def outbound(self, phone: str | None = None, channel: str | None = None) -> list[dict]:
        return [
            m
            for m in self.messages(phone)
            if m["direction"] == "out" and (channel is None or m["channel"] == channel)
        ]

    def stats(self) -> dict:
        return self._control("GET", "stats")
