"""The supervisor dashboard (/dasbor/): headline figures, charts and their data as CSV."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.replica import reads_from_replica
from core.scoping import scope_of
from desk import csvfile
from desk.forms import PeriodForm
from desk.selectors import dashboard as selectors
from desk.selectors import stages
from desk.selectors.dashboard import Period
from families.selectors import family_figures
from sync.models import SyncAttempt
from tickets.decorators import supervisor_required
from tickets.workflow import Status


def _figures(office, period: Period) -> dict:
    """Compute (or reuse for DASHBOARD_CACHE_SECONDS) everything the page shows."""
    key = f"dashboard:{office.pk}:{period.start.isoformat()}:{period.end.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        counts = selectors.period_counts(office, period)
        headline = selectors.headline(office, period, counts)
        figures = {
            "headline": headline,
            "centre_states": stages.centre_states(headline["open_by_status"]),
            "flow": selectors.daily_flow(office, period, counts),
            "history": selectors.status_history(office, period, live=headline["open_by_status"]),
            "breakdown": selectors.breakdown(office, period, counts),
            "distribution": selectors.resolve_distribution(office, period, counts),
            "workload": selectors.workload(office, period),
            "registry": selectors.registry_health(office),
            "families": family_figures(office, period),
            "portal_stage": stages.portal_stage(office, period, headline["open_by_status"]),
            "computed_at": timezone.now(),
        }
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures


def _office_shown(request):
    """Return the office the page shows: `?kantor=<code>` (the roll-up's drill-down) if the user's
    scope holds it (404 otherwise), else their own; None for a reader of many offices without one."""
    scope = scope_of(request.user)
    code = request.GET.get("kantor", "")
    if code:
        office = selectors.office_in_scope(scope, code)
        if office is None:
            raise Http404
        return office
    if scope.spans_offices and not selectors.holds_tickets(scope.home):
        return None
    return scope.office


@supervisor_required
@reads_from_replica
def dashboard(request):
    office = _office_shown(request)
    if office is None:
        return redirect("offices:rollup")
    form = PeriodForm(request.GET or None)
    period = form.chosen_period()
    figures = _figures(office, period)
    charts = _chart_data(figures)
    return render(
        request,
        "desk/dashboard.html",
        {
            "centre_rows": _centre_rows(figures["centre_states"]),
            "form": form,
            "period": period,
            "period_last_day": period.end - timedelta(days=1),
            "charts": charts,
            "chart_tables": _chart_tables(charts),
            "querystring": request.GET.urlencode(),
            "registry_rows": _registry_rows(figures["registry"]),
            "office": office,
            "drilled": "kantor" in request.GET,
            "read_only": scope_of(request.user).read_only,
            **figures,
        },
    )


CENTRE_STATE_WORDS = {
    "awaiting_acceptance": gettext_lazy("Belum diterima pusat"),
    "accepted": gettext_lazy("Diterima pusat, data belum tampil"),
    "action_needed": gettext_lazy("Perlu tindakan"),
    "centre_applied": gettext_lazy("Selesai di pusat, menunggu portal"),
}


def _centre_rows(states: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Return the centre states in words (after the cache, like the registry rows)."""
    return [(str(CENTRE_STATE_WORDS[code]), count) for code, count in states]


def _registry_rows(registry: dict) -> list[dict]:
    """Return the registry-health table's rows (window, operation in words, figures).

    Labels are added here, after the cache: the cached figures hold codes, whatever the language.
    """
    windows = {"hour": _("1 jam"), "day": _("24 jam")}
    operations = dict(SyncAttempt.Operation.choices)
    return [
        {**row, "window": label, "operation": operations.get(code, code)}
        for name, label in windows.items()
        for code, row in registry[name].items()
    ]


def _chart_data(figures) -> dict:
    status_labels = dict(Status.choices)
    return {
        "labels": {
            "opened": _("Masuk"),
            "resolved": _("Selesai"),
            "tickets": _("Tiket"),
            "open": _("Terbuka"),
            "opened_period": _("Masuk (periode)"),
        },
        "flow": figures["flow"],
        "history": {
            "labels": figures["history"]["labels"],
            "series": {str(status_labels[s]): values for s, values in figures["history"]["series"].items()},
        },
        "category": figures["breakdown"]["category"],
        "service": figures["breakdown"]["service"],
        "distribution": figures["distribution"],
        "workload": figures["workload"],
    }


def _chart_tables(charts: dict) -> dict:
    """Return each chart's data as a table (headings, rows): the on-screen text alternative to the
    canvas, from the same rows as its CSV."""
    heads = {
        "harian": (_("Tanggal"), _("Masuk"), _("Selesai")),
        "kategori": (_("Kategori"), _("Jumlah")),
        "layanan": (_("Layanan"), _("Jumlah")),
        "lama-selesai": (_("Lama sampai selesai"), _("Jumlah")),
        "beban-petugas": (_("Petugas"), _("Terbuka"), _("Masuk (periode)")),
    }
    tables = {}
    for chart in CSV_CHARTS:
        rows = [list(row) for row in _csv_rows(chart, charts)]
        head = heads[chart] if chart in heads else [_("Tanggal"), *rows.pop(0)[1:]]
        tables[chart.replace("-", "_")] = {"head": head, "rows": rows}
    return tables


CSV_CHARTS = {
    "harian": ("tanggal", "masuk", "selesai"),
    "status": None,
    "kategori": ("kategori", "jumlah"),
    "layanan": ("layanan", "jumlah"),
    "lama-selesai": ("lama", "jumlah"),
    "beban-petugas": ("petugas", "terbuka", "masuk"),
}


def _csv_rows(chart: str, charts: dict):
    if chart == "harian":
        flow = charts["flow"]
        return zip(flow["labels"], flow["opened"], flow["resolved"])
    if chart == "status":
        history = charts["history"]
        names = list(history["series"])
        return [["tanggal", *names]] + [
            [label, *(history["series"][n][i] for n in names)] for i, label in enumerate(history["labels"])
        ]
    if chart == "kategori":
        return charts["category"]
    if chart == "layanan":
        return charts["service"]
    if chart == "lama-selesai":
        return charts["distribution"]
    return [(row["name"], row["open"], row["opened"]) for row in charts["workload"]]


@supervisor_required
@reads_from_replica
def chart_csv(request, chart):
    """Return one chart's data as CSV (through the one safe writer), for the same period as the page."""
    if chart not in CSV_CHARTS:
        raise Http404
    office = _office_shown(request)
    if office is None:
        raise Http404
    period = PeriodForm(request.GET or None).chosen_period()
    charts = _chart_data(_figures(office, period))
    separator = request.GET.get("pemisah", csvfile.DEFAULT_SEPARATOR)
    if separator not in csvfile.SEPARATORS:
        separator = csvfile.DEFAULT_SEPARATOR
    header = [CSV_CHARTS[chart]] if CSV_CHARTS[chart] else []
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sinkron-{chart}-{period.start:%Y%m%d}.csv"'
    response.writelines(csvfile.lines([*header, *_csv_rows(chart, charts)], separator=separator))
    return response
