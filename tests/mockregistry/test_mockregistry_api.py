"""The registry API contract, case by case, over HTTP against a real registry process."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest


def parse_time(text):
    return datetime.fromisoformat(text)


# --- health and authentication --------------------------------------------------------------------


def test_health_answers_without_a_token(anonymous):
    answer = anonymous.get("/health")

    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["database"] == "ok"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/residents/3319011205900001"),
        ("PUT", "/residents/3319011205900001"),
        # A fixed id, not uuid4(): test ids must be the same in every xdist worker.
        ("GET", "/updates/0b9e4c1e-6a43-4d1f-9d57-3c2a8e7f5b10"),
        ("POST", "/updates/0b9e4c1e-6a43-4d1f-9d57-3c2a8e7f5b10/expedite"),
    ],
)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Bearer test-control-token", "Basic dGVzdC1yZWdpc3RyeS10b2tlbg=="],
    ids=["missing", "wrong", "control-token", "not-bearer"],
)
def test_it_refuses_a_call_without_the_registry_token_with_401(anonymous, method, path, authorization):
    headers = {"Idempotency-Key": "k"} | ({"Authorization": authorization} if authorization else {})

    answer = anonymous.request(method, path, headers=headers, json={})

    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/_control/faults", "/_control/behaviour", "/_control/stats"])
def test_control_endpoints_refuse_the_registry_token_with_401(registry, path):
    with registry.http_client() as http:
        answer = http.get(path, headers=registry.api_headers())

    assert answer.status_code == 401


# --- reading ---------------------------------------------------------------------------------------


def test_it_answers_404_for_a_resident_the_centre_does_not_know(api, build):
    answer = api.get(f"/residents/{build.nik()}")

    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_it_shows_the_centres_view_of_a_known_resident(registry, api, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])

    answer = api.get(f"/residents/{nik}")

    assert answer.status_code == 200
    view = answer.json()
    assert {k: view[k] for k in build.stale_resident(nik)} == build.stale_resident(nik)
    assert parse_time(view["updated_at"]).tzinfo is not None


@pytest.mark.parametrize("nik", ["12345", "3319011205900000", "9919011205900001", "331901120590000X"])
def test_it_answers_422_for_a_malformed_nik_in_a_read(api, nik):
    answer = api.get(f"/residents/{nik}")

    assert answer.status_code == 422
    assert "nik" in answer.json()["errors"]


@pytest.mark.parametrize("update_id", ["5f0c9a57-2f57-4e44-9c35-0b8f0f7c1d2a", "not-a-uuid"])
def test_it_answers_404_for_an_unknown_update(api, update_id):
    answer = api.get(f"/updates/{update_id}")

    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_it_answers_404_when_expediting_an_unknown_update(api):
    answer = api.post(f"/updates/{uuid.uuid4()}/expedite")

    assert answer.status_code == 404


def test_it_answers_405_with_allow_for_an_unsupported_method(api, build):
    answer = api.delete(f"/residents/{build.nik()}")

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, PUT"


def test_it_answers_unknown_paths_with_a_json_404(api):
    answer = api.get("/nothing/here")

    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


# --- pushing ---------------------------------------------------------------------------------------


def test_it_accepts_a_valid_push_with_202_an_update_id_and_expected_by(push, build):
    before = datetime.now().astimezone()

    answer = push(build.nik())

    assert answer.status_code == 202
    body = answer.json()
    assert set(body) == {"update_id", "status", "expected_by"}
    assert body["status"] == "accepted"
    uuid.UUID(body["update_id"])
    # propagation_seconds is 1 in these tests
    assert before < parse_time(body["expected_by"]) < before + timedelta(seconds=5)


def test_it_returns_the_same_answer_for_a_replayed_key(registry, push, build):
    nik, key = build.nik(), build.key()
    first = push(nik, key)

    replay = push(nik, key)

    assert replay.status_code == 202
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    stats = registry.stats()
    assert stats["updates_by_key"] == {key: 1}
    assert stats["updates"]["total"] == 1
    assert stats["duplicates_by_kind"]["replayed"] == 1


def test_it_refuses_a_reused_key_with_another_body_as_idempotency_key_reused(registry, push, build):
    nik, key = build.nik(), build.key()
    push(nik, key)

    answer = push(nik, key, kk_number="3319010101250009")

    assert answer.status_code == 409
    assert answer.json()["error"] == "idempotency_key_reused"
    assert registry.stats()["updates_by_key"] == {key: 1}


def test_it_refuses_a_key_still_in_flight_as_request_in_flight(registry, api, build):
    # Latency is spent while the winner holds the key, like a slow centre; the loser waits 0.5 s
    # for the winner to finish (MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS), then gives up.
    registry.set_faults(latency_ms=1500)
    nik, key = build.nik(), build.key()
    body = build.update_body(nik)
    start = threading.Barrier(2)

    def send(_):
        with registry.client() as own:
            start.wait()
            return own.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = sorted(pool.map(send, range(2)), key=lambda a: a.status_code)

    winner, loser = answers
    assert (winner.status_code, loser.status_code) == (202, 409)
    assert loser.json()["error"] == "request_in_flight"
    assert loser.headers["Retry-After"] == "1"
    registry.clear_faults()
    retry = api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key})
    assert retry.json() == winner.json()
    assert registry.stats()["duplicates_by_kind"]["request_in_flight"] == 1


def test_it_keeps_no_key_for_a_refused_body_so_a_corrected_retry_is_accepted(push, build):
    nik, key = build.nik(), build.key()
    assert push(nik, key, sex="X").status_code == 422

    answer = push(nik, key)

    assert answer.status_code == 202


VALID_NIK = "3319011205900001"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"nik": "331901120590001"}, "nik"),  # 15 digits
        ({"nik": "9919011205900001"}, "nik"),  # unknown province
        ({"nik": "3300011205900001"}, "nik"),  # regency 00
        ({"nik": "3319001205900001"}, "nik"),  # district 00
        ({"nik": "3319013205900001"}, "nik"),  # day 32
        ({"nik": "3319011213900001"}, "nik"),  # month 13
        ({"nik": "3319013002900001"}, "nik"),  # 30 February
        ({"nik": "3319011205900000"}, "nik"),  # serial 0000
        ({"nik": 3319011205900001}, "nik"),  # a number, not text
        ({"kk_number": "33190112059"}, "kk_number"),
        ({"kk_number": "3319011205900000"}, "kk_number"),  # family serial 0000
        ({"kk_number": "0019011205900001"}, "kk_number"),  # unknown province
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 121}, "full_name"),
        ({"birth_date": "12-05-1990"}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"sex": "M"}, "sex"),
        ({"region_code": "33-19"}, "region_code"),
        ({"office_code": "KDS 01"}, "office_code"),
        ({"reference": None}, "reference"),
    ],
)
def test_it_refuses_a_malformed_body_with_422_and_field_errors(api, build, change, field):
    body = build.update_body(VALID_NIK, **change)

    answer = api.put(f"/residents/{VALID_NIK}", json=body, headers={"Idempotency-Key": build.key()})

    assert answer.status_code == 422
    assert answer.json()["error"] == "validation_failed"
    assert field in answer.json()["errors"]
    assert all(isinstance(message, str) for message in answer.json()["errors"][field])


@pytest.mark.parametrize(
    "field", ["nik", "kk_number", "full_name", "birth_date", "sex", "region_code", "office_code", "reference"]
)
def test_it_refuses_a_body_missing_a_field_with_422(api, build, field):
    body = build.update_body(VALID_NIK)
    del body[field]

    answer = api.put(f"/residents/{VALID_NIK}", json=body, headers={"Idempotency-Key": build.key()})

    assert answer.status_code == 422
    assert answer.json()["errors"][field] == ["Wajib diisi."]


def test_it_refuses_a_body_whose_nik_differs_from_the_path_with_422(api, build):
    body = build.update_body("3319011205900002")

    answer = api.put(f"/residents/{VALID_NIK}", json=body, headers={"Idempotency-Key": build.key()})

    assert answer.status_code == 422
    assert answer.json()["errors"]["nik"] == ["NIK pada URL berbeda dengan NIK pada isi permintaan."]


def test_it_refuses_a_push_without_an_idempotency_key_with_422(api, build):
    answer = api.put(f"/residents/{VALID_NIK}", json=build.update_body(VALID_NIK))

    assert answer.status_code == 422
    assert "Idempotency-Key" in answer.json()["errors"]


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b""])
def test_it_refuses_a_body_that_is_not_a_json_object_with_422(api, build, content):
    answer = api.put(
        f"/residents/{VALID_NIK}",
        content=content,
        headers={"Idempotency-Key": build.key(), "Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert "body" in answer.json()["errors"]


def test_it_accepts_a_woman_whose_nik_day_has_40_added(push, build):
    nik = build.nik(female=True)

    answer = push(nik, sex="P", full_name="Siti Aminah")

    assert answer.status_code == 202


# --- update status ---------------------------------------------------------------------------------


def test_it_reports_an_update_as_accepted_until_it_is_applied(registry, api, push, build):
    nik = build.nik()
    update_id = push(nik).json()["update_id"]

    pending = api.get(f"/updates/{update_id}").json()
    assert pending["status"] == "accepted"
    assert pending["reason"] is None and pending["applied_at"] is None
    assert api.get(f"/residents/{nik}").status_code == 404

    time.sleep(1.1)
    done = api.get(f"/updates/{update_id}").json()

    assert done["status"] == "applied"
    assert parse_time(done["applied_at"]) >= parse_time(done["accepted_at"])
    assert api.get(f"/residents/{nik}").json()["kk_number"] == build.update_body(nik)["kk_number"]
