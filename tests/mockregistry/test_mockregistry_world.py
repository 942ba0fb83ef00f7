"""The centre's hard cases: persistent states, unknown NIKs, family cards, log-normal propagation, portals."""

from datetime import datetime, timedelta

import pytest

DAY = 86400.0
BAD_MEMBERS = "Anggota harus berupa daftar NIK (1-30), tanpa NIK yang berulang."
HEAD_KK = "3319012206240003"


def parse_time(text):
    return datetime.fromisoformat(text)


@pytest.fixture
def refuse_unknown(registry):
    registry.set_behaviour(unknown_nik="refuse")
    return registry


@pytest.mark.parametrize(
    ("state", "code", "action"),
    [
        ("duplicate", "nik_duplicate", "central_deletion_of_duplicate"),
        ("blocked", "nik_blocked", "ktp_el_recording"),
        ("inactive", "nik_inactive", "reactivation_at_office"),
    ],
)
def test_a_push_for_a_nik_in_a_persistent_state_is_refused_with_its_code_and_the_check_shows_the_state(
    registry, api, push, build, state, code, action
):
    nik = build.nik()
    registry.seed([build.stale_resident(nik, state=state)])

    refused = push(nik)
    checked = api.get(f"/residents/{nik}")

    assert refused.status_code == 422
    assert (refused.json()["error"], refused.json()["state"], refused.json()["action"]) == (
        code,
        state,
        action,
    )
    assert nik not in refused.text
    assert checked.status_code == 200 and checked.json()["state"] == state
    assert registry.stats()["updates"]["total"] == 0


def test_an_active_resident_still_gets_the_old_answers_plus_its_state(registry, api, push, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])

    assert push(nik).status_code == 202
    assert api.get(f"/residents/{nik}").json()["state"] == "active"


def test_a_retry_does_not_clear_a_duplicate_but_the_central_operator_does(registry, push, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik, state="duplicate")])
    key = build.key()

    assert push(nik, key=key).status_code == 422
    assert push(nik, key=key).status_code == 422
    cleared = registry.set_state(nik, "active")

    assert cleared["state"] == "active"
    assert push(nik, key=key).status_code == 202  # the refused key left no trace


def test_a_nik_falling_into_a_state_while_its_update_waits_is_rejected_with_the_code(
    registry, api, push, build
):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])
    update_id = push(nik, reference="SKR-1 mock:after=60").json()["update_id"]
    registry.set_state(nik, "blocked")

    registry.advance_clock(61)
    update = api.get(f"/updates/{update_id}").json()

    assert (update["status"], update["reason_code"]) == ("rejected", "nik_blocked")
    assert api.get(f"/residents/{nik}").json()["kk_number"] == build.stale_resident(nik)["kk_number"]


def test_the_office_reactivates_a_nonaktif_nik_after_seeing_the_ktp_el(registry, api, push, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik, state="inactive")])
    body = {"office_code": "KDS-01", "reference": "SKR-1", "ktp_el_seen": True}

    reactivated = api.post(f"/residents/{nik}/reactivation", json=body)
    again = api.post(f"/residents/{nik}/reactivation", json=body)

    assert reactivated.status_code == 200 and reactivated.json()["state"] == "active"
    assert again.status_code == 200 and again.json()["state"] == "active"
    assert push(nik).status_code == 202


def test_reactivation_without_the_ktp_el_seen_is_refused_field_by_field(registry, api, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik, state="inactive")])

    refused = api.post(f"/residents/{nik}/reactivation", json={"office_code": "KDS-01"})

    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"reference", "ktp_el_seen"}
    assert api.get(f"/residents/{nik}").json()["state"] == "inactive"


