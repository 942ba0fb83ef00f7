"""Read an uploaded list of newly issued KKs row by row, safely (no database).

Files are streamed: a CSV through `csv.reader` over the open file, an XLSX through openpyxl's
read-only worksheet (`iter_rows(values_only=True)`), so memory stays flat whatever the file size.
An XLSX is a zip: `check_xlsx_archive` refuses a decompression bomb before anything unpacks it.
Rows are numbered as a spreadsheet shows them (the header is usually row 1), blank rows included,
so "baris 17" in a message is the row a person finds in Excel. What the rows say is checked by
families/importrows.py.

Messages are Indonesian and name no NIK or KK number.
"""

from __future__ import annotations

import codecs
import csv
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.utils.translation import gettext as _

from core.errors import UserFacingError
from families.conf import setting

SNIFF_BYTES = 64 * 1024
MAX_COLUMNS = 60  # cells read per row; anything further right is ignored
RATIO_CHECKED_FROM = 1024 * 1024  # parts smaller than this may compress as well as they like


class ImportFileError(UserFacingError):
    """A file that cannot be imported at all (unreadable, no header, a required column missing)."""


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
