"""Read an uploaded list of newly issued KKs row by row, and check each row (no database).

Files are streamed: a CSV through `csv.reader` over the open file, an XLSX through openpyxl's
read-only worksheet (`iter_rows(values_only=True)`), so memory stays flat whatever the file size.
Rows are numbered as a spreadsheet shows them (the header is usually row 1), blank rows included,
so "baris 17" in a message is the row a person finds in Excel.

Messages are Indonesian and never contain the NIK or KK number (citizens.nik guarantees that for
its own messages; the others here name only the column).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens import nik as nikparse
from core.errors import UserFacingError
from families.conf import setting
from families.models import Relation

SNIFF_BYTES = 64 * 1024
MAX_COLUMNS = 60  # cells read per row; anything further right is ignored
MAX_CELL_CHARS = 300  # longer cells are cut before any check (names are at most 150)
HEADER_SEARCH_ROWS = 20  # the header must be among the first rows that are not blank
RATIO_CHECKED_FROM = 1024 * 1024  # parts smaller than this may compress as well as they like

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


class ImportFileError(UserFacingError):
    """A file that cannot be imported at all (unreadable, no header, a required column missing)."""


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


# --- reading -------------------------------------------------------------------------------------


@contextmanager
def open_records(
    path: Path, file_format: str, *, time_limit: float | None = None
) -> Iterator[Iterator[tuple[int, list]]]:
    """Yield an iterator of (row number, cells) over the file, streaming; closes the file after.

    With `time_limit` (seconds), reading past it raises ImportFileError: the worker's threads pool
    enforces no task time limit, so a file that is slow to parse is stopped here.
    """
    reader = _xlsx_records if file_format == "xlsx" else _csv_records
    with reader(path) as records:
        yield records if time_limit is None else _until(records, time.monotonic() + time_limit, time_limit)


def _until(records, deadline: float, time_limit: float):
    for record in records:
        if time.monotonic() > deadline:
            raise ImportFileError(
                _(
                    "Berkas terlalu berat: pembacaannya melewati %(seconds)d detik. "
                    "Bagi menjadi beberapa berkas atau simpan sebagai CSV."
                )
                % {"seconds": time_limit}
            )
        yield record


@contextmanager
def _csv_records(path: Path):
    encoding = _guess_encoding(path)
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        # A bounded read to find the delimiter; the reader below starts again from the top.
        delimiter = _guess_delimiter(handle.read(SNIFF_BYTES))
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)

        def records():
            try:
                for number, cells in enumerate(reader, start=1):
                    yield number, cells[:MAX_COLUMNS]
            except csv.Error:
                raise ImportFileError(
                    _("Berkas CSV rusak di sekitar baris %(row)d (tanda kutip tidak tertutup?).")
                    % {"row": reader.line_num}
                ) from None

        yield records()


def _guess_encoding(path: Path) -> str:
    """Return "utf-8-sig" when the start of the file is UTF-8, else Windows-1252 (Excel's CSV)."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _guess_delimiter(sample: str) -> str:
    """Return the delimiter of the first non-blank line: the most frequent of , ; and tab."""
    first = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def check_xlsx_archive(file) -> None:
    """Refuse a zip bomb before anything unpacks it: by the parts' declared sizes and ratios.

    `file` is a path or an open binary file. The declared sizes can be trusted: zipfile stops
    unpacking a part at its declared size (and a lie fails its CRC check).
    """
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(
            _("Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel sebagai .xlsx atau .csv.")
        ) from None
    too_big = _(
        "Isi berkas XLSX terlalu besar setelah dibuka (%(mb)d MB). "
        "Berkas seperti ini bukan daftar KK biasa; simpan ulang dari Excel atau bagi berkasnya."
    )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > setting("FAMILY_IMPORT_XLSX_MAX_UNPACKED_BYTES"):
        raise ImportFileError(too_big % {"mb": unpacked // 2**20})
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > setting(
            "FAMILY_IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES"
        ):
            raise ImportFileError(too_big % {"mb": unpacked // 2**20})
        if part.file_size >= RATIO_CHECKED_FROM and part.file_size > setting(
            "FAMILY_IMPORT_XLSX_MAX_RATIO"
        ) * max(part.compress_size, 1):
            raise ImportFileError(
                _(
                    "Berkas XLSX ini tidak wajar: isinya memadat lebih dari %(ratio)d kali. "
                    "Simpan ulang dari Excel atau simpan sebagai CSV."
                )
                % {"ratio": setting("FAMILY_IMPORT_XLSX_MAX_RATIO")}
            )


@contextmanager
def _xlsx_records(path: Path):
    check_xlsx_archive(path)
    from openpyxl import load_workbook  # imported here: only uploads of XLSX files need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zipfile, XML and openpyxl errors alike mean "not an XLSX we can read"
        raise ImportFileError(
            _("Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel sebagai .xlsx atau .csv.")
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("Berkas XLSX tidak berisi lembar kerja."))
        sheet = workbook.worksheets[0]
        # Some writers store a wrong <dimension>; without this, rows past it would be dropped.
        sheet.reset_dimensions()

        def records():
            try:
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield number, list(cells[:MAX_COLUMNS])
            except ImportFileError:
                raise
            except Exception:  # noqa: BLE001 - a broken sheet part mid-way
                raise ImportFileError(_("Berkas XLSX rusak dan tidak dapat dibaca sampai selesai.")) from None

        yield records()
    finally:
        workbook.close()


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
