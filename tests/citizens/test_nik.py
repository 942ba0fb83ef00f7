"""Structure checks for NIK and KK numbers (citizens.nik): no database, no Django."""

import calendar
import dataclasses
import datetime as dt
import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizens import regions
from citizens.nik import (
    BIRTH_DATE_MISMATCH_WARNING,
    KK_DATE_WARNING,
    REGION_WARNING,
    InvalidNumber,
    KkInfo,
    NikInfo,
    mask,
    mask_last4,
    normalize,
    parse_kk,
    parse_nik,
)

FAST = settings(max_examples=100, deadline=None)

KUDUS_KALIWUNGU = "331901"
TODAY = dt.date(2025, 6, 30)

NIK_MESSAGES = {
    "format": "NIK harus terdiri dari 16 digit angka.",
    "province": "Kode provinsi tidak dikenal.",
    "region": "Kode kabupaten/kota atau kecamatan pada NIK tidak valid.",
    "birth_date": "Tanggal lahir pada NIK tidak valid.",
    "serial": "Nomor urut NIK tidak boleh 0000.",
}
KK_MESSAGES = {
    "format": "Nomor KK harus terdiri dari 16 digit angka.",
    "province": "Kode provinsi pada Nomor KK tidak dikenal.",
    "region": "Kode kabupaten/kota atau kecamatan pada Nomor KK tidak valid.",
    "serial": "Nomor urut KK tidak boleh 0000.",
}
SEPARATORS = [
    " ",
    "  ",
    ".",
    "-",
    "\t",
    "\n",
    "\r\n",
    "\u00a0",
    "\u200b",
    "\u2013",
    "\u2011",
    "\u3000",
    "\ufeff",  # NBSP ZWSP en-dash nb-hyphen ideo BOM
]


def make_number(region=KUDUS_KALIWUNGU, day="01", month="01", year="90", serial="0001"):
    """Return a 16-digit string from its parts (the NIK and KK layouts are the same)."""
    return f"{region}{day}{month}{year}{serial}"


def nik_error(text):
    with pytest.raises(InvalidNumber) as caught:
        parse_nik(text)
    return caught.value


def kk_error(text, today=TODAY):
    with pytest.raises(InvalidNumber) as caught:
        parse_kk(text, today=today)
    return caught.value


# --- NIK: accepted input --------------------------------------------------------------------------


def test_a_plain_nik_from_kudus_parses_into_its_parts():
    info = parse_nik("3319014101900001")

    assert info == NikInfo(
        number="3319014101900001",
        region_code="33.19.01",
        province_name="Jawa Tengah",
        regency_name="Kabupaten Kudus",
        district_name="Kaliwungu",
        sex="P",
        birth_day=1,
        birth_month=1,
        birth_year_2d=90,
        serial="0001",
        warnings=(),
    )


@pytest.mark.parametrize(
    "text",
    [
        "3319 0141 0190 0001",
        "331901 410190 0001",
        "33.19.01.410190.0001",
        "3319-0141-0190-0001",
        "  3319014101900001  ",
        "\u00a03319014101900001\u00a0",
        "3319\u200b0141\u200b0190\u200b0001",
        "\t3319014101900001\n",
        "3319\r\n0141\r\n0190\r\n0001",
        "3319\u20130141\u20130190\u20130001",
        "3319\u20110141\u20110190\u20110001",
        "\ufeff3319014101900001",
        "3\u30003\u30001\u30009 0 1 4 1 0 1 9 0 0 0 0 1",
        "33..19--01  41.01.90 - 0001",
    ],
)
def test_spaces_dots_dashes_and_unicode_whitespace_around_digits_are_ignored(text):
    assert parse_nik(text).number == "3319014101900001"


@pytest.mark.parametrize(
    ("day", "sex", "birth_day"),
    [("01", "L", 1), ("31", "L", 31), ("41", "P", 1), ("71", "P", 31), ("55", "P", 15)],
)
def test_forty_added_to_the_day_marks_a_woman_and_is_removed_from_the_birth_day(day, sex, birth_day):
    info = parse_nik(make_number(day=day))

    assert (info.sex, info.birth_day) == (sex, birth_day)


@pytest.mark.parametrize("month", ["01", "12"])
def test_months_01_and_12_are_accepted(month):
    assert parse_nik(make_number(month=month)).birth_month == int(month)


