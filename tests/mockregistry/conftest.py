"""Fixtures for the mock registry tests: one real registry process for the session, reset per test.

Nothing here loads Django settings: the tests talk HTTP to the process started by RegistryProcess.
"""

import itertools
import uuid

import pytest

from tests.support.registry_process import RegistryProcess

# Fast, deterministic defaults; tests change them at run time through /_control/behaviour.
REGISTRY_ENV = {
    "MOCKREGISTRY_PROPAGATION_SECONDS": "1",
    "MOCKREGISTRY_PROPAGATION_MIN_FRACTION": "1",
    "MOCKREGISTRY_LATE_RATE": "0",
    "MOCKREGISTRY_STUCK_RATE": "0",
    "MOCKREGISTRY_REJECT_RATE": "0",
    "MOCKREGISTRY_EXPEDITE_SECONDS": "0.5",
    "MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS": "0.5",
    "MOCKREGISTRY_RANDOM_SEED": "18",  # each update's draws follow from its key: runs repeat
    "MOCKREGISTRY_LOG_LEVEL": "INFO",  # so the NIK-masking test sees the registry's own log lines
    # The API contract, idempotency, faults and propagation are tested on NIKs the mock records on
    # first push; the refusing centre (the default, and Sinkron's tests') is test_mockregistry_world.py's,
    # which switches it on per test.
    "MOCKREGISTRY_UNKNOWN_NIK": "mint",
}

NEW_KK = "3319012206240003"
STALE_KK = "3319010504150011"

_serials = itertools.count(1)


@pytest.fixture(scope="session")
def registry_process():
    """Start one registry (two worker processes, so shared state is really shared) for the session."""
    with RegistryProcess(env=REGISTRY_ENV, workers=2, threads=8) as process:
        yield process


@pytest.fixture
def registry(registry_process):
    """Give each test a registry with no data, no faults, zeroed counters and default behaviour."""
    if not registry_process.is_running():
        registry_process.start()
    registry_process.reset()
    return registry_process


@pytest.fixture
def anonymous(registry):
    """Return an httpx client on the registry API that sends no token."""
    with registry.http_client(base_url=registry.api_url) as client:
        yield client


@pytest.fixture
def api(registry):
    """Return an httpx client on the registry API, authenticated with the registry token."""
    with registry.client() as client:
        yield client


class Builders:
    """Build NIKs, keys and bodies for the tests (a fixture, so test modules need no imports)."""

    @staticmethod
    def nik(*, female: bool = False) -> str:
        """Return a structurally valid NIK not used before in this session (Kudus, born 12-05-1990)."""
        day = 12 + (40 if female else 0)
        return f"331901{day:02d}0590{next(_serials):04d}"

    @staticmethod
    def key() -> str:
        """Return a fresh Idempotency-Key."""
        return str(uuid.uuid4())

    @staticmethod
    def update_body(nik: str, /, **overrides) -> dict:
        """Return a valid PUT body for `nik`, carrying the new KK number unless overridden."""
        return {
            "nik": nik,
            "kk_number": NEW_KK,
            "full_name": "Budi Santoso",
            "birth_date": "1990-05-12",
            "sex": "L",
            "region_code": "33.19.01",
            "office_code": "KDS-01",
            "reference": "SKR-2024-0001",
            **overrides,
        }

    @staticmethod
    def stale_resident(nik: str, /, **overrides) -> dict:
        """Return a seed record for `nik` holding the stale KK the office wants to replace."""
        return {
            "nik": nik,
            "kk_number": STALE_KK,
            "full_name": "Budi Santoso",
            "birth_date": "1990-05-12",
            "sex": "L",
            **overrides,
        }


@pytest.fixture
def build():
    """Return the Builders (nik, key, update_body, stale_resident)."""
    return Builders


@pytest.fixture
def push(api):
    """Return a function that PUTs an update for `nik` (fresh key unless given) and returns the response."""

    def _push(nik, key=None, **overrides):
        body = Builders.update_body(nik, **overrides)
        return api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key or Builders.key()})

    return _push
