"""The roll-up's reads: the office dashboard's headline figures, for every office of a scope at once.

Each figure is one grouped query over all the offices shown (GROUP BY office), never one query per
office, and each reads only what the office dashboard reads: open tickets (the partial index of
open tickets), tickets opened or resolved in the period (the office/date indexes) and the centre's
rejections in the period. The cost grows with the period's tickets and the open ones, not with
every ticket ever held (docs/hierarchy.md).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, DurationField, F, Q, QuerySet
from django.utils import timezone

from core.scoping import OfficeScope
from desk.selectors.dashboard import Percentile, Period, time_to_resolve
from tickets.models import Office, Ticket, TicketEvent
from tickets.sla import sla_delta
from tickets.workflow import Status

COUNTS = ("opened", "resolved", "open", "overdue", "escalated", "rejections", "sla_within", "sla_total")
SQLITE_SAMPLE = 10_000  # the demo's SQLite has no PERCENTILE_CONT: medians from a bounded sample


@dataclass
class OfficeFigures:
    """One row of the roll-up: an office (or the total) and its figures for the period."""

    code: str
    name: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    median_to_resolve: timedelta | None = None

    @property
    def sla_percent(self) -> float | None:
        total = self.counts["sla_total"]
        return round(100 * self.counts["sla_within"] / total, 1) if total else None

    def value(self, column: str):
        """Return the figure a sortable column shows."""
        if column == "name":
            return self.name
        if column == "sla_percent":
            return self.sla_percent
        if column == "median_to_resolve":
            return self.median_to_resolve
        return self.counts[column]


def provinces(scope: OfficeScope) -> QuerySet:
    """Return the provincial offices the scope reads (the roll-up's province choices)."""
    return scope.rows(Office.objects.filter(level=Office.Level.PROVINCE), field="pk").order_by("region_code")


def offices_shown(scope: OfficeScope, province: str = "") -> QuerySet:
    """Return the regency/city offices of the scope (of one province, if given), by region code."""
    offices = scope.rows(Office.objects.filter(level=Office.Level.REGENCY), field="pk")
    if province:
        offices = offices.filter(region_code__startswith=f"{province}.")
    return offices.order_by("region_code")


def rollup(offices: QuerySet, period: Period, *, now: datetime | None = None) -> list[OfficeFigures]:
    """Return each office's figures for `period`, in the order of `offices` (five grouped queries)."""
    now = now or timezone.now()
    rows = {pk: OfficeFigures(code, name) for pk, code, name in offices.values_list("pk", "code", "name")}
    ids = offices.values("pk")
    for grouped in (
        _open_now(ids, now),
        _opened(ids, period),
        _resolved(ids, period),
        _rejected(ids, period),
    ):
        for office_id, counts in grouped.items():
            rows[office_id].counts.update(counts)
    for office_id, median in _medians(ids, period).items():
        rows[office_id].median_to_resolve = median
    return list(rows.values())


def total(rows: list[OfficeFigures], offices: QuerySet, period: Period) -> OfficeFigures:
    """Return the sum of `rows`, with the median over all their resolved tickets (one query)."""
    summed = OfficeFigures("", "")
    for row in rows:
        for name in COUNTS:
            summed.counts[name] += row.counts[name]
    summed.median_to_resolve = _medians(offices.values("pk"), period, grouped=False).get(None)
    return summed


def _open_now(ids, now) -> dict[int, dict]:
    found = (
        Ticket.objects.open()
        .filter(office__in=ids)
        .values("office_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            escalated=Count("id", filter=Q(status=Status.ESCALATED)),
        )
        .order_by()
    )
    return {row.pop("office_id"): row for row in found}


def _opened(ids, period: Period) -> dict[int, dict]:
    found = (
        Ticket.objects.filter(office__in=ids, created_at__gte=period.start, created_at__lt=period.end)
        .values_list("office_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {office_id: {"opened": n} for office_id, n in found}


def _resolved_in(ids, period: Period) -> QuerySet:
    return Ticket.objects.filter(office__in=ids, resolved_at__gte=period.start, resolved_at__lt=period.end)


def _resolved(ids, period: Period) -> dict[int, dict]:
    sent = Q(sent_at__isnull=False)
    found = (
        _resolved_in(ids, period)
        .values("office_id")
        .annotate(
            resolved=Count("id"),
            sla_total=Count("id", filter=sent),
            sla_within=Count("id", filter=sent & Q(resolved_at__lte=F("sent_at") + sla_delta())),
        )
        .order_by()
    )
    return {row.pop("office_id"): row for row in found}


def _rejected(ids, period: Period) -> dict[int, dict]:
    """Return the centre's rejections in the period (the system rejected: no staff actor)."""
    found = (
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.STATUS,
            to_status=Status.REJECTED,
            actor__isnull=True,
            created_at__gte=period.start,
            created_at__lt=period.end,
            ticket__office__in=ids,
        )
        .values_list("ticket__office_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {office_id: {"rejections": n} for office_id, n in found}


def _medians(ids, period: Period, *, grouped: bool = True) -> dict:
    """Return the median time to resolve by office id (or under None, over all, if not `grouped`)."""
    resolved = _resolved_in(ids, period)
    if connection.vendor != "postgresql":
        return _sampled_medians(resolved, grouped=grouped)
    median = Percentile(time_to_resolve(), 0.5, output_field=DurationField())
    if not grouped:
        return {None: resolved.aggregate(median=median)["median"]}
    found = resolved.values_list("office_id").annotate(median=median).order_by()
    return dict(found)


def _sampled_medians(resolved: QuerySet, *, grouped: bool) -> dict:
    durations: dict = {}
    for office_id, took in resolved.annotate(took=time_to_resolve()).values_list("office_id", "took")[
        :SQLITE_SAMPLE
    ]:
        durations.setdefault(office_id if grouped else None, []).append(took)
    return {key: sorted(values)[len(values) // 2] for key, values in durations.items()}


SORTABLE = (
    "name",
    "opened",
    "open",
    "overdue",
    "escalated",
    "rejections",
    "sla_percent",
    "median_to_resolve",
)


def sorted_rows(rows: list[OfficeFigures], column: str, *, descending: bool) -> list[OfficeFigures]:
    """Return `rows` sorted by `column`; offices without the figure (no tickets) always come last."""
    present = [row for row in rows if row.value(column) is not None]
    missing = [row for row in rows if row.value(column) is None]
    present.sort(key=lambda row: (row.value(column), row.code), reverse=descending)
    return present + missing