@pytest.mark.parametrize(("state", "code"), [("duplicate", "nik_duplicate"), ("blocked", "nik_blocked")])
def test_reactivation_does_not_clear_a_duplicate_or_a_block(registry, api, build, state, code):
    nik = build.nik()
    registry.seed([build.stale_resident(nik, state=state)])
    body = {"office_code": "KDS-01", "reference": "SKR-1", "ktp_el_seen": True}

    refused = api.post(f"/residents/{nik}/reactivation", json=body)

    assert (refused.status_code, refused.json()["error"]) == (409, code)
    assert api.get(f"/residents/{nik}").json()["state"] == state


def test_reactivating_an_unknown_nik_asks_for_documents(refuse_unknown, api, build):
    body = {"office_code": "KDS-01", "reference": "SKR-1", "ktp_el_seen": True}

    refused = api.post(f"/residents/{build.nik()}/reactivation", json=body)

    assert (refused.status_code, refused.json()["error"]) == (422, "documents_required")


def test_an_unknown_nik_is_refused_as_documents_required_and_never_minted(refuse_unknown, api, push, build):
    nik = build.nik()

    refused = push(nik, reference="SKR-1 mock:after=0")

    assert (refused.status_code, refused.json()["error"]) == (422, "documents_required")
    assert api.get(f"/residents/{nik}").status_code == 404
    assert refuse_unknown.stats()["residents"] == 0


def test_the_operator_control_refuses_an_unknown_state(registry, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])
    with registry.control_client() as control:
        answer = control.post(f"/_control/residents/{nik}/state", json={"state": "ganda"})

    assert answer.status_code == 422 and "state" in answer.json()["errors"]


# --- families --------------------------------------------------------------------------------------


def seed_family(registry, build, *, size=3, **states):
    niks = [build.nik() for _ in range(size)]
    registry.seed(
        [build.stale_resident(nik, state=states.get(str(i), "active")) for i, nik in enumerate(niks)]
    )
    registry.seed_families([{"kk_number": HEAD_KK, "head_nik": niks[0], "members": niks}])
    return niks


def family_body(niks, **overrides):
    return {
        "kk_number": HEAD_KK,
        "head_nik": niks[0],
        "members": niks,
        "office_code": "KDS-01",
        "reference": "SKR-1 mock:after=0",
        **overrides,
    }


def put_family(api, body, key):
    return api.put(f"/families/{HEAD_KK}", json=body, headers={"Idempotency-Key": key})


def test_a_family_update_changes_every_member_at_once(registry, api, build):
    niks = seed_family(registry, build)

    accepted = put_family(api, family_body(niks, head_nik=niks[1]), build.key())
    family = api.get(f"/families/{HEAD_KK}").json()

    assert accepted.status_code == 202
    assert family["head_nik"] == niks[1]
    assert {m["nik"] for m in family["members"]} == set(niks)
    assert {api.get(f"/residents/{nik}").json()["kk_number"] for nik in niks} == {HEAD_KK}


def test_a_family_member_not_on_the_centres_card_refuses_the_whole_family_naming_them_masked(
    registry, api, build
):
    niks = seed_family(registry, build)
    stranger = build.nik()
    registry.seed([build.stale_resident(stranger)])

    refused = put_family(api, family_body([*niks, stranger]), build.key())

    assert refused.status_code == 422 and refused.json()["error"] == "family_refused"
    assert refused.json()["members"] == [
        {
            "nik": "************" + stranger[-4:],
            "error": "not_in_family",
            "detail": refused.json()["members"][0]["detail"],
        }
    ]
    assert stranger not in refused.text
    assert {api.get(f"/residents/{nik}").json()["kk_number"] for nik in niks} == {
        build.stale_resident(niks[0])["kk_number"]
    }


def test_a_family_update_leaving_out_a_member_of_the_card_is_refused(registry, api, build):
    niks = seed_family(registry, build)

    refused = put_family(api, family_body(niks[:2]), build.key())

    assert refused.status_code == 422
    assert [(m["nik"], m["error"]) for m in refused.json()["members"]] == [
        ("************" + niks[2][-4:], "family_member_missing")
    ]


