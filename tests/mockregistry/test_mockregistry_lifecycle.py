"""Restarts, counters, resets, seeding and logging of the registry process."""

import json
import re


def test_it_keeps_residents_updates_keys_and_faults_across_a_restart(registry, api, build):
    nik, key = build.nik(), build.key()
    body = build.update_body(nik, reference="SKR-1 mock:after=0")
    accepted = api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key}).json()
    before = api.get(f"/residents/{nik}").json()
    registry.set_faults(latency_ms=1)

    registry.restart()

    with registry.client() as fresh:
        assert fresh.get(f"/residents/{nik}").json() == before
        assert fresh.get(f"/updates/{accepted['update_id']}").json()["status"] == "applied"
        replay = fresh.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key})
    assert replay.json() == accepted
    assert registry.stats()["updates_by_key"] == {key: 1}
    assert registry.faults()["latency_ms"] == 1  # run-time faults live in the database


def test_it_keeps_its_data_when_the_process_is_killed_and_started_again(registry, api, build):
    nik = build.nik()
    api.put(
        f"/residents/{nik}",
        json=build.update_body(nik, reference="SKR-1 mock:after=0"),
        headers={"Idempotency-Key": build.key()},
    )

    registry.kill()
    registry.start()

    with registry.client() as fresh:
        assert fresh.get(f"/residents/{nik}").json()["kk_number"] == build.update_body(nik)["kk_number"]


def test_stats_count_requests_by_status_and_endpoint(registry, api, push, build):
    nik, key = build.nik(), build.key()
    push(nik, key)
    push(nik, key)
    push(nik, key, full_name="Someone Else")
    api.get(f"/residents/{nik}")

    stats = registry.stats()

    assert stats["requests_by_status"] == {"202": 2, "404": 1, "409": 1}
    assert stats["requests_by_endpoint"] == {"resident_put": {"202": 2, "409": 1}, "resident_get": {"404": 1}}
    assert stats["requests_total"] == 4
    assert stats["duplicates_refused"] == 2
    assert stats["duplicates_by_kind"] == {"replayed": 1, "idempotency_key_reused": 1, "request_in_flight": 0}


def test_clearing_the_stats_zeroes_the_counters_but_keeps_the_data(registry, push, build):
    key = build.key()
    push(build.nik(), key)

    cleared = registry.clear_stats()

    assert cleared["requests_total"] == 0
    assert cleared["updates_by_key"] == {key: 1}


def test_a_reset_wipes_the_data_unless_asked_to_keep_it(registry, push, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])
    push(nik)
    registry.set_faults(latency_ms=5)

    registry.reset(keep_data=True)
    kept = registry.stats()
    registry.reset()
    wiped = registry.stats()

    assert (kept["residents"], kept["updates"]["total"], kept["requests_total"]) == (1, 1, 0)
    assert (wiped["residents"], wiped["updates"]["total"]) == (0, 0)
    assert registry.faults()["latency_ms"] == 0


def test_the_control_residents_endpoint_refuses_invalid_records_with_422(registry, build):
    with registry.control_client() as control:
        answer = control.put("/_control/residents", json=[build.stale_resident(build.nik(), sex="X")])

    assert answer.status_code == 422
    assert answer.json()["errors"]["residents"] == ["row 1: sex: Jenis kelamin harus L atau P."]


def test_the_seed_command_loads_stale_residents_from_json_and_csv_files(registry, api, build, tmp_path):
    man, woman = build.nik(), build.nik(female=True)
    json_file, csv_file = tmp_path / "residents.json", tmp_path / "residents.csv"
    json_file.write_text(json.dumps({"residents": [build.stale_resident(man)]}))
    csv_file.write_text(
        "nik,kk_number,full_name,birth_date,sex,region_code\n"
        f"{woman},3319010504150011,Siti Aminah,1990-05-12,P,33.19.01\n"
    )

    result = registry.manage("mockregistry_seed", str(json_file), str(csv_file))

    assert result.returncode == 0, result.stderr
    assert "loaded 2 resident(s)" in result.stdout
    assert api.get(f"/residents/{man}").json()["kk_number"] == build.stale_resident(man)["kk_number"]
    assert api.get(f"/residents/{woman}").json()["full_name"] == "Siti Aminah"


def test_the_seed_command_refuses_a_file_with_invalid_rows_and_loads_nothing(registry, build, tmp_path):
    good, bad = build.nik(), "3319011205900000"
    seed = tmp_path / "residents.json"
    seed.write_text(json.dumps([build.stale_resident(good), build.stale_resident(bad)]))

    result = registry.manage("mockregistry_seed", str(seed))

    assert result.returncode != 0
    assert "row 2: nik: Nomor urut NIK tidak boleh 0000." in result.stderr
    assert bad not in result.stderr  # row numbers, never the NIK
    assert registry.stats()["residents"] == 0


def test_the_seed_command_loads_the_demo_residents_and_synthetic_ones_for_load_tests(registry, api):
    result = registry.manage("mockregistry_seed", "--builtin", "--synthetic", "300", "--random-seed", "7")

    assert result.returncode == 0, result.stderr
    assert "loaded 11 resident(s)" in result.stdout
    assert "loaded 1 family card(s)" in result.stdout
    assert "created 300 synthetic resident(s)" in result.stdout
    assert registry.stats()["residents"] == 311
    assert api.get("/residents/3319014507920003").json()["full_name"] == "Siti Aminah"


def test_the_demo_residents_include_each_persistent_state_and_a_family(registry, api):
    registry.manage("mockregistry_seed", check=True)

    states = {nik: api.get(f"/residents/{nik}").json()["state"] for nik in DEMO_STATES}
    family = api.get("/families/3319051503210004").json()

    assert states == DEMO_STATES
    assert family["head_nik"] == "3319051004850001"
    assert len(family["members"]) == 3


def test_the_seed_command_loads_families_from_a_json_file_and_refuses_a_bad_one(
    registry, api, build, tmp_path
):
    head, child = build.nik(), build.nik()
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "residents": [build.stale_resident(head), build.stale_resident(child)],
                "families": [{"kk_number": "3319012206240003", "head_nik": head, "members": [head, child]}],
            }
        )
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"residents": [], "families": [{"kk_number": "1", "head_nik": head, "members": [head]}]})
    )

    loaded = registry.manage("mockregistry_seed", str(good))
    refused = registry.manage("mockregistry_seed", str(bad))

    assert "loaded 1 family card(s)" in loaded.stdout
    assert api.get("/families/3319012206240003").json()["head_nik"] == head
    assert refused.returncode != 0 and "family 1: kk_number" in refused.stderr


DEMO_STATES = {
    "3319071502900006": "duplicate",
    "3319084410030007": "blocked",
    "3319080306600008": "inactive",
    "3319014507920003": "active",
}


def test_the_log_never_shows_a_full_nik(registry, api, anonymous, push, build):
    nik = build.nik()
    push(nik, reference="SKR-1 mock:after=0")
    api.get(f"/residents/{nik}")
    push(nik, sex="X")  # a 422, which django.request logs with the path
    api.get(f"/residents/{build.nik()}")  # a 404, likewise
    anonymous.get(f"/residents/{nik}")  # a 401

    assert not re.search(r"(?<![0-9])[0-9]{16}(?![0-9])", registry.log_text())
