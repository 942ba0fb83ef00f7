"""The registry's own NIK/KK structure checks (pure functions, no process or settings needed)."""

from datetime import date

import pytest

from mockregistry import validation
from mockregistry.synthetic import synthetic_residents

TODAY = date(2025, 1, 15)


@pytest.mark.parametrize(
    "nik",
    ["3319011205900001", "3319015205900001", "3319012902000001", "3319016902960001", "9601011205900001"],
    ids=["man", "woman (+40)", "29 Feb of YY 00", "29 Feb of a woman, YY 96", "Papua Barat Daya"],
)
def test_it_accepts_a_nik_with_a_possible_structure(nik):
    assert validation.nik_errors(nik) == []


@pytest.mark.parametrize(
    "nik, message",
    [
        ("331901120590001", validation.NIK_NOT_16_DIGITS),
        ("3319-01120590001", validation.NIK_NOT_16_DIGITS),
        ("٣٣19011205900001", validation.NIK_NOT_16_DIGITS),  # non-ASCII digits
        ("5419011205900001", validation.UNKNOWN_PROVINCE),
        ("3300011205900001", validation.ZERO_REGENCY),
        ("3319001205900001", validation.ZERO_DISTRICT),
        ("3319010005900001", validation.BAD_NIK_BIRTH_DATE),
        ("3319017205900001", validation.BAD_NIK_BIRTH_DATE),  # 72 = 32 + 40
        ("3319012902010001", validation.BAD_NIK_BIRTH_DATE),  # 29 Feb of YY 01
        ("3319013104900001", validation.BAD_NIK_BIRTH_DATE),  # 31 April
        ("3319011205900000", validation.ZERO_NIK_SERIAL),
    ],
)
def test_it_rejects_a_nik_that_cannot_exist(nik, message):
    assert message in validation.nik_errors(nik)


def test_it_does_not_check_the_recording_date_of_a_kk_because_old_cards_break_the_pattern():
    assert validation.kk_errors("3319019999990001") == []
    assert validation.kk_errors("3319010504150000") == [validation.ZERO_KK_SERIAL]


def test_it_cleans_a_resident_record_and_collapses_spaces_in_the_name():
    record = {
        "nik": "3319011205900001",
        "kk_number": "3319010504150011",
        "full_name": "  Budi   Santoso ",
        "birth_date": "1990-05-12",
        "sex": "L",
    }

    clean, errors = validation.validate_resident(record, today=TODAY)

    assert errors == {}
    assert clean["full_name"] == "Budi Santoso"
    assert clean["region_code"] == ""


def test_every_synthetic_resident_is_valid_and_unique():
    residents = synthetic_residents(2000, seed=3)

    assert len({r["nik"] for r in residents}) == 2000
    for resident in residents:
        assert validation.validate_resident(resident, today=TODAY)[1] == {}
        female_day = int(resident["nik"][6:8]) > 40
        assert female_day == (resident["sex"] == "P")


def test_synthetic_residents_are_reproducible_with_a_seed():
    assert synthetic_residents(5, seed=11) == synthetic_residents(5, seed=11)
