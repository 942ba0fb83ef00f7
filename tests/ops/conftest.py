"""Fixtures of the ops tests: no probe memo, a private redis-server, a stand-in registry, and a
log capture that formats records like production (JSON, masked, with request ids)."""

import io
import json
import logging
import shutil

import pytest

from helpdesk import health
from helpdesk.jsonlog import ScrubbingJsonFormatter
from helpdesk.metrics import PIPELINE_COLLECTOR
from helpdesk.requestid import RequestIdFilter
from tests.ops.servers import FakeRegistry, RedisServer


@pytest.fixture(autouse=True)
def fresh_probes(settings, tmp_path):
    """Every probe computes afresh; the sweep heartbeat lives in this test's own folder."""
    settings.OPS_PROBE_CACHE_SECONDS = 0
    settings.METRICS_CACHE_SECONDS = 0
    settings.VAR_DIR = tmp_path
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "sinkronfs://"
    health.clear_memo()
    PIPELINE_COLLECTOR.forget()
    yield
    health.clear_memo()
    PIPELINE_COLLECTOR.forget()


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (scripts/ensure_services.sh needs it too)")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def registry(settings):
    fake = FakeRegistry()
    settings.REGISTRY_URL = fake.api_url
    yield fake
    fake.stop()


class LogCapture:
    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(ScrubbingJsonFormatter())
        self.handler.addFilter(RequestIdFilter())

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def json_logs():
    capture = LogCapture()
    root = logging.getLogger()
    root.addHandler(capture.handler)
    yield capture
    root.removeHandler(capture.handler)
