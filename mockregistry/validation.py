"""Check the structure of NIK and KK numbers and of the bodies the registry accepts.

Pure Python, no Django: the mock registry keeps its own rules (it stands for the centre, which does
not share code with the offices). Structure checks can only reject impossible numbers; whether a NIK
is registered is for the registry's data to say.

NIK: `PP KK CC DDMMYY SSSS` (women have 40 added to the day). KK: issuing region (6) + recording
date (6) + family serial (4).
"""

from __future__ import annotations

import re
from datetime import date

from mockregistry import documents

PROVINCE_CODES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)

SEXES = ("L", "P")
MAX_NAME_LENGTH = 120
MAX_REFERENCE_LENGTH = 200
MAX_OFFICE_CODE_LENGTH = 32
MAX_IDEMPOTENCY_KEY_LENGTH = 255

REQUIRED = "Wajib diisi."
NOT_TEXT = "Harus berupa teks."
NIK_NOT_16_DIGITS = "NIK harus terdiri dari 16 digit angka."
KK_NOT_16_DIGITS = "Nomor KK harus terdiri dari 16 digit angka."
UNKNOWN_PROVINCE = "Kode provinsi tidak dikenal."
ZERO_REGENCY = "Kode kabupaten/kota tidak boleh 00."
ZERO_DISTRICT = "Kode kecamatan tidak boleh 00."
BAD_NIK_BIRTH_DATE = "Tanggal lahir pada NIK tidak valid."
ZERO_NIK_SERIAL = "Nomor urut NIK tidak boleh 0000."
ZERO_KK_SERIAL = "Nomor urut KK tidak boleh 0000."
NIK_PATH_MISMATCH = "NIK pada URL berbeda dengan NIK pada isi permintaan."
BAD_BIRTH_DATE = "Tanggal lahir harus berformat YYYY-MM-DD."
FUTURE_BIRTH_DATE = "Tanggal lahir tidak boleh di masa depan."
BAD_SEX = "Jenis kelamin harus L atau P."
BAD_NAME = f"Nama lengkap harus 1-{MAX_NAME_LENGTH} karakter tanpa karakter kontrol."
BAD_REGION_CODE = "Kode wilayah harus berformat Kemendagri, mis. 33, 33.19, 33.19.01 atau 33.19.01.2001."
BAD_OFFICE_CODE = (
    f"Kode kantor harus 1-{MAX_OFFICE_CODE_LENGTH} karakter huruf, angka, titik, garis bawah atau strip."
)
BAD_REFERENCE = f"Referensi harus 1-{MAX_REFERENCE_LENGTH} karakter."
BAD_MEMBERS = "Anggota harus berupa daftar NIK (1-30), tanpa NIK yang berulang."
HEAD_NOT_MEMBER = "Kepala keluarga harus termasuk anggota KK."
KK_PATH_MISMATCH = "Nomor KK pada URL berbeda dengan nomor KK pada isi permintaan."
BAD_STATE = "Status harus salah satu dari: active, duplicate, blocked, inactive."
MAX_FAMILY_MEMBERS = 30
KTP_EL_NOT_SEEN = "Kantor harus melihat KTP-el penduduk sebelum mengaktifkan kembali NIK (ktp_el_seen: true)."
STATES = ("active", "duplicate", "blocked", "inactive")
BAD_IDEMPOTENCY_KEY = f"Idempotency-Key harus 1-{MAX_IDEMPOTENCY_KEY_LENGTH} karakter ASCII yang terlihat."

_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")  # not \d: it accepts non-ASCII digits
# Dotted Kemendagri codes (33, 33.19, 33.19.01, 33.19.01.2001), or the same digits undotted.
_REGION_CODE = re.compile(
    r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?"
    r"|[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{4})?)?)?"
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OFFICE_CODE = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_OFFICE_CODE_LENGTH}}}")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_VISIBLE_ASCII = re.compile(rf"[\x21-\x7e]{{1,{MAX_IDEMPOTENCY_KEY_LENGTH}}}")

RESIDENT_FIELDS = ("nik", "kk_number", "full_name", "birth_date", "sex")
UPDATE_FIELDS = RESIDENT_FIELDS + ("region_code", "office_code", "reference")

Errors = dict[str, list[str]]


