"""Fixtures for the WhatsApp tests: the real mock gateway process (one per session), the help
desk's settings pointing at it, and recorders in place of the broker."""

import hashlib
import hmac
import json

import pytest
from django.core.cache import cache

from notifications import tasks as notification_tasks
from tests.support.whatsapp_process import GatewayProcess
from whatsapp import tasks


@pytest.fixture(scope="session")
def gateway_process():
    # No callback may reach the tests' database from another thread: they go nowhere, late.
    with GatewayProcess(webhook_url="http://127.0.0.1:9/", status_delay=60) as process:
        yield process


@pytest.fixture
def gateway(gateway_process, settings):
    for name, value in gateway_process.sinkron_settings().items():
        setattr(settings, name, value)
    settings.WHATSAPP_CONNECT_TIMEOUT = settings.WHATSAPP_READ_TIMEOUT = 2.0
    gateway_process.reset()
    return gateway_process


@pytest.fixture(autouse=True)
def published(monkeypatch, settings):
    """Record what the app publishes instead of talking to a broker (sync's nudges are muted)."""
    ids = {"replies": [], "notifications": []}
    monkeypatch.setattr(tasks.send_reply, "apply_async", lambda args, **kw: ids["replies"].append(args[0]))
    monkeypatch.setattr(
        notification_tasks.send_notification,
        "apply_async",
        lambda args, **kw: ids["notifications"].append(args[0]),
    )
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)
    settings.WHATSAPP_APP_SECRET = "test-whatsapp-app-secret"
    cache.clear()
    return ids


def signed_post(client, payload: dict, secret: str = "test-whatsapp-app-secret"):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/whatsapp/webhook/",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def envelope(value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "messages", "value": value}]}],
    }


def inbound(phone: str, text: str, message_id: str) -> dict:
    return envelope({"messages": [{"from": phone, "id": message_id, "type": "text", "text": {"body": text}}]})


def status(message_id: str, state: str, code: int | None = None) -> dict:
    entry = {"id": message_id, "status": state, "recipient_id": "6281234567890"}
    if code:
        entry["errors"] = [{"code": code, "title": "Message undeliverable"}]
    return envelope({"statuses": [entry]})
