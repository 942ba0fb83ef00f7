"""Fixtures for the notification tests: a recorder in place of the broker, a ticket, and a real
local HTTP gateway (tests/notifications/fake_gateway.py)."""

import pytest

from notifications import tasks
from tests.cast import complaint
from tests.notifications.fake_gateway import FakeGateway
from tickets import services as ticket_services


@pytest.fixture(autouse=True)
def published(monkeypatch):
    """Record the ids the app publishes instead of talking to a broker (sync's nudges are muted)."""
    ids = []
    monkeypatch.setattr(tasks.send_notification, "apply_async", lambda args, **options: ids.append(args[0]))
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)
    return ids


@pytest.fixture
def ticket(office, clerk):
    return ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.fixture
def gateway(settings):
    fake = FakeGateway()
    settings.NOTIFY_CHANNEL = "http"
    settings.NOTIFY_HTTP_URL = fake.url
    settings.NOTIFY_HTTP_TOKEN = "test-gateway-token"
    settings.NOTIFY_HTTP_CONNECT_TIMEOUT = 1.0
    settings.NOTIFY_HTTP_READ_TIMEOUT = 3.0
    yield fake
    fake.stop()
