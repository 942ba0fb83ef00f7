"""Data helpers for the families tests: structurally valid numbers, family form data, import files."""

import csv
import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cast import KK_NEW, KK_OLD, NIK

HEADER = ["No KK", "NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Hubungan", "Tanggal Terbit"]

# The family of the cast's applicant (Siti, NIK, wife) on the new KK: husband and two children.
HUSBAND = {
    "nik": "3319010101880001",
    "full_name": "Budi Santoso",
    "birth_date": "1988-01-01",
    "sex": "L",
    "relation": "kepala",
}
DAUGHTER = {
    "nik": "3319015505150001",
    "full_name": "Ayu Lestari",
    "birth_date": "2015-05-15",
    "sex": "P",
    "relation": "anak",
}
SON = {
    "nik": "3319012007180001",
    "full_name": "Dimas Pratama",
    "birth_date": "2018-07-20",
    "sex": "L",
    "relation": "anak",
}


def person_nik(index: int, *, female: bool = False) -> str:
    """Return a distinct valid NIK (Kudus, Kaliwungu) for each index up to ~280,000."""
    block, serial = divmod(index, 9999)
    day = block % 28 + 1 + (40 if female else 0)
    month = block // 28 % 12 + 1
    return f"331901{day:02d}{month:02d}85{serial + 1:04d}"


def person_birth_date(index: int) -> dt.date:
    block = index // 9999
    return dt.date(1985, block // 28 % 12 + 1, block % 28 + 1)


def family_kk(index: int) -> str:
    """Return a distinct valid KK number (recorded in January 2024) for each index up to ~280,000."""
    block, serial = divmod(index, 9999)
    return f"331901{block % 28 + 1:02d}0124{serial + 1:04d}"


def family_form(members=(HUSBAND, DAUGHTER, SON), *, extra_rows: int = 0, **applicant) -> dict:
    """Return the POST data of the family page: the applicant's complaint and the member rows."""
    data = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": "1990-01-01",
        "sex": "P",
        "phone": "0812-3456-7890",
        "email": "",
        "kk_number": KK_NEW,
        "kk_number_old": KK_OLD,
        "category": "new_kk",
        "service": "sscasn",
        "deadline": "",
        "description": "KK baru setelah menikah; SSCASN menolak.",
        "pemohon-relation": "istri",
    }
    data.update(applicant)
    rows = list(members) + [{}] * extra_rows
    data.update(
        {
            "anggota-TOTAL_FORMS": str(len(rows)),
            "anggota-INITIAL_FORMS": "0",
            "anggota-MIN_NUM_FORMS": "0",
            "anggota-MAX_NUM_FORMS": "20",
        }
    )
    for index, member in enumerate(rows):
        for name in ("citizen", "nik", "full_name", "birth_date", "sex", "relation"):
            data[f"anggota-{index}-{name}"] = member.get(name, "")
    return data


def write_csv(path: Path, rows, *, header=HEADER, delimiter=",", encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def row(kk, nik, name="Warga Contoh", birth="01/01/1985", sex="L", relation="Anak", issued="15/01/2024"):
    return [kk, nik, name, birth, sex, relation, issued]


def upload_of(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
