"""The roll-up (/wilayah/): every office of the reader's province (or of the nation) side by side.

For the reading roles (provincial supervisor, national) and admins: one row per regency/city office
with the office dashboard's headline figures, sortable, each linking to that office's dashboard
(read-only for them), and the same table as CSV. Aggregates only: no personal data on the page.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.replica import reads_from_replica
from core.scoping import OfficeScope, scope_of
from desk import csvfile
from offices import selectors
from offices.forms import RollupForm
from tickets.decorators import supervisor_required


def _scope(request) -> OfficeScope:
    scope = scope_of(request.user)
    if not scope.spans_offices:
        raise PermissionDenied(_("Rekap wilayah hanya untuk supervisor provinsi dan pemantau nasional."))
    return scope


def _form(request, scope) -> RollupForm:
    provinces = [(office.region_code, office.name) for office in selectors.provinces(scope)]
    return RollupForm(request.GET or None, provinces=provinces)


def _figures(scope, province: str, period) -> dict:
    """Compute (or reuse for DASHBOARD_CACHE_SECONDS) the rows and the total of the roll-up."""
    key = f"rollup:{scope.home_id or 0}:{scope.sees_all}:{province}:{period.start.isoformat()}:{period.end.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        offices = selectors.offices_shown(scope, province)
        rows = selectors.rollup(offices, period)
        figures = {
            "rows": rows,
            "total": selectors.total(rows, offices, period),
            "computed_at": timezone.now(),
        }
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures


@supervisor_required
@require_GET
@reads_from_replica
def rollup(request):
    scope = _scope(request)
    form = _form(request, scope)
    period, province = form.chosen_period(), form.province()
    figures = _figures(scope, province, period)
    column, descending = form.sort()
    query = request.GET.copy()
    for name in ("urut", "arah"):
        query.pop(name, None)
    return render(
        request,
        "offices/rollup.html",
        {
            "form": form,
            "period": period,
            "period_last_day": period.end - timedelta(days=1),
            "province": province,
            "rows": selectors.sorted_rows(figures["rows"], column, descending=descending),
            "total": figures["total"],
            "computed_at": figures["computed_at"],
            "sort": column,
            "descending": descending,
            "columns": _columns(),
            "querystring": query.urlencode(),
            "fullquery": request.GET.urlencode(),
        },
    )


def _columns() -> list[tuple[str, str]]:
    """Return the table's sortable columns after the office: (sort key, heading)."""
    return [
        ("opened", _("Masuk")),
        ("open", _("Terbuka")),
        ("overdue", _("Lewat SLA")),
        ("escalated", _("Eskalasi")),
        ("rejections", _("Ditolak pusat")),
        ("sla_percent", _("Kepatuhan SLA")),
        ("median_to_resolve", _("Median sampai selesai")),
    ]


@supervisor_required
@require_GET
@reads_from_replica
def rollup_csv(request):
    """Return the roll-up's rows (and the total) as CSV, through the one safe writer."""
    scope = _scope(request)
    form = _form(request, scope)
    period, province = form.chosen_period(), form.province()
    figures = _figures(scope, province, period)
    separator = request.GET.get("pemisah", csvfile.DEFAULT_SEPARATOR)
    if separator not in csvfile.SEPARATORS:
        separator = csvfile.DEFAULT_SEPARATOR
    header = [
        "kode_kantor",
        "kantor",
        "masuk",
        "selesai",
        "terbuka",
        "lewat_sla",
        "eskalasi",
        "ditolak_pusat",
        "selesai_dalam_sla",
        "selesai_terkirim",
        "kepatuhan_sla_persen",
        "median_selesai_jam",
    ]
    rows = [_csv_row(row, name=row.name) for row in figures["rows"]]
    lines = [header, *rows, _csv_row(figures["total"], name=_("Jumlah"))]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"sinkron-rekap-{province or 'semua'}-{period.start:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.writelines(csvfile.lines(lines, separator=separator))
    return response


def _csv_row(row: selectors.OfficeFigures, *, name: str) -> list:
    counts = row.counts
    median = row.median_to_resolve
    return [
        row.code,
        name,
        counts["opened"],
        counts["resolved"],
        counts["open"],
        counts["overdue"],
        counts["escalated"],
        counts["rejections"],
        counts["sla_within"],
        counts["sla_total"],
        row.sla_percent,
        round(median.total_seconds() / 3600, 1) if median is not None else None,
    ]