def test_one_member_in_a_persistent_state_refuses_the_whole_family(registry, api, build):
    niks = seed_family(registry, build, **{"2": "duplicate"})

    refused = put_family(api, family_body(niks), build.key())

    assert [m["error"] for m in refused.json()["members"]] == ["nik_duplicate"]
    assert registry.stats()["updates"]["total"] == 0


def test_a_family_update_for_a_kk_the_centre_does_not_know_asks_for_documents(registry, api, build):
    niks = [build.nik()]
    registry.seed([build.stale_resident(niks[0])])

    refused = put_family(api, family_body(niks), build.key())

    assert (refused.status_code, refused.json()["error"]) == (422, "documents_required")


def test_a_family_body_with_the_head_outside_the_members_or_a_bad_member_nik_is_refused_field_by_field(
    registry, api, build
):
    niks = seed_family(registry, build)

    outside = put_family(api, family_body(niks, head_nik=build.nik()), build.key())
    bad_member = put_family(api, family_body(niks, members=[*niks, "123"]), build.key())

    assert (outside.status_code, list(outside.json()["errors"])) == (422, ["head_nik"])
    assert (bad_member.status_code, list(bad_member.json()["errors"])) == (422, ["members[3]"])


def test_a_family_put_is_idempotent_under_its_key(registry, api, build):
    niks = seed_family(registry, build)
    key = build.key()

    first = put_family(api, family_body(niks), key)
    replay = put_family(api, family_body(niks), key)
    reused = put_family(api, family_body(niks, reference="SKR-2"), key)

    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"
    assert (reused.status_code, reused.json()["error"]) == (409, "idempotency_key_reused")
    assert registry.stats()["updates_by_key"] == {key: 1}


# --- propagation and portals -----------------------------------------------------------------------


def test_lognormal_propagation_applies_about_half_within_two_hours_and_leaves_a_tail_past_a_day(
    registry, api, build
):
    registry.set_behaviour(propagation_model="lognormal", propagation_seconds=DAY)
    for number in range(200):
        nik = build.nik()
        body = build.update_body(nik)
        api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": f"spread-{number}"})

    registry.advance_clock(2 * 3600)
    within_two_hours = registry.stats(by_key=False)["updates"]["applied"]
    registry.advance_clock(22 * 3600)
    within_a_day = registry.stats(by_key=False)["updates"]["applied"]

    assert 80 <= within_two_hours <= 120  # median 2 h
    assert 180 <= within_a_day <= 198  # ~5% past 24 h


def test_the_held_share_stays_pending_however_long_the_clock_runs(registry, build):
    registry.set_behaviour(propagation_model="lognormal", propagation_seconds=DAY, stuck_rate=0.1)
    with registry.client() as api:
        for number in range(100):
            nik = build.nik()
            api.put(
                f"/residents/{nik}",
                json=build.update_body(nik),
                headers={"Idempotency-Key": f"held-{number}"},
            )

    registry.advance_clock(365 * DAY)
    counts = registry.stats(by_key=False)["updates"]

    assert 4 <= counts["accepted"] <= 18
    assert counts["applied"] == 100 - counts["accepted"]


def test_a_behaviour_choice_outside_the_known_ones_is_refused(registry):
    with registry.control_client() as control:
        answer = control.post(
            "/_control/behaviour", json={"propagation_model": "poisson", "unknown_nik": "x"}
        )

    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"propagation_model", "unknown_nik"}