@pytest.mark.parametrize("year", ["00", "04", "96", "24"])
def test_29_february_is_accepted_when_the_year_is_divisible_by_four(year):
    assert parse_nik(make_number(day="29", month="02", year=year)).birth_day == 29


@pytest.mark.parametrize("year", ["00", "96"])
def test_29_february_for_a_woman_is_day_69_and_accepted_in_a_leap_year(year):
    info = parse_nik(make_number(day="69", month="02", year=year))

    assert (info.sex, info.birth_day, info.birth_month) == ("P", 29, 2)


def test_30_april_is_accepted():
    assert parse_nik(make_number(day="30", month="04")).birth_day == 30


def test_the_two_digit_year_is_kept_without_guessing_the_century():
    assert parse_nik(make_number(year="05")).birth_year_2d == 5
    assert parse_nik(make_number(year="99")).birth_year_2d == 99


@pytest.mark.parametrize(
    "day,year,expected",
    [
        ("01", "90", dt.date(1990, 1, 1)),
        ("41", "05", dt.date(2005, 1, 1)),  # a woman; 2005 is past
        ("01", "25", dt.date(2025, 1, 1)),  # this year, before today
        ("01", "26", dt.date(1926, 1, 1)),  # 2026 would be in the future
    ],
)
def test_the_likely_birth_date_is_the_latest_century_not_after_today(day, year, expected):
    assert parse_nik(make_number(day=day, month="01", year=year)).likely_birth_date(TODAY) == expected


def test_the_likely_birth_date_of_29_february_00_is_2000_and_never_1900():
    info = parse_nik(make_number(day="29", month="02", year="00"))
    assert info.likely_birth_date(TODAY) == dt.date(2000, 2, 29)
    assert info.likely_birth_date(dt.date(1999, 12, 31)) is None  # 1900 was no leap year


def test_every_message_is_a_plain_indonesian_string_for_the_django_layer_to_translate():
    import citizens.nik as nik

    texts = [value for name, value in vars(nik).items() if name.endswith(("_MESSAGE", "_WARNING"))]
    assert len(texts) == 13 and all(type(text) is str for text in texts)
    source = open(nik.__file__, encoding="utf-8").read()
    assert "import django" not in source and "from django" not in source


@pytest.mark.parametrize("serial", ["0001", "0010", "9999"])
def test_any_serial_from_0001_is_accepted_and_kept_as_four_digits(serial):
    assert parse_nik(make_number(serial=serial)).serial == serial


@pytest.mark.parametrize("province", sorted(regions.province_codes()))
def test_every_current_province_code_is_accepted(province):
    assert parse_nik(make_number(region=f"{province}0101")).region_code == f"{province}.01.01"


# --- NIK: rejections ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u200b",
        "331901410190000",  # 15 digits
        "33190141019000012",  # 17 digits
        "3319 0141 0190 001",
        "331901410190000O",  # letter O for zero
        "3319014101900001x",
        "NIK 3319014101900001",
        "+3319014101900001",
        "3319/0141/0190/0001",
        "3319_0141_0190_0001",
        "3319,0141,0190,0001",
        "３３１９０１４１０１９０００１",  # full-width digits
        "٣٣١٩٠١٤١٠١٩٠٠٠١",  # Arabic-Indic digits
        "३३१९०१४१०१९०००१",  # Devanagari digits
        "331901410190000\u00b9",  # superscript one: str.isdigit() says True
        "331901410190000\U0001d7cf",  # mathematical bold one
    ],
)
def test_anything_but_sixteen_ascii_digits_is_a_format_error(text):
    error = nik_error(text)

    assert (error.code, error.message) == ("format", NIK_MESSAGES["format"])


@pytest.mark.parametrize("value", [None, 3319014101900001, b"3319014101900001", ["3319014101900001"], 3.3])
def test_a_value_that_is_not_a_string_is_a_format_error(value):
    assert nik_error(value).code == "format"


@pytest.mark.parametrize("province", ["00", "10", "20", "54", "97", "99"])
def test_an_unknown_province_is_rejected(province):
    error = nik_error(make_number(region=f"{province}0101"))

    assert (error.code, error.message) == ("province", NIK_MESSAGES["province"])


