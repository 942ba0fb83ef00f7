"""Parse and check NIK and KK numbers by their structure (pure Python, no Django).

NIK:       PP KK CC DDMMYY SSSS  region of first registration, birth date (+40 on the day for
           women), serial from 0001.
KK number: PP KK CC DDMMYY SSSS  issuing region, recording date (no +40), serial from 0001.

Neither has a check digit, so these checks only reject numbers that cannot exist; only the centre
can say a number is registered. Impossible numbers raise ``InvalidNumber``; doubtful but possible
ones (a region code gone after a regency split, an old KK without a date) parse with warnings.

Input may contain spaces, dots, dashes and any Unicode whitespace or zero-width character between
the digits. ``formatted`` groups a number by its structure as "331901 410190 0001" (region, date,
serial), which parses back to the same number.

Personal data: error messages never contain the number, and ``repr`` shows only the masked number.

Messages are Indonesian msgids marked for ``makemessages``; the Django layer translates them for
people (``citizens.numbers``), so this module stays free of Django.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from citizens import regions

LENGTH = 16
DIGITS = "0123456789"
FEMALE_DAY_OFFSET = 40


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (makemessages knows this name)."""
    return message


ErrorCode = Literal["format", "province", "region", "birth_date", "serial"]
Sex = Literal["L", "P"]

FORMAT_MESSAGE = gettext_noop("Nomor harus terdiri dari 16 digit angka.")
NIK_FORMAT_MESSAGE = gettext_noop("NIK harus terdiri dari 16 digit angka.")
NIK_PROVINCE_MESSAGE = gettext_noop("Kode provinsi tidak dikenal.")
NIK_REGION_MESSAGE = gettext_noop("Kode kabupaten/kota atau kecamatan pada NIK tidak valid.")
NIK_BIRTH_DATE_MESSAGE = gettext_noop("Tanggal lahir pada NIK tidak valid.")
NIK_SERIAL_MESSAGE = gettext_noop("Nomor urut NIK tidak boleh 0000.")
KK_FORMAT_MESSAGE = gettext_noop("Nomor KK harus terdiri dari 16 digit angka.")
KK_PROVINCE_MESSAGE = gettext_noop("Kode provinsi pada Nomor KK tidak dikenal.")
KK_REGION_MESSAGE = gettext_noop("Kode kabupaten/kota atau kecamatan pada Nomor KK tidak valid.")
KK_SERIAL_MESSAGE = gettext_noop("Nomor urut KK tidak boleh 0000.")

REGION_WARNING = gettext_noop(
    "Kode wilayah tidak ada di data Kemendagri terbaru (mungkin kode lama sebelum pemekaran)."
)
BIRTH_DATE_MISMATCH_WARNING = gettext_noop("Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi.")
KK_DATE_WARNING = gettext_noop("Tanggal pada Nomor KK tidak wajar (mungkin KK lama).")

# Dashes and zero-width characters that copying from PDFs, chat apps and word processors leaves
# between digits; str.isspace() covers the rest (NBSP, tabs, newlines, ideographic space...).
_SEPARATORS = frozenset(
    ".-"
    "\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, non-breaking hyphen, figure/en/em dash, minus
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner, word joiner, BOM
)


class InvalidNumber(ValueError):
    """A NIK or KK number that cannot exist, with a code for programs and a message for people.

    ``code`` is one of "format", "province", "region", "birth_date", "serial"; ``message`` is
    Indonesian, for the counter clerk, and never contains the number. ``str(exc)`` is the message.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        # Keeps the exception picklable (Celery results) despite the two-argument constructor.
        return type(self), (self.code, self.message)


@dataclass(frozen=True, repr=False)
class NikInfo:
    """The parts of a structurally valid NIK.

    ``birth_day`` is the real day (the +40 removed); the century of ``birth_year_2d`` is not
    encoded, so it is not guessed. Region names are None when the current list lacks the code.
    """

    number: str
    region_code: str
    province_name: str
    regency_name: str | None
    district_name: str | None
    sex: Sex
    birth_day: int
    birth_month: int
    birth_year_2d: int
    serial: str
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"NikInfo({self.masked!r})"

    @property
    def formatted(self) -> str:
        """Return the number grouped as region, date, serial: "331901 410190 0001"."""
        return _group(self.number)

    @property
    def masked(self) -> str:
        """Return the number with all but the last four digits hidden."""
        return mask(self.number)

    def birth_date_matches(self, birth_date: dt.date) -> bool:
        """Return whether a date has the NIK's day, month and two-digit year."""
        return (birth_date.day, birth_date.month, birth_date.year % 100) == (
            self.birth_day,
            self.birth_month,
            self.birth_year_2d,
        )

    def birth_date_warnings(self, birth_date: dt.date) -> tuple[str, ...]:
        """Return a warning when the birth date from the documents differs from the NIK's.

        A NIK is never reissued after a birth-date correction, so a difference is no error.
        """
        return () if self.birth_date_matches(birth_date) else (BIRTH_DATE_MISMATCH_WARNING,)

    def likely_birth_date(self, today: dt.date) -> dt.date | None:
        """Return the NIK's birth date in the latest century that puts it on or before ``today``.

        Only a suggestion for an empty field (the century is not encoded); None when even the
        1900s give no such date (29 February of year 00 read as 1900).
        """
        for century in (2000, 1900):
            try:
                date = dt.date(century + self.birth_year_2d, self.birth_month, self.birth_day)
            except ValueError:
                continue
            if date <= today:
                return date
        return None


