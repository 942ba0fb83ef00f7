"""Reports (/laporan/): the scope's tickets for a period, as CSV (streamed) or XLSX (constant memory).

Supervisors only, scoped to their offices (core.scoping: their own, a province's, or all; the
export is a read, open to the reading roles). The NIK is masked to its last four digits unless the user
holds `tickets.export_full_nik` and asks for it. Every download, masked or full, writes one entry of
the audit trail (audit.services.record: who, filter, format, masked or full, rows), shown at /audit/;
a full-NIK one also writes an audit line (logger "sinkron.audit", WARNING; never a NIK).
CSV comes both ways: `;` for Excel set to Indonesian, `,` for everything else (desk/csvfile.py).
Downloads are POSTs: they carry the filter only (no personal data), but a full-NIK export is an
act worth a CSRF check, and a link a browser may prefetch should not start one.
"""

import logging
import tempfile
from collections.abc import Iterator

import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit import services as audit_services
from citizens.nik import mask_last4
from core.replica import reads_from_replica
from core.scoping import scope_of
from desk import csvfile
from desk.forms import ReportFilterForm
from desk.selectors import reports as selectors
from tickets.decorators import supervisor_required
from tickets.models import Ticket
from tickets.selectors import QUEUE_COUNT_CAP

audit = logging.getLogger("sinkron.audit")

FULL_NIK_PERMISSION = "tickets.export_full_nik"
CHUNK_SIZE = 2000
COLUMNS = [
    gettext_lazy("Kode Tiket"),
    gettext_lazy("Tanggal Masuk"),
    gettext_lazy("Kategori"),
    gettext_lazy("Layanan"),
    gettext_lazy("Status"),
    gettext_lazy("Petugas"),
    gettext_lazy("Tanggal Kirim ke Pusat"),
    gettext_lazy("Tanggal Selesai"),
    gettext_lazy("NIK"),
    gettext_lazy("Nama"),
]
DATE_COLUMNS = (1, 6, 7)


def _row(ticket: Ticket, *, full_nik: bool) -> list:
    """Return one report line: text cells, and aware datetimes (or None) for the date columns."""
    assignee = ticket.assignee
    return [
        ticket.display_code,
        ticket.created_at,
        ticket.get_category_display(),
        ticket.get_service_display(),
        ticket.get_status_display(),
        (assignee.get_full_name() or assignee.username) if assignee else "",
        ticket.sent_at,
        ticket.resolved_at,
        ticket.citizen.nik if full_nik else mask_last4(ticket.citizen.nik_last4),
        ticket.citizen.full_name,
    ]


def _filename(filters: dict, extension: str, *, full_nik: bool) -> str:
    suffix = "-nik-lengkap" if full_nik else ""
    return f"sinkron-tiket-{filters['start']:%Y-%m-%d}_{filters['end']:%Y-%m-%d}{suffix}.{extension}"


def _audit_export(
    request, scope, filters: dict, fmt: str, rows: int, *, full_nik: bool, complete: bool = True, **more
) -> None:
    """Record the download in the audit trail; a full-NIK one in the audit log as well."""
    described = {key: (str(value) if value else "") for key, value in filters.items() if key != "full_nik"}
    if full_nik:
        audit.warning(
            "full-NIK export user=%s (id %s) office=%s format=%s filter=%s rows=%s complete=%s ip=%s",
            request.user.get_username(),
            request.user.pk,
            scope.office.code,
            fmt,
            described,
            rows,
            complete,
            request.META.get("REMOTE_ADDR", ""),
        )
    audit_services.record(
        action="export",
        actor=request.user,
        ip=request.META.get("REMOTE_ADDR", ""),
        object_type="report",
        office=scope.office.code,
        object_id=f"{filters['start']}/{filters['end']}",
        details={
            "report": "tiket",
            "full_nik": full_nik,
            "nik": "lengkap" if full_nik else "disamarkan",
            "format": fmt,
            "filter": described,
            "rows": rows,
            "complete": complete,
            **more,
        },
    )


# --- views ---------------------------------------------------------------------------------------


@supervisor_required
@require_GET
@reads_from_replica
def index(request):
    """The report page: the filter form and how many tickets it matches."""
    scope = scope_of(request.user)
    form = ReportFilterForm(
        request.GET if "start" in request.GET else None, initial=ReportFilterForm.initial_period()
    )
    count = None
    if form.is_bound and form.is_valid():
        count = selectors.capped_report_count(scope, form.cleaned_data, cap=QUEUE_COUNT_CAP)
    return render(request, "desk/reports.html", _context(request, form, count))