@pytest.mark.parametrize("region", ["330001", "331900", "330000"])
def test_00_as_regency_or_district_is_rejected(region):
    error = nik_error(make_number(region=region))

    assert (error.code, error.message) == ("region", NIK_MESSAGES["region"])


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("00", "01", "90"),  # day 00
        ("32", "01", "90"),  # just past 31
        ("40", "01", "90"),  # 40 alone is neither a man's nor a woman's day
        ("72", "01", "90"),  # just past 71
        ("99", "01", "90"),
        ("01", "00", "90"),  # month 00
        ("01", "13", "90"),  # month 13
        ("01", "99", "90"),
        ("31", "04", "90"),  # 31 April
        ("71", "04", "90"),  # 31 April for a woman
        ("31", "06", "90"),
        ("31", "09", "90"),
        ("31", "11", "90"),
        ("29", "02", "01"),  # 29 February, YY not divisible by 4
        ("29", "02", "90"),
        ("29", "02", "99"),
        ("69", "02", "01"),  # the same for a woman
        ("30", "02", "00"),  # 30 February even in a leap year
        ("70", "02", "00"),
    ],
)
def test_an_impossible_birth_date_is_rejected(day, month, year):
    error = nik_error(make_number(day=day, month=month, year=year))

    assert (error.code, error.message) == ("birth_date", NIK_MESSAGES["birth_date"])


def test_serial_0000_is_rejected():
    error = nik_error(make_number(serial="0000"))

    assert (error.code, error.message) == ("serial", NIK_MESSAGES["serial"])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0000000000000000", "province"),
        ("3300000000000000", "region"),
        ("3319010000000000", "birth_date"),
        ("3319010101900000", "serial"),
    ],
)
def test_the_first_impossible_part_from_the_left_decides_the_error_code(text, code):
    assert nik_error(text).code == code


# --- NIK: warnings --------------------------------------------------------------------------------


def test_a_nik_with_a_listed_district_has_no_warnings():
    assert parse_nik(make_number()).warnings == ()


def test_an_unlisted_district_in_a_listed_regency_is_accepted_with_a_warning():
    info = parse_nik(make_number(region="331910"))

    assert info.warnings == (REGION_WARNING,)
    assert REGION_WARNING == (
        "Kode wilayah tidak ada di data Kemendagri terbaru (mungkin kode lama sebelum pemekaran)."
    )
    assert info.province_name == "Jawa Tengah"
    assert info.regency_name == "Kabupaten Kudus"
    assert info.district_name is None


def test_a_pre_split_papua_code_is_accepted_with_a_warning():
    # Merauke was 91.01 in Papua before it became 93.01 in Papua Selatan; old NIKs keep 9101.
    info = parse_nik(make_number(region="910101"))

    assert info.warnings == (REGION_WARNING,)
    assert (info.province_name, info.regency_name, info.district_name) == ("Papua", None, None)


# --- NIK: helpers ---------------------------------------------------------------------------------


def test_formatted_groups_region_date_and_serial():
    assert parse_nik("3319014101900001").formatted == "331901 410190 0001"


def test_the_formatted_number_parses_back_to_the_same_nik():
    info = parse_nik("3319014101900001")

    assert parse_nik(info.formatted) == info


@pytest.mark.parametrize(
    "birth_date", [dt.date(1990, 1, 1), dt.date(2090, 1, 1), dt.datetime(1990, 1, 1, 8, 30)]
)
def test_birth_date_matches_compares_day_month_and_two_digit_year_only(birth_date):
    assert parse_nik("3319014101900001").birth_date_matches(birth_date)


@pytest.mark.parametrize("birth_date", [dt.date(1990, 1, 2), dt.date(1990, 2, 1), dt.date(1991, 1, 1)])
def test_birth_date_matches_is_false_when_any_part_differs(birth_date):
    assert not parse_nik("3319014101900001").birth_date_matches(birth_date)


def test_a_birth_date_differing_from_the_documents_is_only_a_warning():
    info = parse_nik("3319014101900001")

    assert info.birth_date_warnings(dt.date(1990, 7, 1)) == (
        "Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi.",
    )
    assert BIRTH_DATE_MISMATCH_WARNING in info.birth_date_warnings(dt.date(1989, 1, 1))
    assert info.birth_date_warnings(dt.date(1990, 1, 1)) == ()