def test_portals_see_the_change_only_after_their_own_lag_within_three_days(registry, api, push, build):
    registry.set_behaviour(propagation_seconds=DAY, portal_lag_max_seconds=3 * DAY)
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])
    push(nik, key="portal-lag-1", reference="SKR-1 mock:after=0")
    applied_at = parse_time(api.get(f"/residents/{nik}").json()["updated_at"])

    portals = [p["code"] for p in api.get("/portals").json()["portals"]]
    before = {p: api.get(f"/portals/{p}/residents/{nik}").json() for p in portals}
    registry.advance_clock(3 * DAY + 1)
    after = {p: api.get(f"/portals/{p}/residents/{nik}").json() for p in portals}

    assert portals == ["sscasn", "bpjs", "bank"]
    for seen in before.values():
        assert seen["kk_number"] == build.stale_resident(nik)["kk_number"]
        assert seen["up_to_date"] is False
        assert applied_at < parse_time(seen["catches_up_at"]) <= applied_at + timedelta(days=3)
    assert {(s["kk_number"], s["up_to_date"]) for s in after.values()} == {
        (build.update_body(nik)["kk_number"], True)
    }


def test_a_portal_has_no_copy_of_a_minted_resident_until_its_lag_has_passed(registry, api, push, build):
    nik = build.nik()
    push(nik, key="portal-lag-2", reference="SKR-1 mock:after=0")

    before = api.get(f"/portals/bpjs/residents/{nik}")
    registry.advance_clock(3 * 1.0 + 1)  # P is 1 s in these tests: the lag is at most 3 s
    after = api.get(f"/portals/bpjs/residents/{nik}")

    assert before.status_code == 404
    assert after.status_code == 200 and after.json()["up_to_date"] is True


def test_an_unknown_portal_is_a_clear_404(api, build):
    answer = api.get(f"/portals/pajak/residents/{build.nik()}")

    assert answer.status_code == 404 and "sscasn" in answer.json()["detail"]


# --- the failure paths of the new calls -------------------------------------------------------------


def test_the_clock_refuses_to_run_backwards_or_on_words(registry):
    with registry.control_client() as control:
        backwards = control.post("/_control/clock", json={"advance_seconds": -5})
        words = control.post("/_control/clock", json={"advance_seconds": "a day"})
        shown = control.get("/_control/clock").json()

    assert backwards.status_code == 422 and words.status_code == 422
    assert shown["offset_seconds"] == 0.0


def test_the_operator_cannot_set_the_state_of_a_nik_the_centre_does_not_know(registry, build):
    with registry.control_client() as control:
        answer = control.post(f"/_control/residents/{build.nik()}/state", json={"state": "blocked"})

    assert answer.status_code == 404


def test_seeding_a_family_with_a_bad_card_is_refused_by_row_and_field(registry, build):
    nik = build.nik()
    with registry.control_client() as control:
        answer = control.put(
            "/_control/families", json=[{"kk_number": HEAD_KK, "head_nik": nik, "members": []}]
        )
        not_a_list = control.put("/_control/families", json={"families": "none"})

    assert answer.status_code == 422
    assert answer.json()["errors"]["families"] == ["family 1: members: " + BAD_MEMBERS]
    assert nik not in answer.text
    assert not_a_list.status_code == 422


def test_a_family_read_answers_422_for_an_impossible_kk_and_404_for_an_unknown_one(api):
    assert api.get("/families/123").status_code == 422
    assert api.get(f"/families/{HEAD_KK}").status_code == 404


def test_a_portal_has_no_copy_of_a_nik_the_centre_does_not_know(api, build):
    assert api.get(f"/portals/sscasn/residents/{build.nik()}").status_code == 404
    assert api.get("/portals/sscasn/residents/123").status_code == 422


def test_a_portal_sees_a_resident_that_never_changed_at_once(registry, api, build):
    nik = build.nik()
    registry.seed([build.stale_resident(nik)])

    seen = api.get(f"/portals/bank/residents/{nik}").json()

    assert (seen["kk_number"], seen["up_to_date"]) == (build.stale_resident(nik)["kk_number"], True)


def test_reactivation_refuses_an_impossible_nik_and_a_body_that_is_not_json(api):
    assert api.post("/residents/123/reactivation", json={}).status_code == 422
    not_json = api.post("/residents/3319011205900001/reactivation", content=b"ktp")
    assert not_json.status_code == 422 and "body" in not_json.json()["errors"]
