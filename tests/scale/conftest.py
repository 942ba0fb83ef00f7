"""The scale-out topology of scripts/topology.py for one test module, on free ports, with a Redis
of its own (tests/integration/processes.py) instead of the machine's. A failing test's report
carries the tail of every process log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from scripts.topology import Topology
from tests.integration.conftest import REGISTRY_ENV, STACK_TIMING_ENV
from tests.integration.processes import RedisServer, tail
from tests.support.registry_process import TEST_ENV_DEFAULTS

_LIVE: list[Topology] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for topology in _LIVE:
            for path in sorted(topology.logs.glob("*.log")):
                report.sections.append((f"{path.name}, last lines", tail(path, 30)))
    return report


@pytest.fixture(scope="module")
def topology(request):
    """Bring the topology up (the module may set TOPOLOGY_ENV), yield it, take it down."""
    root = Path(settings.VAR_DIR) / "scale" / "topology"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    redis = RedisServer(root, workdir=root).start()
    built = Topology(
        root,
        redis_url=redis.url(0),
        web=3,
        free_ports=True,
        env={
            **STACK_TIMING_ENV,
            "DASHBOARD_CACHE_SECONDS": "0",
            **getattr(request.module, "TOPOLOGY_ENV", {}),
        },
        # The test is about the topology, not the centre's rules: the centre records the test's
        # citizens from their first push (the cast's tests of unknown NIKs: tests/integration).
        registry_env={**TEST_ENV_DEFAULTS, **REGISTRY_ENV, "MOCKREGISTRY_UNKNOWN_NIK": "mint"},
    )
    _LIVE.append(built)
    try:
        built.up()
        yield built
    finally:
        built.down()
        redis.stop()
        _LIVE.remove(built)
