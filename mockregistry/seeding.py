"""Read seed residents (and family cards) from a JSON or CSV file and check them, before anything is written.

Format (one resident per object or CSV row; see docs/mockregistry.md):
    nik, kk_number, full_name, birth_date (YYYY-MM-DD), sex (L or P), region_code (optional),
    state (optional: active, duplicate, blocked, inactive)
JSON may be a list of objects or {"residents": [...], "families": [...]}, a family being
{kk_number, head_nik, members: [nik, ...]}. CSV needs a header row with those names.
The KK number is the one the centre holds, i.e. the stale one for a demo mismatch.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from mockregistry import validation

# Demo residents of Kudus whose KK at the centre is stale (the family has a newer card).
BUILTIN_RESIDENTS = [
    {
        "nik": "3319014507920003",
        "kk_number": "3319012003150007",
        "full_name": "Siti Aminah",
        "birth_date": "1992-07-05",
        "sex": "P",
        "region_code": "33.19.01",
    },
    {
        "nik": "3319021208880001",
        "kk_number": "3319020511100012",
        "full_name": "Budi Santoso",
        "birth_date": "1988-08-12",
        "sex": "L",
        "region_code": "33.19.02",
    },
    {
        "nik": "3319035302010004",
        "kk_number": "3319031709180003",
        "full_name": "Dewi Lestari",
        "birth_date": "2001-02-13",
        "sex": "P",
        "region_code": "33.19.03",
    },
    {
        "nik": "3319061701750002",
        "kk_number": "3319060102090021",
        "full_name": "Ahmad Fauzi",
        "birth_date": "1975-01-17",
        "sex": "L",
        "region_code": "33.19.06",
    },
    {
        "nik": "3319096912000005",
        "kk_number": "3319091408120009",
        "full_name": "Nur Hidayah",
        "birth_date": "2000-12-29",
        "sex": "P",
        "region_code": "33.19.09",
    },
]


# One resident in each persistent state, and a family whose wife still holds her parents' card.
BUILTIN_RESIDENTS += [
    {
        "nik": "3319071502900006",
        "kk_number": "3319070309140005",
        "full_name": "Eko Wibowo",
        "birth_date": "1990-02-15",
        "sex": "L",
        "region_code": "33.19.07",
        "state": "duplicate",
    },
    {
        "nik": "3319084410030007",
        "kk_number": "3319081105160002",
        "full_name": "Putri Handayani",
        "birth_date": "2003-10-04",
        "sex": "P",
        "region_code": "33.19.08",
        "state": "blocked",
    },
    {
        "nik": "3319080306600008",
        "kk_number": "3319082507080001",
        "full_name": "Slamet Hidayat",
        "birth_date": "1960-06-03",
        "sex": "L",
        "region_code": "33.19.08",
        "state": "inactive",
    },
    {
        "nik": "3319051004850001",
        "kk_number": "3319051503210004",
        "full_name": "Joko Prasetyo",
        "birth_date": "1985-04-10",
        "sex": "L",
        "region_code": "33.19.05",
    },
    {
        "nik": "3319055708870002",
        "kk_number": "3319050201060008",
        "full_name": "Sri Rahayu",
        "birth_date": "1987-08-17",
        "sex": "P",
        "region_code": "33.19.05",
    },
    {
        "nik": "3319052103150003",
        "kk_number": "3319051503210004",
        "full_name": "Rizky Prasetyo",
        "birth_date": "2015-03-21",
        "sex": "L",
        "region_code": "33.19.05",
    },
]
BUILTIN_FAMILIES = [
    {
        "kk_number": "3319051503210004",
        "head_nik": "3319051004850001",
        "members": ["3319051004850001", "3319055708870002", "3319052103150003"],
    },
]


class SeedFileError(ValueError):
    """The seed file cannot be read, or some of its rows are invalid."""


def read_seed_file(path: Path) -> list[dict]:
    """Return the raw rows of a .json or .csv seed file."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SeedFileError(f"{path}: {exc.strerror}") from None
    if suffix == ".json":
        return _json_rows(path, text)
    if suffix == ".csv":
        return list(csv.DictReader(text.splitlines()))
    raise SeedFileError(f"{path}: expected a .json or .csv file")


def read_seed_families(path: Path) -> list[dict]:
    """Return the raw family cards of a .json seed file ({"families": [...]}); none for other shapes."""
    if path.suffix.lower() != ".json":
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError):
        return []  # read_seed_file reports it
    families = data.get("families", []) if isinstance(data, dict) else []
    if not isinstance(families, list):
        raise SeedFileError(f'{path}: "families" must be a list')
    return families


def clean_rows(rows: list, *, today: date) -> tuple[list[dict], list[str]]:
    """Validate every row; return the cleaned records and one message per invalid row.

    Messages name the row number and fields only, never the NIK (they end up in terminals and logs).
    """
    records, problems = [], []
    for number, row in enumerate(rows, start=1):
        clean, errors = validation.validate_resident(row, today=today)
        if errors:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
            problems.append(f"row {number}: {details}")
        else:
            records.append(clean)
    return records, problems


def clean_families(rows: list) -> tuple[list[dict], list[str]]:
    """Validate seed family cards; return the cleaned ones and one message per invalid row."""
    families, problems = [], []
    for number, row in enumerate(rows, start=1):
        clean, errors = validation.validate_family_seed(row)
        if errors:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
            problems.append(f"family {number}: {details}")
        else:
            families.append(clean)
    return families, problems


def _json_rows(path: Path, text: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedFileError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict):
        data = data.get("residents")
    if not isinstance(data, list):
        raise SeedFileError(f'{path}: expected a list of residents or {{"residents": [...]}}')
    return data
