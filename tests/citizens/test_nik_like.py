"""NIK-like numbers in free text (citizens.nik.find_nik_like / mask_nik_like): one rule for every
place that must hide a NIK — logs, ticket descriptions, notes, reasons. No database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizens.nik import NIK_LIKE_PATTERN, find_nik_like, mask_nik_like, normalize, parse_nik, scrub

NIK = "3319014101900001"


@pytest.mark.parametrize(
    "written",
    [
        "3319014101900001",
        "331901 410190 0001",
        "331901-410190-0001",
        "331901.410190.0001",
        "3319 0141 0190 0001",
        "3319-0141-0190-0001",
        "33.19.01.410190.0001",
        "3319\u20130141\u20130190\u20130001",  # en dashes, as a word processor writes them
        "331901\u00a0410190\u00a00001",  # non-breaking spaces
    ],
)
def test_a_nik_written_in_any_usual_grouping_is_found_and_masked(written):
    text = f"Pemohon NIK {written}, KK hilang."
    assert find_nik_like(text) == [NIK]
    assert mask_nik_like(text) == "Pemohon NIK ************0001, KK hilang."


@pytest.mark.parametrize(
    "text",
    [
        "runtime 0.0846543070000242 s",
        "0,0846543070000242",
        "3319014101900001.5",
        "3319014101900001,25",
        "33190141019000012",  # 17 digits: no NIK
        "0812-3456-7890",  # a phone number
        "03/12/2026 14:00:15",
        "3319\n0141 0190 0001",  # split over lines: not one number
    ],
)
def test_decimals_longer_runs_and_other_numbers_are_left_alone(text):
    assert find_nik_like(text) == []
    assert mask_nik_like(text) == text


def test_a_nik_at_the_end_of_a_sentence_is_still_masked():
    assert mask_nik_like(f"NIK-nya {NIK}.") == "NIK-nya ************0001."


def test_every_nik_in_a_text_is_masked():
    text = f"{NIK}, 3319014101900002 dan 3319-0141-0190-0003"
    assert mask_nik_like(text) == "************0001, ************0002 dan ************0003"


def test_niks_listed_with_commas_or_points_between_them_are_all_masked():
    text = "3319014101900001,3319011503260002.3319011503260003"
    assert mask_nik_like(text) == "************0001,************0002.************0003"


def test_the_log_scrubber_uses_the_same_rule():
    assert (
        scrub("NIK 3319 0141 0190 0001 in 0.0846543070000242 s")
        == "NIK ************0001 in 0.0846543070000242 s"
    )


def test_what_the_pattern_finds_is_what_the_intake_form_reads_as_the_same_nik():
    for written in ("331901 410190 0001", "33.19.01.410190.0001", "3319-0141-0190-0001"):
        (found,) = find_nik_like(written)
        assert found == normalize(written) == parse_nik(written).number


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 .-,x\n", max_size=60))
def test_masking_leaves_no_nik_like_number_behind_and_touches_nothing_else(text):
    masked = mask_nik_like(text)
    assert NIK_LIKE_PATTERN.search(masked) is None
    if not find_nik_like(text):
        assert masked == text