@dataclass(frozen=True, repr=False)
class KkInfo:
    """The parts of a structurally valid KK number.

    The recording date fields are None when the digits are no plausible recording date (an
    impossible or future date, read as 20YY); such a number carries ``KK_DATE_WARNING``.
    """

    number: str
    region_code: str
    province_name: str
    regency_name: str | None
    district_name: str | None
    recorded_day: int | None
    recorded_month: int | None
    recorded_year_2d: int | None
    serial: str
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"KkInfo({self.masked!r})"

    @property
    def formatted(self) -> str:
        """Return the number grouped as region, date, serial: "331901 150624 0001"."""
        return _group(self.number)

    @property
    def masked(self) -> str:
        """Return the number with all but the last four digits hidden."""
        return mask(self.number)


def normalize(text: str) -> str:
    """Return the 16 digits of a NIK or KK number, separators removed.

    Raise ``InvalidNumber`` (code "format") when ``text`` is not a string of exactly 16 ASCII
    digits once separators are removed.
    """
    digits = _sixteen_digits(text)
    if digits is None:
        raise InvalidNumber("format", FORMAT_MESSAGE)
    return digits


def parse_nik(text: str) -> NikInfo:
    """Parse a NIK, raising ``InvalidNumber`` when it cannot exist."""
    number = _sixteen_digits(text)
    if number is None:
        raise InvalidNumber("format", NIK_FORMAT_MESSAGE)
    region_code = _checked_region(number, NIK_PROVINCE_MESSAGE, NIK_REGION_MESSAGE)
    sex, day, month, year_2d = _birth_fields(number)
    serial = _checked_serial(number, NIK_SERIAL_MESSAGE)
    province_name, regency_name, district_name = _region_names(region_code)
    return NikInfo(
        number=number,
        region_code=region_code,
        province_name=province_name,
        regency_name=regency_name,
        district_name=district_name,
        sex=sex,
        birth_day=day,
        birth_month=month,
        birth_year_2d=year_2d,
        serial=serial,
        warnings=_region_warnings(region_code),
    )


def parse_kk(text: str, *, today: dt.date | None = None) -> KkInfo:
    """Parse a KK number, raising ``InvalidNumber`` when it cannot exist.

    ``today`` (default: the system date) bounds the recording date; a date after it, or no date
    at all, is only a warning because old pre-SIAK cards do not follow the pattern.
    """
    number = _sixteen_digits(text)
    if number is None:
        raise InvalidNumber("format", KK_FORMAT_MESSAGE)
    region_code = _checked_region(number, KK_PROVINCE_MESSAGE, KK_REGION_MESSAGE)
    serial = _checked_serial(number, KK_SERIAL_MESSAGE)
    recorded = _recording_date(number, today or dt.date.today())
    province_name, regency_name, district_name = _region_names(region_code)
    date_warnings = () if recorded else (KK_DATE_WARNING,)
    day, month, year_2d = recorded or (None, None, None)
    return KkInfo(
        number=number,
        region_code=region_code,
        province_name=province_name,
        regency_name=regency_name,
        district_name=district_name,
        recorded_day=day,
        recorded_month=month,
        recorded_year_2d=year_2d,
        serial=serial,
        warnings=_region_warnings(region_code) + date_warnings,
    )