def test_nik_info_is_frozen():
    info = parse_nik("3319014101900001")

    with pytest.raises(dataclasses.FrozenInstanceError):
        info.serial = "0002"


def test_the_repr_of_a_parsed_nik_shows_only_the_masked_number():
    info = parse_nik("3319014101900001")

    assert repr(info) == "NikInfo('************0001')"
    assert "331901" not in repr(info) and "410190" not in repr(info)


def test_masked_shows_only_the_last_four_digits():
    assert parse_nik("3319014101900001").masked == "************0001"


# --- KK numbers -----------------------------------------------------------------------------------


def test_a_kk_number_parses_into_issuing_region_recording_date_and_serial():
    info = parse_kk("3319 0115 0624 0007", today=TODAY)

    assert info == KkInfo(
        number="3319011506240007",
        region_code="33.19.01",
        province_name="Jawa Tengah",
        regency_name="Kabupaten Kudus",
        district_name="Kaliwungu",
        recorded_day=15,
        recorded_month=6,
        recorded_year_2d=24,
        serial="0007",
        warnings=(),
    )


@pytest.mark.parametrize(
    "text",
    ["", "331901150624000", "33190115062400071", "３３１９０１１５０６２４０００７", None, 3319011506240007],
)
def test_a_kk_number_that_is_not_sixteen_ascii_digits_is_a_format_error(text):
    error = kk_error(text)

    assert (error.code, error.message) == ("format", KK_MESSAGES["format"])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("9901011506240001", "province"),
        ("0001011506240001", "province"),
        ("3300011506240001", "region"),
        ("3319001506240001", "region"),
        ("3319011506240000", "serial"),
    ],
)
def test_a_kk_number_with_an_impossible_part_is_rejected_with_its_own_message(text, code):
    error = kk_error(text)

    assert (error.code, error.message) == (code, KK_MESSAGES[code])


@pytest.mark.parametrize(
    "date_digits",
    [
        "000000",
        "999999",
        "320124",  # day 32
        "410124",  # no +40 on a KK
        "011324",  # month 13
        "310424",  # 31 April
        "290223",  # 29 February, 2023
        "010725",  # 1 July 2025, the day after TODAY
        "311298",  # read as 2098: an old pre-2000 card
    ],
)
def test_an_impossible_or_future_recording_date_is_only_a_warning(date_digits):
    day, month, year = date_digits[:2], date_digits[2:4], date_digits[4:]
    info = parse_kk(make_number(day=day, month=month, year=year), today=TODAY)

    assert info.warnings == (KK_DATE_WARNING,)
    assert KK_DATE_WARNING == "Tanggal pada Nomor KK tidak wajar (mungkin KK lama)."
    assert (info.recorded_day, info.recorded_month, info.recorded_year_2d) == (None, None, None)


@pytest.mark.parametrize("date_digits", ["300625", "290224", "010100", "290200"])
def test_a_recording_date_up_to_today_has_no_warning(date_digits):
    day, month, year = date_digits[:2], date_digits[2:4], date_digits[4:]
    info = parse_kk(make_number(day=day, month=month, year=year), today=TODAY)

    assert info.warnings == ()
    assert (info.recorded_day, info.recorded_month) == (int(day), int(month))
    assert info.recorded_year_2d == int(year)


def test_today_may_be_a_datetime():
    assert parse_kk("3319013006250001", today=dt.datetime(2025, 6, 30, 23, 59)).warnings == ()


def test_today_defaults_to_the_system_date():
    assert parse_kk("3319013112990001").warnings == (KK_DATE_WARNING,)
    assert parse_kk("3319010101000001").warnings == ()


def test_a_kk_with_an_unlisted_region_and_an_odd_date_carries_both_warnings():
    info = parse_kk("9101019999990001", today=TODAY)

    assert info.warnings == (REGION_WARNING, KK_DATE_WARNING)


def test_a_kk_number_is_formatted_masked_and_hidden_in_repr_like_a_nik():
    info = parse_kk("3319011506240007", today=TODAY)

    assert info.formatted == "331901 150624 0007"
    assert parse_kk(info.formatted, today=TODAY) == info
    assert info.masked == "************0007"
    assert repr(info) == "KkInfo('************0007')"


