"""Simultaneous pushes: the database's unique key, not a check-then-insert, decides the one winner."""

import threading
from concurrent.futures import ThreadPoolExecutor


def fire_together(registry, requests):
    """Send every (nik, key, body) PUT at the same instant, each on its own connection."""
    start = threading.Barrier(len(requests))

    def send(request):
        nik, key, body = request
        with registry.http_client(base_url=registry.api_url, headers=registry.api_headers(key)) as client:
            start.wait()
            return client.put(f"/residents/{nik}", json=body)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_twenty_simultaneous_identical_pushes_create_exactly_one_update(registry, build):
    nik, key = build.nik(), build.key()
    body = build.update_body(nik)

    answers = fire_together(registry, [(nik, key, body)] * 20)

    assert [a.status_code for a in answers] == [202] * 20
    assert len({a.json()["update_id"] for a in answers}) == 1
    stats = registry.stats()
    assert stats["updates_by_key"] == {key: 1}
    assert stats["updates"]["total"] == 1
    assert stats["duplicates_by_kind"]["replayed"] == 19
    assert stats["requests_by_endpoint"]["resident_put"] == {"202": 20}


def test_simultaneous_identical_pushes_are_applied_to_the_resident_once(registry, api, build):
    nik, key = build.nik(), build.key()
    body = build.update_body(nik, reference="SKR-1 mock:after=0")

    fire_together(registry, [(nik, key, body)] * 10)

    assert api.get(f"/residents/{nik}").json()["kk_number"] == body["kk_number"]
    assert registry.stats()["writes_applied_by_key"] == {key: 1}


def test_simultaneous_pushes_with_different_keys_each_create_their_own_update(registry, build):
    requests = []
    for _ in range(10):
        nik = build.nik()
        requests.append((nik, build.key(), build.update_body(nik)))

    answers = fire_together(registry, requests)

    assert [a.status_code for a in answers] == [202] * 10
    assert len({a.json()["update_id"] for a in answers}) == 10
    assert registry.stats()["updates"]["total"] == 10


def test_simultaneous_pushes_of_one_key_with_different_bodies_create_one_update(registry, build):
    nik, key = build.nik(), build.key()
    bodies = [build.update_body(nik, full_name=f"Budi Santoso {i}") for i in range(8)]

    answers = fire_together(registry, [(nik, key, body) for body in bodies])

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [202] + [409] * 7
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"idempotency_key_reused"}
    assert registry.stats()["updates_by_key"] == {key: 1}
