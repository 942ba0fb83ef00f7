"""Propagation: accepted updates become visible only when applied; shares are rejected or stuck."""

import time
from datetime import datetime, timedelta

import pytest

REASONS = {
    "data ganda",
    "dokumen pendukung diperlukan",
    "NIK nonaktif",
    "nomor KK tidak sesuai dengan data kepala keluarga",
}


def parse_time(text):
    return datetime.fromisoformat(text)


def wait_until(moment: datetime, margin: float = 0.05) -> None:
    """Sleep until `moment` (an aware datetime) has passed on this machine's clock."""
    remaining = (moment - datetime.now().astimezone()).total_seconds() + margin
    if remaining > 0:
        time.sleep(remaining)


def test_a_read_after_the_due_time_shows_the_new_kk_without_any_worker(registry, api, push, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])
    accepted = push(nik).json()

    before = api.get(f"/residents/{nik}").json()
    wait_until(parse_time(accepted["expected_by"]))
    after = api.get(f"/residents/{nik}").json()

    assert before["kk_number"] == build.stale_resident(nik)["kk_number"]
    assert after["kk_number"] == build.update_body(nik)["kk_number"]
    assert parse_time(after["updated_at"]) > parse_time(before["updated_at"])


def test_applying_changes_the_name_and_birth_date_to_the_pushed_values(registry, api, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik, full_name="Budi Santosa", birth_date="1990-05-21")])
    body = build.update_body(nik, reference="SKR-1 mock:after=0")
    api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": build.key()})

    view = api.get(f"/residents/{nik}").json()

    assert (view["full_name"], view["birth_date"], view["kk_number"]) == (
        body["full_name"],
        body["birth_date"],
        body["kk_number"],
    )


def test_applying_creates_a_resident_the_centre_did_not_know(api, push, build):
    nik = build.nik()
    assert api.get(f"/residents/{nik}").status_code == 404

    push(nik, reference="SKR-1 mock:after=0")

    assert api.get(f"/residents/{nik}").json()["kk_number"] == build.update_body(nik)["kk_number"]


def test_it_applies_each_update_between_the_minimum_share_and_all_of_the_propagation_time(
    registry, api, push, build
):
    registry.set_behaviour(propagation_seconds=1.0, propagation_min_fraction=0.5)
    pushed = [(push(nik).json()["update_id"], nik) for nik in (build.nik() for _ in range(6))]

    time.sleep(1.1)
    updates = [api.get(f"/updates/{update_id}").json() for update_id, _ in pushed]

    for update in updates:
        assert update["status"] == "applied"
        delay = parse_time(update["applied_at"]) - parse_time(update["accepted_at"])
        assert timedelta(seconds=0.5) <= delay <= timedelta(seconds=1.0)


def test_it_rejects_the_configured_share_with_a_reason_and_leaves_the_resident_alone(
    registry, api, push, build
):
    registry.set_behaviour(reject_rate=1.0, propagation_seconds=0.3)
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])
    update_id = push(nik).json()["update_id"]

    assert api.get(f"/updates/{update_id}").json()["status"] == "accepted"
    time.sleep(0.4)
    update = api.get(f"/updates/{update_id}").json()

    assert update["status"] == "rejected"
    assert update["reason"] in REASONS
    assert update["rejected_at"] is not None and update["applied_at"] is None
    assert api.get(f"/residents/{nik}").json()["kk_number"] == build.stale_resident(nik)["kk_number"]


def test_it_rejects_roughly_the_configured_share_of_updates(registry, push, build):
    registry.set_behaviour(reject_rate=0.5, propagation_seconds=0)

    for _ in range(40):
        push(build.nik())

    rejected = registry.stats()["updates"]["rejected"]
    assert 8 <= rejected <= 32  # binomial(40, 0.5): outside this range about once in 100,000 runs