def nik_errors(value: object) -> list[str]:
    """Return why `value` cannot be a NIK (empty when its structure is possible)."""
    if not isinstance(value, str) or not _SIXTEEN_DIGITS.fullmatch(value):
        return [NIK_NOT_16_DIGITS]
    errors = _region_errors(value[:6])
    if not nik_birth_date_is_possible(value[6:12]):
        errors.append(BAD_NIK_BIRTH_DATE)
    if value[12:] == "0000":
        errors.append(ZERO_NIK_SERIAL)
    return errors


def kk_errors(value: object) -> list[str]:
    """Return why `value` cannot be a KK number (empty when its structure is possible).

    The recording date is not checked: pre-SIAK family cards often break the pattern, and the
    centre still knows them.
    """
    if not isinstance(value, str) or not _SIXTEEN_DIGITS.fullmatch(value):
        return [KK_NOT_16_DIGITS]
    errors = _region_errors(value[:6])
    if value[12:] == "0000":
        errors.append(ZERO_KK_SERIAL)
    return errors


def nik_birth_date_is_possible(ddmmyy: str) -> bool:
    """Tell whether a NIK's DDMMYY block (day +40 for women) can be a real date in some century."""
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    if day > 40:
        day -= 40
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    # The century is not encoded: a leap year is possible whenever YY is divisible by 4 (00 too).
    probe_year = 2000 + year if year % 4 == 0 else 2001
    try:
        date(probe_year, month, day)
    except ValueError:
        return False
    return True


def validate_resident(body: object, *, today: date) -> tuple[dict | None, Errors]:
    """Check a resident record (nik, kk_number, full_name, birth_date, sex; optional region_code).

    Return the cleaned record, or None and the errors by field.
    """
    if not isinstance(body, dict):
        return None, {"body": ["Isi harus berupa objek JSON."]}
    errors: Errors = {}
    clean = _clean_resident_fields(body, errors, today=today)
    if body.get("region_code") not in (None, ""):
        clean["region_code"] = _clean_text(body, "region_code", errors, _region_code_errors)
    else:
        clean["region_code"] = ""
    clean["state"] = body.get("state") or "active"
    if clean["state"] not in STATES:
        errors["state"] = [BAD_STATE]
    return (None, errors) if errors else (clean, {})


def validate_update(path_nik: str, body: object, *, today: date) -> tuple[dict | None, Errors]:
    """Check the body of `PUT /residents/{path_nik}`; return the cleaned payload or the errors."""
    if not isinstance(body, dict):
        return None, {"body": ["Isi harus berupa objek JSON."]}
    errors: Errors = {}
    clean = _clean_resident_fields(body, errors, today=today)
    clean["region_code"] = _clean_text(body, "region_code", errors, _region_code_errors)
    clean["office_code"] = _clean_text(body, "office_code", errors, _office_code_errors)
    clean["reference"] = _clean_text(body, "reference", errors, _reference_errors)
    if "nik" not in errors and clean.get("nik") != path_nik:
        errors["nik"] = [NIK_PATH_MISMATCH]
    if body.get("documents") is not None:  # optional: only a resubmission the centre asked papers for
        clean["documents"] = documents.clean_documents(body["documents"], errors)
    return (None, errors) if errors else (clean, {})


def validate_family(path_kk: str, body: object) -> tuple[dict | None, Errors]:
    """Check the body of `PUT /families/{path_kk}`: kk_number, head_nik, members (NIKs) and the
    office fields; return the cleaned payload or the errors (member errors name the position only)."""
    if not isinstance(body, dict):
        return None, {"body": ["Isi harus berupa objek JSON."]}
    errors: Errors = {}
    clean = {
        "kk_number": _clean_text(body, "kk_number", errors, kk_errors),
        "head_nik": _clean_text(body, "head_nik", errors, nik_errors),
        "members": _clean_members(body.get("members"), errors),
        "office_code": _clean_text(body, "office_code", errors, _office_code_errors),
        "reference": _clean_text(body, "reference", errors, _reference_errors),
    }
    if body.get("region_code") not in (None, ""):
        clean["region_code"] = _clean_text(body, "region_code", errors, _region_code_errors)
    if "kk_number" not in errors and clean["kk_number"] != path_kk:
        errors["kk_number"] = [KK_PATH_MISMATCH]
    if (
        "head_nik" not in errors
        and clean["members"] is not None
        and clean["head_nik"] not in clean["members"]
    ):
        errors["head_nik"] = [HEAD_NOT_MEMBER]
    return (None, errors) if errors else (clean, {})