def _context(request, form, count=None) -> dict:
    return {
        "form": form,
        "count": count,
        "count_capped": count is not None and count > QUEUE_COUNT_CAP,
        "may_export_full_nik": request.user.has_perm(FULL_NIK_PERMISSION),
        "csv_separators": csvfile.SEPARATOR_LABELS,
    }


def _export(request, writer, **options):
    scope = scope_of(request.user)
    form = ReportFilterForm(request.POST)
    if not form.is_valid():
        return render(request, "desk/reports.html", _context(request, form), status=400)
    full_nik = form.cleaned_data["full_nik"]
    if full_nik and not request.user.has_perm(FULL_NIK_PERMISSION):
        raise PermissionDenied(_("Anda tidak berwenang mengunduh NIK lengkap."))
    return writer(request, scope, form.cleaned_data, full_nik=full_nik, **options)


@supervisor_required
@require_POST
@reads_from_replica
def export_csv(request):
    separator = request.POST.get("separator") or csvfile.DEFAULT_SEPARATOR
    if separator not in csvfile.SEPARATORS:
        form = ReportFilterForm(request.POST)
        form.is_valid()
        form.add_error(None, _("Pilih pemisah CSV: titik koma (Excel Indonesia) atau koma."))
        return render(request, "desk/reports.html", _context(request, form), status=400)
    return _export(request, _csv_response, separator=separator)


@supervisor_required
@require_POST
@reads_from_replica
def export_xlsx(request):
    return _export(request, _xlsx_response)


# --- CSV: streamed -------------------------------------------------------------------------------


def _csv_lines(
    request, scope, filters: dict, *, full_nik: bool, separator: str, language: str
) -> Iterator[str]:
    counted = {"rows": 0}

    def rows():
        yield [str(title) for title in COLUMNS]
        for ticket in selectors.report_tickets(scope, filters, full_nik=full_nik).iterator(
            chunk_size=CHUNK_SIZE
        ):
            yield _row(ticket, full_nik=full_nik)
            counted["rows"] += 1

    complete = False
    try:
        # This runs after the view returned, while the server sends the body: use the request's language.
        with translation.override(language):
            yield from csvfile.lines(rows(), separator=separator)
        complete = True
    finally:
        # The row count is known only once the stream ends (or the client went away).
        _audit_export(
            request,
            scope,
            filters,
            "csv",
            counted["rows"],
            full_nik=full_nik,
            complete=complete,
            separator=csvfile.SEPARATORS[separator],
        )


def _csv_response(request, scope, filters: dict, *, full_nik: bool, separator: str):
    lines = _csv_lines(
        request,
        scope,
        filters,
        full_nik=full_nik,
        separator=separator,
        language=translation.get_language(),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "csv", full_nik=full_nik)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- XLSX: constant memory, through a temporary file ---------------------------------------------


def _xlsx_response(request, scope, filters: dict, *, full_nik: bool):
    # An anonymous temporary file: gone from the disk when the response closes it.
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        rows = _write_xlsx(
            spool, selectors.report_tickets(scope, filters, full_nik=full_nik), full_nik=full_nik
        )
    except BaseException:
        spool.close()
        raise
    _audit_export(request, scope, filters, "xlsx", rows, full_nik=full_nik)
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=_filename(filters, "xlsx", full_nik=full_nik),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response


def _write_xlsx(target, tickets: QuerySet, *, full_nik: bool) -> int:
    """Write the report to `target` row by row (constant_memory); return the number of tickets."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = workbook.add_worksheet(_("Tiket"))
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for column, width in enumerate((13, 17, 34, 13, 17, 20, 20, 17, 19, 30)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    for column, title in enumerate(COLUMNS):
        sheet.write_string(0, column, str(title), bold)
    rows = 0
    for rows, ticket in enumerate(tickets.iterator(chunk_size=CHUNK_SIZE), start=1):
        for column, value in enumerate(_row(ticket, full_nik=full_nik)):
            if column in DATE_COLUMNS:
                if value is not None:  # Excel has no time zones: write the WIB wall-clock time
                    sheet.write_datetime(rows, column, timezone.localtime(value).replace(tzinfo=None), when)
            else:
                # write_string, never write(): a NIK stays 16 digits, "=..." stays text.
                sheet.write_string(rows, column, value)
    sheet.autofilter(0, 0, max(rows, 1), len(COLUMNS) - 1)
    workbook.close()
    return rows
