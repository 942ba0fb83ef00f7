"""Prometheus metrics at /metrics (text format 0.0.4).

Two kinds:
- Request metrics (`sinkron_http_*`), counted by MetricsMiddleware in each web process. gunicorn
  runs several worker processes and a scrape reaches one of them, so in production they run in
  prometheus_client's multiprocess mode: PROMETHEUS_MULTIPROC_DIR is set in the environment before
  start, every process writes its samples there, /metrics adds them up, and
  helpdesk/gunicorn_conf.py empties the directory at start and tidies up after a dead worker.
  Without the variable (runserver, tests) they live in memory, with the process collectors.
- Pipeline metrics (`sinkron_tickets`, `sinkron_sync_*`, `sinkron_sla_*`, `sinkron_notifications`,
  ...), computed at scrape time from the database, a handful of aggregate queries on indexed
  columns. The database is the source of truth shared by every process and container, so these
  need no multiprocess bookkeeping, are the same whichever process answers, survive restarts,
  and need no counter inside sync's code or the Celery workers (which serve no HTTP).
  Attempts and their latency cover a sliding window (METRICS_WINDOW_SECONDS), exposed as gauges
  and a gauge histogram.

Labels are enumerations from the code (view names, statuses, operations, outcomes, channels):
never a NIK, a KK number, a name or a path.

Access: with METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`. Without it,
/metrics answers only a direct connection from the loopback address (no forwarding headers), so
a reverse proxy on the same host cannot publish it by accident.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from datetime import timedelta

import prometheus_client
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily

from helpdesk.requestid import view_name

# Text format 0.0.4, which every Prometheus reads (our names need none of 1.0.0's UTF-8 escaping).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

logger = logging.getLogger(__name__)

# `_created` series add a float timestamp per labelled child and nothing a dashboard needs.
prometheus_client.disable_created_metrics()

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS_SECONDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "sinkron_http_requests",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "sinkron_http_request_duration_seconds", "Time to answer an HTTP request, by view.", ["view", "method"]
)


def view_label(request) -> str:
    name = view_name(request)
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    if name == "unresolved" and request.path.startswith(static_prefix):
        return "static"
    return name


class MetricsMiddleware:
    """Count every request and time it, labelled by view name (never by path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUESTS.labels(view, method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(view, method).observe(time.perf_counter() - started)
        return response


# --- scrape-time pipeline metrics ----------------------------------------------------------------


class PipelineCollector:
    """Figures from the database, read at each scrape."""

    def __init__(self):
        self._lock = threading.Lock()
        self._kept: tuple[float, list, int] | None = None  # (expires, families, database_up)

    def collect(self):
        families, database_up = self._read()
        up = GaugeMetricFamily(
            "sinkron_metrics_database_up", "1 if the database figures below could be read."
        )
        up.add_metric([], database_up)
        yield up
        yield from families
        yield from self._breaker()

    def forget(self) -> None:
        with self._lock:
            self._kept = None

    def _read(self) -> tuple[list, int]:
        """The database figures, reused for METRICS_CACHE_SECONDS: two scrapers (an HA pair) or a
        curious operator cost one round of queries."""
        with self._lock:
            if self._kept and self._kept[0] > time.monotonic():
                return self._kept[1], self._kept[2]
            try:
                families, database_up = list(self._families(timezone.now())), 1
            except Exception:  # noqa: BLE001 - a scrape must still answer (and say the database is down)
                logger.warning("metrics: the database figures are unavailable", exc_info=True)
                families, database_up = [], 0
            self._kept = (time.monotonic() + settings.METRICS_CACHE_SECONDS, families, database_up)
            return families, database_up

    def _families(self, now):
        from notifications.models import Notification
        from sync import health as sync_health
        from sync.models import SyncAttempt, SyncJob
        from tickets.models import Ticket, TicketEvent
        from tickets.workflow import Status

        tickets = GaugeMetricFamily("sinkron_tickets", "Tickets by status.", labels=["status"])
        found = dict(Ticket.objects.order_by().values_list("status").annotate(n=Count("id")))
        for status in Status.values:
            tickets.add_metric([status], found.get(status, 0))
        yield tickets

        # One pass over the outbox for the states, the SLA breaches now and ever.
        by_state = {
            row["state"]: row
            for row in SyncJob.objects.order_by()
            .values("state")
            .annotate(
                n=Count("id"),
                breached=Count("id", filter=Q(sla_due_at__lt=now)),
                ever_breached=Count("id", filter=Q(escalated_at__isnull=False)),
            )
        }
        jobs = GaugeMetricFamily("sinkron_sync_jobs", "Outbox jobs by state.", labels=["state"])
        for state in SyncJob.State.values:
            jobs.add_metric([state], by_state.get(state, {}).get("n", 0))
        yield jobs

        pipeline = sync_health.pipeline_status(now)
        yield GaugeMetricFamily(
            "sinkron_sync_jobs_due", "Active jobs due now and held by no worker.", value=pipeline.due_jobs
        )
        yield GaugeMetricFamily(
            "sinkron_sync_oldest_due_age_seconds",
            "How long the oldest due job has waited (0 when none is due).",
            value=round(pipeline.oldest_due_seconds or 0.0, 3),
        )
        if pipeline.last_progress_seconds is not None:
            yield GaugeMetricFamily(
                "sinkron_sync_last_progress_age_seconds",
                "Seconds since a worker last finished a registry call.",
                value=round(pipeline.last_progress_seconds, 3),
            )
        if pipeline.last_sweep_seconds is not None:
            yield GaugeMetricFamily(
                "sinkron_sync_last_sweep_age_seconds",
                "Seconds since beat's sweeper last finished.",
                value=round(pipeline.last_sweep_seconds, 3),
            )
        checks = GaugeMetricFamily(
            "sinkron_sync_pipeline_check_ok",
            "1 if the pipeline check passes (see /healthz/pipeline).",
            labels=["check"],
        )
        for name, value in pipeline.checks.items():
            checks.add_metric([name], 1 if value == "ok" else 0)
        yield checks

        window = settings.METRICS_WINDOW_SECONDS
        recent = SyncAttempt.objects.order_by().filter(created_at__gte=now - timedelta(seconds=window))
        attempts = GaugeMetricFamily(
            "sinkron_sync_attempts_window",
            f"Registry calls (pushes, checks, expedites) in the last {window} s, by operation and outcome.",
            labels=["operation", "outcome"],
        )
        for operation, outcome, n in recent.values_list("operation", "outcome").annotate(n=Count("id")):
            attempts.add_metric([operation, outcome], n)
        yield attempts

        buckets = {
            f"le_{i}": Count("id", filter=Q(latency_ms__lte=int(bound * 1000)))
            for i, bound in enumerate(LATENCY_BUCKETS_SECONDS)
        }
        latency = GaugeHistogramMetricFamily(
            "sinkron_sync_attempt_latency_seconds",
            f"Latency of the registry calls made in the last {window} s, by operation.",
            labels=["operation"],
        )
        rows = (
            recent.filter(latency_ms__isnull=False)
            .values("operation")
            .annotate(n=Count("id"), total_ms=Sum("latency_ms"), **buckets)
        )
        for row in rows:
            latency.add_metric(
                [row["operation"]],
                [(str(bound), row[f"le_{i}"]) for i, bound in enumerate(LATENCY_BUCKETS_SECONDS)]
                + [("+Inf", row["n"])],
                gsum_value=(row["total_ms"] or 0) / 1000,
            )
        yield latency

        yield GaugeMetricFamily(
            "sinkron_sla_breached_jobs",
            "Jobs accepted by the centre, past their SLA and not verified yet.",
            value=by_state.get(SyncJob.State.ACCEPTED, {}).get("breached", 0),
        )
        breaches = CounterMetricFamily("sinkron_sla_breaches", "Jobs that ever passed their SLA unverified.")
        breaches.add_metric([], sum(row["ever_breached"] for row in by_state.values()))
        yield breaches
        escalations = CounterMetricFamily(
            "sinkron_ticket_escalations", "Tickets moved to escalated (SLA passed or pushes kept failing)."
        )
        escalations.add_metric(
            [], TicketEvent.objects.filter(kind=TicketEvent.Kind.STATUS, to_status=Status.ESCALATED).count()
        )
        yield escalations

        notifications = GaugeMetricFamily(
            "sinkron_notifications",
            "Notifications to citizens by status and channel.",
            labels=["status", "channel"],
        )
        for status, channel, n in (
            Notification.objects.order_by().values_list("status", "channel").annotate(n=Count("id"))
        ):
            notifications.add_metric([status, channel], n)
        yield notifications

    def _breaker(self):
        from sync import registry

        try:
            state = registry.default_breaker().state()
        except Exception:  # noqa: BLE001 - the cache (Redis) is down
            return
        breaker = GaugeMetricFamily(
            "sinkron_registry_circuit_open", "1 while the registry client's circuit breaker is open."
        )
        breaker.add_metric([], 1 if state == "open" else 0)
        yield breaker


PIPELINE_COLLECTOR = PipelineCollector()
PIPELINE_REGISTRY = CollectorRegistry()
PIPELINE_REGISTRY.register(PIPELINE_COLLECTOR)


def _request_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def render() -> bytes:
    return generate_latest(_request_registry()) + generate_latest(PIPELINE_REGISTRY)


# --- the view ------------------------------------------------------------------------------------

_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def scrape_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return _is_loopback(request.META.get("REMOTE_ADDR")) and not any(
        request.META.get(header) for header in _FORWARDING_HEADERS
    )


def metrics_view(request):
    if not scrape_allowed(request):
        if settings.METRICS_TOKEN:
            response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    response = HttpResponse(render(), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response
