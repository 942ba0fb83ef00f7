"""The supervisor dashboard's figures: a handful of aggregate queries, GROUP BY in the database.

Every function takes the office and the period [start, end) and returns plain data; none loops
over tickets in Python (the SQLite fallback for percentiles, used by the demo only, is bounded).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from desk.models import DailyStatusCount
from sync import registry
from sync.models import SyncAttempt, SyncJob
from tickets.models import Category, Office, Service, Ticket, TicketEvent
from tickets.sla import sla_delta
from tickets.workflow import OPEN_STATUSES, Status

RESOLVE_BUCKETS = [  # (label, upper bound in hours); the last bucket is open-ended
    (gettext_lazy("< 6 jam"), 6),
    (gettext_lazy("6–12 jam"), 12),
    (gettext_lazy("12–24 jam"), 24),
    (gettext_lazy("24–48 jam"), 48),
    (gettext_lazy("> 48 jam"), None),
]
# Open statuses in the order of a ticket's life: the dashboard's lists and its history chart.
OPEN_ORDER = (Status.NEW, Status.SENT, Status.ACTION_NEEDED, Status.ESCALATED, Status.CENTRE_APPLIED)
SUCCESS_OUTCOMES = (
    "accepted",
    "rejected",
    "updatestate",
    "found",
    "notfound",
    "portal_current",
    "portal_behind",
)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> "Period":
        today = timezone.localdate(now)
        return cls.between(today - timedelta(days=days - 1), today)

    @classmethod
    def between(cls, first: date, last: date) -> "Period":
        zone = ZoneInfo(settings.TIME_ZONE)
        start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
        return cls(start, datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone))

    def days(self) -> list[date]:
        first = timezone.localtime(self.start).date()
        return [first + timedelta(days=n) for n in range((self.end - self.start).days)]


class Percentile(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def time_to_resolve():
    return ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())


def office_in_scope(scope, code: str) -> Office | None:
    """Return the office with `code` if `scope` (core.scoping.OfficeScope) reads it, else None."""
    office = Office.objects.filter(code=code).first()
    return office if office is not None and scope.sees(office.pk) else None


def holds_tickets(office) -> bool:
    """Return whether `office` is one that takes complaints (a regency/city office)."""
    return office is not None and office.level == Office.Level.REGENCY


@dataclass(frozen=True)
class PeriodCounts:
    """The period's tickets counted once for every figure that sums them (one query each way):
    `opened` {(day, category, service): n} of those opened, `resolved` {day: {figure: n}} of those
    resolved (count, SLA, time buckets). The headline, daily flow, breakdown and distribution are
    sums over these: five statements fewer than each figure counting on its own."""

    opened: dict
    resolved: dict
    OPENED_KEY = ("day", "category", "service")

    def opened_by(self, part: str) -> dict:
        """Sum the opened tickets by one part of their key ("day", "category" or "service")."""
        index, sums = self.OPENED_KEY.index(part), {}
        for key, n in self.opened.items():
            sums[key[index]] = sums.get(key[index], 0) + n
        return sums

    def resolved_total(self, figure: str) -> int:
        return sum(day[figure] for day in self.resolved.values())


def period_counts(office, period: Period) -> PeriodCounts:
    """Count the period's opened and resolved tickets of `office` by day (WIB), once."""
    zone = ZoneInfo(settings.TIME_ZONE)
    tickets = Ticket.objects.filter(office=office)
    opened = (
        tickets.filter(created_at__gte=period.start, created_at__lt=period.end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list(*PeriodCounts.OPENED_KEY)
        .annotate(n=Count("id"))
        .order_by()
    )
    resolved = (
        tickets.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
        .annotate(day=TruncDate("resolved_at", tzinfo=zone))
        .values("day")
        .annotate(**_resolved_figures())
        .order_by()
    )
    return PeriodCounts(
        opened={(day, category, service): n for day, category, service, n in opened},
        resolved={row.pop("day"): row for row in resolved},
    )


def _resolved_figures() -> dict:
    """The counts of resolved tickets: all, SLA (pushed, within), and one per RESOLVE_BUCKETS bucket."""
    # The centre's 1x24 jam from the push: judged when the centre showed the data, not when the
    # portal the citizen named followed (up to 3x24 jam later, not the centre's doing).
    centre_done = Coalesce("centre_applied_at", "resolved_at")
    pushed = Q(sent_at__isnull=False)
    figures = {
        "resolved": Count("id"),
        "sla_total": Count("id", filter=pushed),
        "sla_within": Count("id", filter=pushed & Q(sent_at__gte=centre_done - sla_delta())),
    }
    lower = None
    for index, (_label, upper) in enumerate(RESOLVE_BUCKETS):
        condition = Q()
        if lower is not None:
            condition &= Q(resolved_at__gt=F("created_at") + timedelta(hours=lower))
        if upper is not None:
            condition &= Q(resolved_at__lte=F("created_at") + timedelta(hours=upper))
        figures[f"bucket{index}"] = Count("id", filter=condition)
        lower = upper
    return figures


def headline(office, period: Period, counts: PeriodCounts | None = None) -> dict:
    """Return the headline figures of the period (opened, resolved, SLA, times, open now);
    `counts`: period_counts(), when the caller has them already."""
    counts = counts or period_counts(office, period)
    tickets = Ticket.objects.filter(office=office)
    resolved = tickets.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
    sla = {figure: counts.resolved_total(figure) for figure in ("resolved", "sla_total", "sla_within")}
    open_now = dict(tickets.filter(status__in=OPEN_STATUSES).values_list("status").annotate(n=Count("id")))
    rejections = TicketEvent.objects.filter(
        kind=TicketEvent.Kind.STATUS,
        to_status=Status.REJECTED,
        actor__isnull=True,
        created_at__gte=period.start,
        created_at__lt=period.end,
        ticket__office=office,
    ).count()
    return {
        "opened": sum(counts.opened.values()),
        "resolved": sla["resolved"],
        "sla_total": sla["sla_total"],
        "sla_within": sla["sla_within"],
        "sla_percent": round(100 * sla["sla_within"] / sla["sla_total"], 1) if sla["sla_total"] else None,
        "open_by_status": {status: open_now.get(status, 0) for status in OPEN_ORDER},
        "open_total": sum(open_now.values()),
        "escalations_open": open_now.get(Status.ESCALATED, 0),
        "registry_rejections": rejections,
        **_resolve_percentiles(resolved),
    }


def _resolve_percentiles(resolved) -> dict:
    median, p90 = duration_percentiles(resolved, time_to_resolve())
    return {"median_to_resolve": median, "p90_to_resolve": p90}


def duration_percentiles(rows, duration) -> tuple:
    """Return (median, p90) of the `duration` expression over `rows`, in the database."""
    if connection.vendor == "postgresql":
        figures = rows.aggregate(
            median=Percentile(duration, 0.5, output_field=DurationField()),
            p90=Percentile(duration, 0.9, output_field=DurationField()),
        )
        return figures["median"], figures["p90"]
    # SQLite (the `make run` demo) has no PERCENTILE_CONT: sort a bounded sample instead.
    durations = sorted(d for d in rows.annotate(d=duration).values_list("d", flat=True)[:10_000] if d)
    if not durations:
        return None, None
    return durations[len(durations) // 2], durations[min(len(durations) - 1, int(len(durations) * 0.9))]


def daily_flow(office, period: Period, counts: PeriodCounts | None = None) -> dict:
    """Return tickets opened and resolved per day of the period."""
    counts = counts or period_counts(office, period)
    opened = counts.opened_by("day")
    days = period.days()
    return {
        "labels": [d.strftime("%d/%m") for d in days],
        "opened": [opened.get(d, 0) for d in days],
        "resolved": [counts.resolved.get(d, {}).get("resolved", 0) for d in days],
    }


def status_history(office, period: Period, live: dict | None = None) -> dict:
    """Return open tickets by status per day: nightly snapshots, and today counted live (`live`:
    the headline's open_by_status, when the caller has it already)."""
    rows = DailyStatusCount.objects.filter(
        office=office, day__gte=period.start.date(), day__lt=period.end.date(), status__in=OPEN_STATUSES
    ).values_list("day", "status", "count")
    counts = {(day, status): count for day, status, count in rows}
    today = timezone.localdate()
    if live is None:
        live = dict(
            Ticket.objects.filter(office=office, status__in=OPEN_STATUSES)
            .values_list("status")
            .annotate(n=Count("id"))
        )
    days = [d for d in period.days() if d <= today]
    series = {}
    for status in OPEN_ORDER:
        series[status] = [live.get(status, 0) if d == today else counts.get((d, status)) for d in days]
    return {"labels": [d.strftime("%d/%m") for d in days], "series": series}


def breakdown(office, period: Period, counts: PeriodCounts | None = None) -> dict:
    """Return tickets opened in the period by category and by target service."""
    counts = counts or period_counts(office, period)
    by_category, by_service = counts.opened_by("category"), counts.opened_by("service")
    return {
        "category": [(label, by_category.get(value, 0)) for value, label in Category.choices],
        "service": [(label, by_service.get(value, 0)) for value, label in Service.choices],
    }


def resolve_distribution(office, period: Period, counts: PeriodCounts | None = None) -> list[tuple[str, int]]:
    """Return how many tickets resolved in the period took how long, in a few buckets."""
    counts = counts or period_counts(office, period)
    return [
        (str(label), counts.resolved_total(f"bucket{index}"))
        for index, (label, _upper) in enumerate(RESOLVE_BUCKETS)
    ]


def workload(office, period: Period) -> list[dict]:
    """Return, per assignee, the tickets open now and those opened in the period."""
    in_period = Q(created_at__gte=period.start, created_at__lt=period.end)
    rows = (
        Ticket.objects.filter(office=office)
        .filter(Q(status__in=OPEN_STATUSES) | in_period)
        .values("assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(open=Count("id", filter=Q(status__in=OPEN_STATUSES)), opened=Count("id", filter=in_period))
        .order_by("-open", "assignee__username")
    )
    return [
        {
            "name": " ".join(filter(None, [r["assignee__first_name"], r["assignee__last_name"]]))
            or r["assignee__username"]
            or "(belum ada)",
            "open": r["open"],
            "opened": r["opened"],
        }
        for r in rows
    ]


def registry_health(office, now: datetime | None = None) -> dict:
    """Return success rate and latency of calls to the registry (last hour, last day) and the pipeline's state."""
    now = now or timezone.now()
    windows = {"hour": now - timedelta(hours=1), "day": now - timedelta(days=1)}
    health = {}
    for name, since in windows.items():
        attempts = SyncAttempt.objects.filter(created_at__gte=since)
        health[name] = {row["operation"]: row for row in _attempt_figures(attempts)}
    # ORDER BY + LIMIT 1, not MIN(): walking the accepted jobs oldest first (index syncjob_accepted)
    # stops at the office's first one; MIN() made PostgreSQL hash-join every ticket of the office.
    oldest = (
        SyncJob.objects.filter(state=SyncJob.State.ACCEPTED, ticket__office=office, accepted_at__isnull=False)
        .order_by("accepted_at")
        .values_list("accepted_at", flat=True)
        .first()
    )
    health["breaker"] = registry.default_breaker().state()
    health["oldest_unverified"] = oldest
    return health


# Latency percentiles read the window's newest calls only (index syncattempt_recent, walked
# backwards): a constant cost however busy the day was, and the recent calls are the ones that tell.
LATENCY_SAMPLE = 10_000


def _attempt_figures(attempts) -> list[dict]:
    aggregates = {"total": Count("id"), "ok": Count("id", filter=Q(outcome__in=SUCCESS_OUTCOMES))}
    rows = list(attempts.values("operation").annotate(**aggregates).order_by("operation"))
    latencies = latency_percentiles(attempts)
    for row in rows:
        row.update(latencies.get(row["operation"], {}))
    for row in rows:
        row["success_percent"] = round(100 * row["ok"] / row["total"], 1) if row["total"] else None
        for key in ("p50", "p95"):
            value = row.get(key)
            row[key] = round(value) if isinstance(value, (int, float)) else None
    return rows


def latency_percentiles(attempts, limit: int = LATENCY_SAMPLE) -> dict[str, dict]:
    """Return {operation: {"p50", "p95"}} of the newest `limit` recorded latencies, in one query."""
    if connection.vendor != "postgresql":
        return sampled_latency_percentiles(attempts, limit)
    recent = attempts.filter(latency_ms__isnull=False).order_by("-created_at")
    sql, params = recent.values("operation", "latency_ms")[:limit].query.sql_with_params()
    # PERCENTILE_CONT over the LIMITed rows: the ORM cannot group a sliced query.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT operation, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY latency_ms),"
            " PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY latency_ms)"
            f" FROM ({sql}) AS recent GROUP BY operation",
            params,
        )
        return {operation: {"p50": p50, "p95": p95} for operation, p50, p95 in cursor.fetchall()}


def sampled_latency_percentiles(attempts, limit: int = LATENCY_SAMPLE) -> dict[str, dict]:
    """Return latency_percentiles() computed in Python, for SQLite (`make run`, the demo).

    SQLite has no PERCENTILE_CONT: the same newest `limit` latencies, sorted here, with the same
    linear interpolation, so the demo's dashboard shows the figures PostgreSQL would.
    """
    latencies: dict[str, list[int]] = {}
    recorded = attempts.filter(latency_ms__isnull=False).order_by("-created_at")
    for operation, latency in recorded.values_list("operation", "latency_ms")[:limit]:
        latencies.setdefault(operation, []).append(latency)
    return {
        operation: {"p50": _percentile(sorted(values), 0.5), "p95": _percentile(sorted(values), 0.95)}
        for operation, values in latencies.items()
    }


def _percentile(ordered: list[int], fraction: float) -> float:
    """PERCENTILE_CONT: interpolate between the two values around rank fraction * (n - 1)."""
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def open_counts_by_office_and_status() -> dict[tuple[int, str], int]:
    """Return how many open tickets each office holds in each status, now: {(office id, status): n}."""
    counts = (
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values_list("office_id", "status")
        .annotate(n=Count("id"))
    )
    return {(office_id, status): n for office_id, status, n in counts}