# --- normalize, mask and the error type -----------------------------------------------------------


def test_normalize_returns_the_sixteen_digits():
    assert normalize(" 3319.0141-0190\u00a00001 ") == "3319014101900001"


@pytest.mark.parametrize("text", ["", "123", "３３１９０１４１０１９０００１", None])
def test_normalize_rejects_anything_else_with_a_generic_format_message(text):
    with pytest.raises(InvalidNumber) as caught:
        normalize(text)

    assert (caught.value.code, caught.value.message) == ("format", "Nomor harus terdiri dari 16 digit angka.")


@pytest.mark.parametrize("text", ["3319014101900001", "3319 0141 0190 0001", "331901 410190 0001"])
def test_mask_shows_twelve_asterisks_and_the_last_four_digits(text):
    assert mask(text) == "************0001"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("", ""),
        ("123", "***"),
        ("12345", "****5"),
        ("12345678", "******78"),
        ("331901410190000", "************000"),
        ("33190141019000012", "*************0012"),
        ("abcdefghijklmnopqrstuvwxyz", "**********************wxyz"),
    ],
)
def test_mask_of_other_text_keeps_its_length_and_shows_at_most_four_trailing_characters(text, masked):
    assert mask(text) == masked


def test_mask_of_none_is_empty():
    assert mask(None) == ""


@pytest.mark.parametrize(
    ("last4", "masked"),
    [
        ("0001", "************0001"),
        ("1", "***************1"),
        ("", "****************"),
        ("123456", "************3456"),
    ],
)
def test_mask_last4_builds_a_sixteen_character_mask_from_stored_last_digits(last4, masked):
    assert mask_last4(last4) == masked


def test_invalid_number_is_a_value_error_whose_str_is_the_message():
    error = nik_error("123")

    assert isinstance(error, ValueError)
    assert str(error) == error.message == NIK_MESSAGES["format"]


def test_invalid_number_survives_pickling_with_its_code_and_message():
    error = pickle.loads(pickle.dumps(nik_error("3319010101900000")))

    assert (error.code, error.message) == ("serial", NIK_MESSAGES["serial"])


# --- properties -----------------------------------------------------------------------------------

DISTRICT_CODES = sorted(r.code.replace(".", "") for r in regions.iter_regions() if r.level == 3)
KNOWN_MESSAGES = set(NIK_MESSAGES.values()) | set(KK_MESSAGES.values())


@st.composite
def region_codes(draw):
    """Draw a listed district or, often, an unlisted but structurally valid 6-digit code."""
    if draw(st.booleans()):
        return draw(st.sampled_from(DISTRICT_CODES))
    province = draw(st.sampled_from(sorted(regions.province_codes())))
    regency, district = draw(st.integers(1, 99)), draw(st.integers(1, 99))
    return f"{province}{regency:02d}{district:02d}"


@st.composite
def valid_niks(draw):
    """Draw (nik, expected fields) for a structurally valid NIK."""
    region = draw(region_codes())
    year_2d, month = draw(st.integers(0, 99)), draw(st.integers(1, 12))
    day = draw(st.integers(1, calendar.monthrange(2000 + year_2d, month)[1]))
    sex = draw(st.sampled_from("LP"))
    serial = f"{draw(st.integers(1, 9999)):04d}"
    encoded_day = day + 40 if sex == "P" else day
    number = f"{region}{encoded_day:02d}{month:02d}{year_2d:02d}{serial}"
    return number, {
        "sex": sex,
        "birth_day": day,
        "birth_month": month,
        "birth_year_2d": year_2d,
        "serial": serial,
        "region_code": f"{region[:2]}.{region[2:4]}.{region[4:]}",
    }


@st.composite
def valid_kks(draw):
    """Draw (kk number, expected fields) for a KK recorded on or before TODAY."""
    region = draw(region_codes())
    recorded = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=TODAY))
    serial = f"{draw(st.integers(1, 9999)):04d}"
    number = f"{region}{recorded:%d%m%y}{serial}"
    return number, {
        "recorded_day": recorded.day,
        "recorded_month": recorded.month,
        "recorded_year_2d": recorded.year % 100,
        "serial": serial,
    }


