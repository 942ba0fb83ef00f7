"""Generate residents with structurally valid NIK and KK numbers, for load tests and demos.

Pure Python. Every generated NIK passes `validation.nik_errors`, and NIKs are unique within a run.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

# Kudus (33.19) districts plus a few neighbouring regencies, so the region mix looks real.
DISTRICTS = [f"3319{d:02d}" for d in range(1, 10)] + ["332001", "332002", "331801", "332101", "337401"]
MALE_NAMES = ("Agus", "Budi", "Eko", "Joko", "Ahmad", "Slamet", "Wahyu", "Hadi", "Rizky", "Fajar")
FEMALE_NAMES = ("Siti", "Dewi", "Sri", "Nur", "Rina", "Lestari", "Putri", "Yuliana", "Wulan", "Aminah")
FAMILY_NAMES = (
    "Santoso",
    "Rahayu",
    "Wibowo",
    "Kurniawan",
    "Setiawati",
    "Hidayat",
    "Prasetyo",
    "Susanti",
    "Nugroho",
    "Handayani",
    "Saputra",
    "Wijayanti",
    "Firmansyah",
    "Maharani",
)
OLDEST_BIRTH = date(1945, 1, 1)
YOUNGEST_BIRTH = date(2008, 12, 31)
FIRST_KK_RECORDING = date(2006, 1, 1)
LAST_KK_RECORDING = date(2024, 12, 31)


def synthetic_residents(count: int, *, seed: int | None = None) -> list[dict]:
    """Return `count` residents (nik, kk_number, full_name, birth_date, sex, region_code)."""
    rng = random.Random(seed)
    serials: dict[str, int] = defaultdict(int)
    residents = []
    for _ in range(count):
        residents.append(_one_resident(rng, serials))
    return residents


def _one_resident(rng: random.Random, serials: dict[str, int]) -> dict:
    district = rng.choice(DISTRICTS)
    sex = rng.choice("LP")
    born = _random_date(rng, OLDEST_BIRTH, YOUNGEST_BIRTH)
    day = born.day + (40 if sex == "P" else 0)
    prefix = f"{district}{day:02d}{born:%m%y}"
    serials[prefix] += 1
    if serials[prefix] > 9999:
        raise ValueError("too many residents share a region and birth date; ask for fewer")
    given = rng.choice(FEMALE_NAMES if sex == "P" else MALE_NAMES)
    return {
        "nik": f"{prefix}{serials[prefix]:04d}",
        "kk_number": _kk_number(rng, district),
        "full_name": f"{given} {rng.choice(FAMILY_NAMES)}",
        "birth_date": born.isoformat(),
        "sex": sex,
        "region_code": f"{district[:2]}.{district[2:4]}.{district[4:]}",
    }


def _kk_number(rng: random.Random, district: str) -> str:
    recorded = _random_date(rng, FIRST_KK_RECORDING, LAST_KK_RECORDING)
    return f"{district}{recorded:%d%m%y}{rng.randint(1, 9999):04d}"


def _random_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))