def test_a_stuck_update_stays_pending_until_expedited_then_applies_shortly(registry, api, push, build):
    registry.set_behaviour(stuck_rate=1.0, propagation_seconds=0.2, expedite_seconds=0.5)
    nik = build.nik()
    update_id = push(nik).json()["update_id"]
    time.sleep(0.4)
    assert api.get(f"/updates/{update_id}").json()["status"] == "accepted"

    expedited = api.post(f"/updates/{update_id}/expedite")

    assert expedited.status_code == 202
    assert expedited.json()["expedited"] is True
    assert api.get(f"/updates/{update_id}").json()["status"] == "accepted"
    wait_until(parse_time(expedited.json()["expected_by"]))
    update = api.get(f"/updates/{update_id}").json()
    assert update["status"] == "applied"
    assert update["expedited_at"] is not None
    assert api.get(f"/residents/{nik}").json()["kk_number"] == build.update_body(nik)["kk_number"]


def test_expedite_brings_a_slow_update_forward(registry, api, push, build):
    registry.set_behaviour(propagation_seconds=3600, expedite_seconds=0.3)
    update_id = push(build.nik()).json()["update_id"]

    expected_by = parse_time(api.post(f"/updates/{update_id}/expedite").json()["expected_by"])

    assert expected_by < datetime.now().astimezone() + timedelta(seconds=5)
    wait_until(expected_by)
    assert api.get(f"/updates/{update_id}").json()["status"] == "applied"


def test_expediting_a_settled_update_changes_nothing(api, push, build):
    update_id = push(build.nik(), reference="SKR-1 mock:after=0").json()["update_id"]

    answer = api.post(f"/updates/{update_id}/expedite")

    assert answer.status_code == 200
    assert answer.json()["status"] == "applied"
    assert answer.json()["expedited"] is False


def test_an_expedited_update_that_the_centre_rejects_is_still_rejected(api, push, build):
    update_id = push(build.nik(), reference="SKR-1 mock:reject=dokumen mock:after=3600").json()["update_id"]

    expected_by = parse_time(api.post(f"/updates/{update_id}/expedite").json()["expected_by"])
    wait_until(expected_by)

    update = api.get(f"/updates/{update_id}").json()
    assert (update["status"], update["reason"]) == ("rejected", "dokumen pendukung diperlukan")


@pytest.mark.parametrize(
    "reference, status, reason",
    [
        ("SKR-1 mock:after=0", "applied", None),
        ("SKR-1 mock:reject=data_ganda mock:after=0", "rejected", "data ganda"),
        ("SKR-1 mock:stuck", "accepted", None),
    ],
)
def test_a_mock_directive_in_the_reference_forces_the_outcome(
    registry, api, push, build, reference, status, reason
):
    registry.set_behaviour(propagation_seconds=0, reject_rate=0.5, stuck_rate=0.5)
    update_id = push(build.nik(), reference=reference).json()["update_id"]

    update = api.get(f"/updates/{update_id}").json()

    assert (update["status"], update["reason"]) == (status, reason)


def test_the_behaviour_can_be_read_set_and_reset_at_run_time(registry):
    changed = registry.set_behaviour(propagation_seconds=5, stuck_rate=0.25)

    assert (changed["propagation_seconds"], changed["stuck_rate"]) == (5, 0.25)
    assert registry.behaviour() == changed
    assert registry.clear_behaviour()["propagation_seconds"] == 1  # the process's environment says 1


@pytest.mark.parametrize(
    "changes",
    [
        {"reject_rate": 2},
        {"stuck_rate": -0.1},
        {"propagation_seconds": "soon"},
        {"unknown": 1},
        {"stuck_rate": 0.6, "reject_rate": 0.6},
    ],
)
def test_the_behaviour_control_refuses_invalid_values_with_422(registry, changes):
    with registry.control_client() as control:
        answer = control.post("/_control/behaviour", json=changes)

    assert answer.status_code == 422
    assert registry.behaviour()["reject_rate"] == 0


def test_later_updates_for_one_resident_apply_in_due_order(api, build):
    nik = build.nik()
    first = build.update_body(nik, kk_number="3319010101240001", reference="A mock:after=0.2")
    second = build.update_body(nik, kk_number="3319010101240002", reference="B mock:after=0.4")
    for body in (first, second):
        api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": build.key()})

    time.sleep(0.5)

    assert api.get(f"/residents/{nik}").json()["kk_number"] == second["kk_number"]
