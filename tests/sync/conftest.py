"""Fixtures of the sync tests that run the services in-process against a scripted registry."""

import pytest
from django.core.cache import cache

from tests.cast import complaint
from tests.sync.fake_registry import ScriptedRegistry
from tickets import services as ticket_services


@pytest.fixture
def fast_sync_settings(settings):
    """Give up after three pushes, never open the breaker, and start from an empty cache."""
    settings.SYNC_MAX_PUSH_ATTEMPTS = 3
    settings.REGISTRY_BREAKER_THRESHOLD = 1000
    cache.clear()


@pytest.fixture
def ticket(office, clerk):
    return ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.fixture
def job(ticket):
    return ticket.sync_job


@pytest.fixture
def script():
    return ScriptedRegistry()