def mask(number: str | None) -> str:
    """Return a number with every character hidden but the last four: "************0001".

    A 16-digit number (separators allowed) gives 12 asterisks and its last four digits. Anything
    else keeps its length and shows at most its last four characters and at most a quarter of it,
    so a short fragment is never shown whole. None gives "".
    """
    if number is None:
        return ""
    text = str(number)
    digits = _sixteen_digits(text)
    if digits is not None:
        return mask_last4(digits[-4:])
    shown = min(4, len(text) // 4)
    return "*" * (len(text) - shown) + text[len(text) - shown :]


def mask_last4(last4: str) -> str:
    """Return the 16-character mask of a number known only by its last four digits."""
    tail = last4[-4:]
    return "*" * (LENGTH - len(tail)) + tail


def _sixteen_digits(text: object) -> str | None:
    """Return the 16 ASCII digits of ``text`` without separators, or None if it has other content."""
    if not isinstance(text, str):
        return None
    kept = [char for char in text if not (char in _SEPARATORS or char.isspace())]
    if len(kept) != LENGTH or any(char not in DIGITS for char in kept):
        return None
    return "".join(kept)


def _group(number: str) -> str:
    """Return 16 digits as region, date and serial separated by spaces: "331901 410190 0001"."""
    return f"{number[0:6]} {number[6:12]} {number[12:16]}"


def _checked_region(number: str, province_message: str, region_message: str) -> str:
    """Return the dotted region code of a number, raising when the province or a part is impossible."""
    province, regency, district = number[0:2], number[2:4], number[4:6]
    if province not in regions.province_codes():
        raise InvalidNumber("province", province_message)
    if regency == "00" or district == "00":
        raise InvalidNumber("region", region_message)
    return f"{province}.{regency}.{district}"


def _checked_serial(number: str, message: str) -> str:
    """Return the four-digit serial, raising when it is 0000."""
    serial = number[12:16]
    if serial == "0000":
        raise InvalidNumber("serial", message)
    return serial


def _birth_fields(number: str) -> tuple[Sex, int, int, int]:
    """Return (sex, day, month, two-digit year) from a NIK, raising when no such date exists."""
    encoded_day, month, year_2d = _date_digits(number)
    female = encoded_day > FEMALE_DAY_OFFSET
    day = encoded_day - FEMALE_DAY_OFFSET if female else encoded_day
    if not _is_calendar_date(day, month, year_2d):
        raise InvalidNumber("birth_date", NIK_BIRTH_DATE_MESSAGE)
    return ("P" if female else "L"), day, month, year_2d


def _recording_date(number: str, today: dt.date) -> tuple[int, int, int] | None:
    """Return (day, month, two-digit year) of a KK, or None when it is impossible or after today."""
    day, month, year_2d = _date_digits(number)
    if not _is_calendar_date(day, month, year_2d):
        return None
    if isinstance(today, dt.datetime):
        today = today.date()
    # SIAK issues KK numbers since the 2000s; a pre-2000 date reads as future, i.e. an old card.
    if dt.date(2000 + year_2d, month, day) > today:
        return None
    return day, month, year_2d


def _date_digits(number: str) -> tuple[int, int, int]:
    """Return the DD, MM and YY digits (positions 7-12) as integers."""
    return int(number[6:8]), int(number[8:10]), int(number[10:12])


def _is_calendar_date(day: int, month: int, year_2d: int) -> bool:
    """Return whether day/month exist in a year ending in ``year_2d``.

    The years 2000-2099 are leap exactly when YY % 4 == 0, the rule a NIK follows (29 Feb in a
    year 00 is allowed), so checking against 20YY is enough.
    """
    try:
        dt.date(2000 + year_2d, month, day)
    except ValueError:
        return False
    return True


def _region_names(region_code: str) -> tuple[str, str | None, str | None]:
    """Return the province, regency and district names for a dotted district code."""
    province_name = regions.region_name(region_code[:2])
    assert province_name is not None, "province checked before"
    return province_name, regions.region_name(region_code[:5]), regions.region_name(region_code)


def _region_warnings(region_code: str) -> tuple[str, ...]:
    """Return the stale-code warning when the district is missing from the current list."""
    return () if regions.is_known(region_code) else (REGION_WARNING,)


# --- NIK-like numbers in free text ---------------------------------------------------------------
# One answer to "what is a NIK" for every place that must hide one: the same separators that
# normalize() removes, in the groupings people write (16 in a row, 6-6-4 as printed, 4-4-4-4,
# 2-2-2-6-4 as a dotted region code). A longer digit run or a decimal is no NIK.
_FREE_TEXT_SEPARATOR = r"(?:[^\S\r\n]|[" + re.escape("".join(sorted(_SEPARATORS))) + "])"
_GROUPINGS = ((16,), (6, 6, 4), (4, 4, 4, 4), (2, 2, 2, 6, 4))
NIK_LIKE_PATTERN = re.compile(
    r"(?<![0-9])(?:"
    + "|".join(_FREE_TEXT_SEPARATOR.join(f"[0-9]{{{size}}}" for size in sizes) for sizes in _GROUPINGS)
    + r")(?![0-9])"
)
# A point or comma between the 16 digits and a shorter run of digits makes them part of a decimal
# (a task runtime 0.0846543070000242, 3319014101900001,5); beside another 16-digit number it only
# separates a list ("3319014101900001,3319011503260002"), whose numbers are NIKs.
_DECIMAL_BEFORE = re.compile(r"(?<![0-9])[0-9]{1,15}[.,]\Z")
_DECIMAL_AFTER = re.compile(r"[.,][0-9]{1,15}(?![0-9])")


def _nik_like_matches(text: str):
    for match in NIK_LIKE_PATTERN.finditer(text):
        before = text[max(0, match.start() - 17) : match.start()]
        if _DECIMAL_BEFORE.search(before) or _DECIMAL_AFTER.match(text, match.end()):
            continue
        yield match


def find_nik_like(text: str) -> list[str]:
    """Return the 16 digits of every NIK-like number in ``text`` (structure not checked)."""
    return [_sixteen_digits(match.group(0)) for match in _nik_like_matches(text or "")]


def mask_nik_like(text: str) -> str:
    """Return ``text`` with every NIK-like number masked to its last four digits (free text, logs)."""
    if not text:
        return text
    pieces, last = [], 0
    for match in _nik_like_matches(text):
        pieces += [text[last : match.start()], mask_last4(_sixteen_digits(match.group(0))[-4:])]
        last = match.end()
    return "".join(pieces) + text[last:]


scrub = mask_nik_like  # what the log formatters and stored error texts call it
