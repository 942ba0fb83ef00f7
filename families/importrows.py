"""Check the rows of an uploaded KK list: find the header, then normalize and check each row.

The rows come from families/importfile.py (numbered as a spreadsheet shows them). Messages are
Indonesian and never contain the NIK or KK number (citizens.nik guarantees that for its own
messages; the others here name only the column).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens import nik as nikparse
from families.importfile import ImportFileError
from families.models import Relation

MAX_CELL_CHARS = 300  # longer cells are cut before any check (names are at most 150)
HEADER_SEARCH_ROWS = 20  # the header must be among the first rows that are not blank

# Field -> accepted header texts, compared after `_header_key` (lower case, no dots/underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "kk_number": ("no kk", "nomor kk", "no kartu keluarga", "nomor kartu keluarga", "kk", "nokk"),
    "nik": ("nik", "no nik", "nomor nik", "nomor induk kependudukan"),
    "full_name": ("nama", "nama lengkap"),
    "birth_date": ("tanggal lahir", "tgl lahir"),
    "sex": ("jenis kelamin", "jk", "l/p"),
    "relation": (
        "hubungan",
        "hubungan keluarga",
        "status hubungan",
        "status hubungan dalam keluarga",
        "shdk",
    ),
    "issue_date": (
        "tanggal terbit",
        "tgl terbit",
        "tanggal terbit kk",
        "tanggal dikeluarkan",
        "tgl dikeluarkan",
    ),
}
COLUMN_LABELS = {
    "kk_number": gettext_lazy("No KK"),
    "nik": gettext_lazy("NIK"),
    "full_name": gettext_lazy("Nama"),
    "birth_date": gettext_lazy("Tanggal Lahir"),
    "sex": gettext_lazy("Jenis Kelamin"),
    "relation": gettext_lazy("Hubungan"),
    "issue_date": gettext_lazy("Tanggal Terbit"),
}
SEXES = {
    "l": "L",
    "lk": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "pria": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
}
# Written out (not derived from the translated labels): a file says the same whatever the UI language.
RELATIONS = {
    "kepala keluarga": Relation.HEAD,
    "kepala": Relation.HEAD,
    "suami": Relation.HUSBAND,
    "istri": Relation.WIFE,
    "isteri": Relation.WIFE,
    "anak": Relation.CHILD,
    "menantu": Relation.CHILD_IN_LAW,
    "cucu": Relation.GRANDCHILD,
    "orang tua": Relation.PARENT,
    "orangtua": Relation.PARENT,
    "mertua": Relation.PARENT_IN_LAW,
    "famili lain": Relation.OTHER_RELATIVE,
    "famili": Relation.OTHER_RELATIVE,
    "pembantu": Relation.HELPER,
    "lainnya": Relation.OTHER,
    "lain-lain": Relation.OTHER,
    "lain lain": Relation.OTHER,
}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


@dataclass
class RowCheck:
    """What one data row says once checked: normalized values, or the errors found."""

    nik: str = ""
    kk_number: str = ""
    full_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    relation: str = ""
    issue_date: dt.date | None = None
    nik_masked: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def payload(self) -> dict:
        """Return the normalized row as JSON-ready data (for the encrypted payload)."""
        return {
            "kk_number": self.kk_number,
            "nik": self.nik,
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "relation": self.relation,
            "issue_date": self.issue_date.isoformat(),
        }


# --- the header ----------------------------------------------------------------------------------


def find_header(records: Iterator[tuple[int, list]]) -> tuple[int, dict[str, int]]:
    """Consume rows up to the header; return its row number and {field: column index}.

    Raise ImportFileError naming the required columns that are missing.
    """
    seen, best = 0, {}
    for number, cells in records:
        if is_blank(cells):
            continue
        seen += 1
        columns = _match_columns(cells)
        best = max(best, columns, key=len)
        # A title line above the header matches no column: keep looking for a while.
        if len(columns) >= 3:
            _require_all(columns)
            return number, columns
        if seen >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise ImportFileError(_("Berkas kosong: tidak ada baris judul dan baris data."))
    _require_all(best)
    raise AssertionError("unreachable: a header without every column raised above")


def _require_all(columns: dict[str, int]) -> None:
    missing = [str(COLUMN_LABELS[name]) for name in COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _(
                "Kolom wajib tidak ditemukan: %(columns)s. Baris judul yang diharapkan: "
                "No KK, NIK, Nama, Tanggal Lahir, Jenis Kelamin, Hubungan, Tanggal Terbit."
            )
            % {"columns": ", ".join(missing)}
        )


def _match_columns(cells: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        for name, accepted in COLUMNS.items():
            if key in accepted and name not in columns:
                columns[name] = index
    return columns


def _header_key(cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).lower().replace(".", " ").replace("_", " ")
    return " ".join(text.split())


def is_blank(cells: list) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# --- one row -------------------------------------------------------------------------------------


class KkParser:
    """parse_kk with a bounded memory of recent answers: the members of a family share one KK."""

    SIZE = 4096

    def __init__(self, today: dt.date):
        self.today = today
        self._answers: dict[str, tuple[str, str]] = {}

    def __call__(self, text: str) -> tuple[str, str]:
        """Return (number, "") or ("", error message) for a KK number as typed."""
        answer = self._answers.get(text)
        if answer is None:
            try:
                answer = (nikparse.parse_kk(text, today=self.today).number, "")
            except nikparse.InvalidNumber as exc:
                answer = ("", exc.message)
            if len(self._answers) >= self.SIZE:
                self._answers.clear()
            self._answers[text] = answer
        return answer


def check_row(
    cells: list, columns: dict[str, int], *, today: dt.date, kk_parser: KkParser | None = None
) -> RowCheck:
    """Check one data row; every problem found is listed, not just the first."""
    check = RowCheck()
    raw = {name: _cell(cells, index) for name, index in columns.items()}

    nik_text = _number_text(raw["nik"])
    if not nik_text:
        check.errors.append(_("NIK wajib diisi."))
    else:
        try:
            check.nik = nikparse.parse_nik(nik_text).number
        except nikparse.InvalidNumber as exc:
            check.errors.append(exc.message)
            check.nik_masked = nikparse.mask(nik_text[:40])
        else:
            check.nik_masked = nikparse.mask_last4(check.nik[-4:])

    kk_text = _number_text(raw["kk_number"])
    if not kk_text:
        check.errors.append(_("No KK wajib diisi."))
    else:
        check.kk_number, error = (kk_parser or KkParser(today))(kk_text)
        if error:
            check.errors.append(error)

    name = " ".join(_text(raw["full_name"]).split())
    if not name:
        check.errors.append(_("Nama wajib diisi."))
    elif len(name) > 150:
        check.errors.append(_("Nama terlalu panjang (paling banyak 150 karakter)."))
    elif "\ufffd" in name:
        check.errors.append(_("Nama berisi karakter yang tidak terbaca; simpan berkas sebagai CSV UTF-8."))
    else:
        check.full_name = name

    check.birth_date = _checked_date(raw["birth_date"], COLUMN_LABELS["birth_date"], today, check.errors)
    check.issue_date = _checked_date(raw["issue_date"], COLUMN_LABELS["issue_date"], today, check.errors)

    sex = _text(raw["sex"]).lower()
    if not sex:
        check.errors.append(_("Jenis Kelamin wajib diisi."))
    elif sex not in SEXES:
        check.errors.append(_("Jenis Kelamin harus L atau P."))
    else:
        check.sex = SEXES[sex]

    relation = " ".join(_text(raw["relation"]).lower().replace("_", " ").split())
    if not relation:
        check.errors.append(_("Hubungan wajib diisi."))
    elif relation not in RELATIONS:
        check.errors.append(_("Hubungan keluarga tidak dikenal (contoh: Kepala Keluarga, Istri, Anak)."))
    else:
        check.relation = RELATIONS[relation]
    return check


def _cell(cells: list, index: int):
    value = cells[index] if index < len(cells) else None
    return value[:MAX_CELL_CHARS] if isinstance(value, str) else value


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _number_text(value) -> str:
    """Return a NIK/KK cell as text. Spreadsheets hand over numbers typed without a text format."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def _checked_date(value, label, today: dt.date, errors: list[str]) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(_("%(column)s wajib diisi.") % {"column": label})
        return None
    parsed = parse_date(value)
    if parsed is None:
        errors.append(_("%(column)s tidak valid (gunakan dd/mm/yyyy atau yyyy-mm-dd).") % {"column": label})
        return None
    if parsed > today:
        errors.append(_("%(column)s tidak boleh di masa depan.") % {"column": label})
        return None
    if parsed.year < 1900:
        errors.append(_("%(column)s tidak valid (tahun sebelum 1900).") % {"column": label})
        return None
    return parsed


def parse_date(value) -> dt.date | None:
    """Return the date of a cell: a spreadsheet date, dd/mm/yyyy (also with - or .), or ISO."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = _DAY_FIRST.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _ISO.match(text)
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
