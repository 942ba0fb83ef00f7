"""The one CSV writer of every download (reports, dashboard chart data).

Every cell goes through `cell()`: dates in WIB, and text that a spreadsheet would run as a formula
(CSV injection) prefixed with a quote. Files start with a UTF-8 BOM so Excel reads them as UTF-8;
the separator is a choice because Excel set to Indonesian (a decimal comma) splits on `;`.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = {"semicolon": ";", "comma": ","}
SEPARATOR_LABELS = {
    "semicolon": gettext_lazy("CSV (Excel Indonesia, ;)"),
    "comma": gettext_lazy("CSV (,)"),
}
DEFAULT_SEPARATOR = "comma"


def cell(value) -> str:
    """Return `value` as one safe CSV cell."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value):
        return value


def lines(rows: Iterable[Iterable], *, separator: str = DEFAULT_SEPARATOR) -> Iterator[str]:
    """Yield the BOM, then each row as one CSV line of safe cells (lazily: rows may be a stream)."""
    writer = csv.writer(_Echo(), delimiter=SEPARATORS[separator])
    yield BOM
    for row in rows:
        yield writer.writerow([cell(value) for value in row])
