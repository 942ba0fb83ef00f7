"""Webhook deliveries to the business (Sinkron): status callbacks and inbound messages, shaped
like the Cloud API's and signed with X-Hub-Signature-256 (HMAC-SHA256 of the body, app secret).

One daemon thread per process delivers them in time order; a delivery that fails is tried again
a few times (Meta retries for longer; a mock need not).
"""

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time

import httpx

logger = logging.getLogger("mockwhatsapp")
RETRIES = (0.5, 1.0, 2.0, 4.0)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(config, value: dict) -> dict:
    metadata = {"display_phone_number": config.display_number, "phone_number_id": config.phone_number_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-" + config.phone_number_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                    }
                ],
            }
        ],
    }


def status_value(message_id: str, status: str, phone: str, error_code: int | None = None) -> dict:
    entry = {"id": message_id, "status": status, "timestamp": str(int(time.time())), "recipient_id": phone}
    if error_code:
        entry["errors"] = [
            {
                "code": error_code,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Recipient is not a WhatsApp user"},
            }
        ]
    return {"statuses": [entry]}


def inbound_value(message_id: str, phone: str, text: str, name: str) -> dict:
    return {
        "contacts": [{"profile": {"name": name}, "wa_id": phone}],
        "messages": [
            {
                "from": phone,
                "id": message_id,
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }


class Dispatcher:
    """Deliver webhook payloads at their time; `then()` runs when a payload falls due."""

    def __init__(self, config, store):
        self.config, self.store = config, store
        self._queue: list = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def schedule(self, value: dict, *, delay: float = 0.0, then=None) -> None:
        with self._wake:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), value, then, 0))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    self._wake.wait(timeout=self._queue[0][0] - time.monotonic() if self._queue else None)
                _, _, value, then, tries = heapq.heappop(self._queue)
            if then and tries == 0:
                then()  # the message's own state moves on time, whether or not the webhook answers
            if not self._deliver(value) and tries < len(RETRIES):
                with self._wake:
                    due = time.monotonic() + RETRIES[tries]
                    heapq.heappush(self._queue, (due, next(self._order), value, then, tries + 1))

    def _deliver(self, value: dict) -> bool:
        url = self.store.control("webhook_url", self.config.webhook_url)
        body = json.dumps(envelope(self.config, value)).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature(self.config.app_secret, body),
        }
        try:
            answer = httpx.post(url, content=body, headers=headers, timeout=5.0)
        except httpx.HTTPError as exc:
            logger.warning("webhook %s unreachable: %s", url, type(exc).__name__)
            self.store.count("webhook_failures")
            return False
        self.store.count(f"webhook_{answer.status_code}")
        return 200 <= answer.status_code < 300