def validate_family_seed(body: object) -> tuple[dict | None, Errors]:
    """Check a seed family card (kk_number, head_nik, members)."""
    if not isinstance(body, dict):
        return None, {"body": ["Isi harus berupa objek JSON."]}
    errors: Errors = {}
    clean = {
        "kk_number": _clean_text(body, "kk_number", errors, kk_errors),
        "head_nik": _clean_text(body, "head_nik", errors, nik_errors),
        "members": _clean_members(body.get("members"), errors),
    }
    if not errors and clean["head_nik"] not in clean["members"]:
        errors["head_nik"] = [HEAD_NOT_MEMBER]
    return (None, errors) if errors else (clean, {})


def _clean_members(value: object, errors: Errors) -> list[str] | None:
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= MAX_FAMILY_MEMBERS
        or len(set(map(str, value))) != len(value)
    ):
        errors["members"] = [BAD_MEMBERS]
        return None
    problems = {f"members[{i}]": nik_errors(nik) for i, nik in enumerate(value)}
    problems = {name: found for name, found in problems.items() if found}
    if problems:
        errors.update(problems)
        return None
    return list(value)


def reactivation_errors(body: dict) -> Errors:
    """Check a reactivation request: office_code, reference, and `ktp_el_seen: true`."""
    errors: Errors = {}
    _clean_text(body, "office_code", errors, _office_code_errors)
    _clean_text(body, "reference", errors, _reference_errors)
    if body.get("ktp_el_seen") is not True:
        errors["ktp_el_seen"] = [KTP_EL_NOT_SEEN]
    return errors


def idempotency_key_errors(value: str | None) -> list[str]:
    """Return why `value` cannot be an Idempotency-Key header."""
    if value is None or value == "":
        return [REQUIRED]
    return [] if _VISIBLE_ASCII.fullmatch(value) else [BAD_IDEMPOTENCY_KEY]


def _clean_resident_fields(body: dict, errors: Errors, *, today: date) -> dict:
    clean = {
        "nik": _clean_text(body, "nik", errors, nik_errors),
        "kk_number": _clean_text(body, "kk_number", errors, kk_errors),
        "full_name": _clean_text(body, "full_name", errors, _name_errors, strip=True),
        "birth_date": _clean_text(body, "birth_date", errors, lambda v: _birth_date_errors(v, today)),
        "sex": _clean_text(body, "sex", errors, _sex_errors),
    }
    return clean


def _clean_text(body: dict, field: str, errors: Errors, check, *, strip: bool = False) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        errors[field] = [REQUIRED]
        return None
    if not isinstance(value, str):
        errors[field] = [NOT_TEXT]
        return None
    if strip:
        value = " ".join(value.split())
    problems = check(value)
    if problems:
        errors[field] = problems
        return None
    return value


def _region_errors(prefix: str) -> list[str]:
    errors = []
    if prefix[:2] not in PROVINCE_CODES:
        errors.append(UNKNOWN_PROVINCE)
    if prefix[2:4] == "00":
        errors.append(ZERO_REGENCY)
    if prefix[4:6] == "00":
        errors.append(ZERO_DISTRICT)
    return errors


def _name_errors(value: str) -> list[str]:
    if not value or len(value) > MAX_NAME_LENGTH or _CONTROL_CHARS.search(value):
        return [BAD_NAME]
    return []


def _birth_date_errors(value: str, today: date) -> list[str]:
    if not _ISO_DATE.fullmatch(value):
        return [BAD_BIRTH_DATE]
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return [BAD_BIRTH_DATE]
    return [FUTURE_BIRTH_DATE] if born > today else []


def _sex_errors(value: str) -> list[str]:
    return [] if value in SEXES else [BAD_SEX]


def _region_code_errors(value: str) -> list[str]:
    if not _REGION_CODE.fullmatch(value) or value[:2] not in PROVINCE_CODES:
        return [BAD_REGION_CODE]
    return []


def _office_code_errors(value: str) -> list[str]:
    return [] if _OFFICE_CODE.fullmatch(value) else [BAD_OFFICE_CODE]


def _reference_errors(value: str) -> list[str]:
    if len(value) > MAX_REFERENCE_LENGTH or _CONTROL_CHARS.search(value):
        return [BAD_REFERENCE]
    return []