separator_insertions = st.lists(st.tuples(st.integers(0, 16), st.sampled_from(SEPARATORS)), max_size=8)


def insert_separators(number, insertions):
    """Return ``number`` with each (position, separator) inserted, positions counted in digits."""
    gaps = [""] * (len(number) + 1)
    for position, separator in insertions:
        gaps[position] += separator
    return "".join(gap + digit for gap, digit in zip(gaps, number)) + gaps[-1]


def check_raises_only_invalid_number(parse, text):
    try:
        parse(text)
    except InvalidNumber as error:
        assert error.message in KNOWN_MESSAGES
        assert not re.search(r"\d{3}", error.message)


@FAST
@given(st.text())
def test_parse_nik_raises_nothing_but_invalid_number_on_any_text(text):
    check_raises_only_invalid_number(parse_nik, text)


@FAST
@given(st.text(alphabet="0123456789 .-\u00a0\u200b٣３", min_size=14, max_size=20))
def test_parse_nik_raises_nothing_but_invalid_number_on_digit_heavy_text(text):
    check_raises_only_invalid_number(parse_nik, text)


@FAST
@given(st.text() | st.text(alphabet="0123456789 .-", min_size=14, max_size=20))
def test_parse_kk_raises_nothing_but_invalid_number_on_any_text(text):
    check_raises_only_invalid_number(lambda value: parse_kk(value, today=TODAY), text)


@FAST
@given(st.none() | st.integers() | st.floats() | st.binary() | st.lists(st.text(), max_size=2))
def test_values_that_are_not_strings_are_always_format_errors(value):
    for parse in (parse_nik, parse_kk, normalize):
        with pytest.raises(InvalidNumber) as caught:
            parse(value)
        assert caught.value.code == "format"


@FAST
@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_an_error_message_never_contains_the_number(number):
    for parse in (parse_nik, lambda value: parse_kk(value, today=TODAY)):
        try:
            parse(number)
        except InvalidNumber as error:
            assert number not in str(error) and number not in repr(error)
            assert error.message in KNOWN_MESSAGES


@FAST
@given(valid_niks())
def test_a_structurally_valid_nik_is_accepted_and_its_fields_round_trip(case):
    number, expected = case
    info = parse_nik(number)

    assert info.number == number
    assert {name: getattr(info, name) for name in expected} == expected
    assert info.warnings == (() if regions.is_known(info.region_code) else (REGION_WARNING,))


@FAST
@given(valid_niks())
def test_the_formatted_nik_parses_back_to_the_same_number(case):
    info = parse_nik(case[0])

    assert parse_nik(info.formatted) == info


@FAST
@given(valid_niks(), separator_insertions)
def test_inserting_separators_never_changes_the_parsed_nik(case, insertions):
    number, _ = case

    assert parse_nik(insert_separators(number, insertions)) == parse_nik(number)


@FAST
@given(st.text(alphabet="0123456789", min_size=16, max_size=16), separator_insertions)
def test_inserting_separators_never_changes_an_error(number, insertions):
    def outcome(text):
        try:
            return parse_nik(text)
        except InvalidNumber as error:
            return error.code

    assert outcome(insert_separators(number, insertions)) == outcome(number)


@FAST
@given(valid_kks(), separator_insertions)
def test_a_kk_recorded_up_to_today_is_accepted_and_its_fields_round_trip(case, insertions):
    number, expected = case
    info = parse_kk(insert_separators(number, insertions), today=TODAY)

    assert info.number == number
    assert {name: getattr(info, name) for name in expected} == expected
    assert KK_DATE_WARNING not in info.warnings
    assert parse_kk(info.formatted, today=TODAY) == info


def is_number(text):
    try:
        normalize(text)
    except InvalidNumber:
        return False
    return True


@FAST
@given(st.text(st.characters(codec="utf-8"), max_size=40) | st.text("0123456789 -", max_size=20))
def test_mask_never_shows_more_than_four_characters_nor_a_quarter_of_the_text(text):
    masked, size = mask(text), len(text)

    if is_number(text):
        assert masked == "*" * 12 + normalize(text)[-4:]
    else:
        allowed = range(min(4, size // 4) + 1)
        assert any(masked == "*" * (size - shown) + text[size - shown :] for shown in allowed)
