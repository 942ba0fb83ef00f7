"""Settings come from the environment: a second registry process started with its own values."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.registry_process import RegistryProcess

ENVIRONMENT = {
    "REGISTRY_TOKEN": "env-registry-token",
    "MOCKREGISTRY_CONTROL_TOKEN": "env-control-token",
    "MOCKREGISTRY_PROPAGATION_SECONDS": "7200",
    "MOCKREGISTRY_STUCK_RATE": "0.1",
    "MOCKREGISTRY_REJECT_RATE": "0.2",
    "MOCKREGISTRY_EXPEDITE_SECONDS": "30",
    "MOCKREGISTRY_LATENCY_MS": "250",
    "MOCKREGISTRY_ERROR_STATUSES": "503",
    "MOCKREGISTRY_RATE_LIMIT_PER_SECOND": "50",
    "MOCKREGISTRY_DROP_PHASE": "before",
}


@pytest.fixture(scope="module")
def configured_registry():
    """Start a registry whose tokens, behaviour and faults all come from its environment."""
    with RegistryProcess(
        env=ENVIRONMENT, registry_token="env-registry-token", control_token="env-control-token", threads=4
    ) as process:
        yield process


def test_it_takes_its_behaviour_defaults_from_the_environment(configured_registry):
    behaviour = configured_registry.behaviour()

    assert behaviour["propagation_seconds"] == 7200
    assert (behaviour["stuck_rate"], behaviour["reject_rate"]) == (0.1, 0.2)
    assert behaviour["expedite_seconds"] == 30


def test_it_takes_its_fault_defaults_from_the_environment_and_resets_back_to_them(configured_registry):
    configured_registry.set_faults(latency_ms=0, rate_limit_per_second=0)

    faults = configured_registry.clear_faults()

    assert faults["latency_ms"] == 250
    assert faults["error_statuses"] == [503]
    assert faults["rate_limit_per_second"] == 50
    assert faults["drop_phase"] == "before"


def test_it_applies_the_latency_set_in_the_environment(configured_registry):
    with configured_registry.client() as api:
        started = time.perf_counter()
        answer = api.get("/residents/3319011205900001")

    assert answer.status_code == 404
    assert time.perf_counter() - started >= 0.25


def test_it_promises_the_propagation_time_set_in_the_environment(configured_registry):
    nik = "3319011205900002"
    # The centre refuses a NIK it never recorded (TEST_ENV_DEFAULTS): it knows this one, with its old KK.
    configured_registry.seed(
        [
            {
                "nik": nik,
                "kk_number": "3319010504150011",
                "full_name": "Budi Santoso",
                "birth_date": "1990-05-12",
                "sex": "L",
            }
        ]
    )
    body = {
        "nik": nik,
        "kk_number": "3319012206240003",
        "full_name": "Budi Santoso",
        "birth_date": "1990-05-12",
        "sex": "L",
        "region_code": "33.19.01",
        "office_code": "KDS-01",
        "reference": "SKR-1",
    }
    with configured_registry.client() as api:
        answer = api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": "env-1"})

    assert answer.status_code == 202
    promised = datetime.fromisoformat(answer.json()["expected_by"]) - datetime.now(UTC)
    assert timedelta(seconds=7190) < promised <= timedelta(seconds=7200)


def test_it_accepts_only_the_tokens_from_its_environment(configured_registry):
    default_tokens = {"Authorization": "Bearer dev-registry-token"}

    with configured_registry.http_client(base_url=configured_registry.api_url) as http:
        assert http.get("/residents/3319011205900001", headers=default_tokens).status_code == 401
    with configured_registry.client() as api:
        assert api.get("/residents/3319011205900001").status_code == 404
