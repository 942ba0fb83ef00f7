import json

import httpx
import pytest

from sync import registry
from tests.sync.fake_registry import ScriptedRegistry

PAYLOAD = {
    "nik": "3319014101900001",
    "kk_number": "3319011503260002",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-01-01",
    "sex": "P",
    "region_code": "33.19.01",
    "office_code": "3319",
    "reference": "ABCDEFGHJK",
}


@pytest.fixture(autouse=True)
def clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def client_for(script: ScriptedRegistry, **kwargs) -> registry.RegistryClient:
    return registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=script.transport(), **kwargs
    )


def test_a_202_is_accepted_with_the_update_id_and_sends_the_key_and_token():
    script = ScriptedRegistry().answer(
        202, {"update_id": "u-1", "status": "accepted", "expected_by": "2026-11-30T10:00:00Z"}
    )
    outcome = client_for(script).push(PAYLOAD, idempotency_key="key-1")
    assert isinstance(outcome, registry.Accepted) and outcome.update_id == "u-1"
    request = script.requests[0]
    assert request.method == "PUT" and request.url.path == "/api/v1/residents/3319014101900001"
    assert request.headers["Idempotency-Key"] == "key-1" and request.headers["Authorization"] == "Bearer t"


def test_documents_for_a_resubmission_travel_in_the_body_and_a_plain_push_has_none():
    script = (
        ScriptedRegistry()
        .answer(202, {"update_id": "u-1", "status": "accepted"})
        .answer(202, {"update_id": "u-2", "status": "accepted"})
    )
    papers = [{"kind": "kk", "filename": "kk.jpg", "sha256": "a" * 64, "size": 3, "content": "YWJj"}]
    client = client_for(script)
    client.push(PAYLOAD, idempotency_key="k-1", documents=papers)
    client.push(PAYLOAD, idempotency_key="k-2")
    with_papers, plain = (json.loads(request.content) for request in script.requests)
    assert with_papers == {**PAYLOAD, "documents": papers} and plain == PAYLOAD


def test_a_422_is_a_rejection_with_a_reason_that_never_holds_a_nik():
    script = ScriptedRegistry().answer(
        422, {"error": "validation_failed", "errors": {"nik": ["3319014101900001 differs from the path"]}}
    )
    outcome = client_for(script).push(PAYLOAD, idempotency_key="k")
    assert isinstance(outcome, registry.Rejected)
    assert "3319014101900001" not in outcome.reason and "************0001" in outcome.reason


@pytest.mark.parametrize(
    "status,body,headers,after",
    [
        (429, {"error": "rate_limited"}, {"Retry-After": "7"}, 7.0),
        (503, {"error": "outage"}, {"Retry-After": "30"}, 30.0),
        (500, {"error": "server_error"}, {}, None),
        (409, {"error": "request_in_flight", "retry_after": 1}, {"Retry-After": "1"}, 1.0),
    ],
)
def test_passing_failures_are_retries_that_carry_retry_after(status, body, headers, after):
    outcome = client_for(ScriptedRegistry().answer(status, body, headers)).push(PAYLOAD, idempotency_key="k")
    assert isinstance(outcome, registry.Retry) and outcome.after_seconds == after


def test_a_key_reused_with_another_body_is_our_defect_not_a_retry():
    script = ScriptedRegistry().answer(409, {"error": "idempotency_key_reused"})
    outcome = client_for(script).push(PAYLOAD, idempotency_key="k")
    assert isinstance(outcome, registry.Defect) and outcome.reason == "idempotency_key_reused"


def test_a_wrong_token_is_a_defect():
    assert isinstance(
        client_for(ScriptedRegistry().answer(401, {"error": "unauthorized"})).resident("3319014101900001"),
        registry.Defect,
    )


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")]
)
def test_transport_errors_are_retries(exc):
    outcome = client_for(ScriptedRegistry().fail(exc)).push(PAYLOAD, idempotency_key="k")
    assert isinstance(outcome, registry.Retry) and outcome.status_code is None


def test_resident_and_update_lookups_map_found_and_not_found():
    script = (
        ScriptedRegistry()
        .answer(200, {"nik": "x", "kk_number": "y"})
        .answer(404, {"error": "not_found"})
        .answer(200, {"status": "rejected", "reason": "data ganda"})
    )
    client = client_for(script)
    assert isinstance(client.resident("x"), registry.Found)
    assert isinstance(client.resident("x"), registry.NotFound)
    state = client.update_state("u-1")
    assert (state.status, state.reason) == ("rejected", "data ganda")


def test_the_breaker_opens_after_repeated_failures_and_stops_calling():
    script = ScriptedRegistry()
    for _ in range(3):
        script.answer(503, {"error": "outage"})
    client = client_for(script, breaker=registry.CircuitBreaker(threshold=3, open_seconds=60))
    for _ in range(3):
        client.resident("x")
    outcome = client.resident("x")
    assert isinstance(outcome, registry.Retry) and outcome.reason == "circuit_open"
    assert len(script.requests) == 3
    assert client.breaker.state() == "open"


def test_a_success_closes_the_breaker_count():
    script = ScriptedRegistry().answer(503).answer(200, {"nik": "x"}).answer(503)
    client = client_for(script, breaker=registry.CircuitBreaker(threshold=2, open_seconds=60))
    for _ in range(3):
        client.resident("x")
    assert client.breaker.state() == "closed"


def test_a_cache_that_is_down_leaves_the_breaker_closed(monkeypatch):
    class DownCache:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("redis is restarting")

            return fail

    monkeypatch.setattr(registry, "cache", DownCache())
    breaker = registry.CircuitBreaker(threshold=1, open_seconds=60)
    breaker.record_failure()
    breaker.record_success()
    assert breaker.open_remaining() == 0.0 and breaker.state() == "closed"


def test_a_failure_counted_during_a_healthy_call_is_reset_by_the_next_success_that_sees_it():
    breaker = registry.CircuitBreaker(threshold=2, open_seconds=60)
    healthy = breaker.read()  # a worker reads "no failures" before its call ...
    breaker.record_failure()  # ... another worker's call fails meanwhile ...
    breaker.record_success(failures_counted=healthy.failures_counted)  # ... the first one succeeds
    assert breaker.read().failures_counted  # the failure still counts,
    script = ScriptedRegistry().answer(200, {"nik": "x"}).answer(503).answer(200, {"nik": "x"})
    client = client_for(script, breaker=breaker)
    client.resident("x")  # until a success that saw it
    assert not breaker.read().failures_counted
    client.resident("x")
    client.resident("x")
    assert breaker.state() == "closed"


def test_the_shared_client_is_built_once_per_process_and_per_settings(settings):
    settings.REGISTRY_URL = "http://registry-a.test/api/v1"
    first = registry.shared_client()
    assert registry.shared_client() is first
    assert first.base_url == "http://registry-a.test/api/v1"
    settings.REGISTRY_URL = "http://registry-b.test/api/v1"
    assert registry.shared_client().base_url == "http://registry-b.test/api/v1"
