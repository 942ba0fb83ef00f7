"""Probes: /healthz (the process answers), /readyz (it can serve), /healthz/pipeline (work flows).

All three are unauthenticated, GET-only and cheap, and say nothing an outsider could use: check
names and ok/fail, never a host, a password or an exception text (those go to the log, masked).

ProbeMiddleware answers them (and /metrics) before SecurityMiddleware and CommonMiddleware, so a
container healthcheck or a scraper that reaches the process as http://127.0.0.1:8000 or by its
container address is neither refused by ALLOWED_HOSTS nor redirected to https; nothing they return
depends on the Host header. The same views are in urls.py too, for reverse() and for a project
that leaves the middleware out.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseNotAllowed, JsonResponse

from sync import health as sync_health

logger = logging.getLogger(__name__)
OK, FAIL = "ok", "fail"


# --- the readiness checks ------------------------------------------------------------------------


def _failed(name: str, exc: BaseException) -> str:
    # Logged for the operator (the formatter masks any 16-digit number), never returned.
    logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, str(exc)[:200])
    return FAIL


def check_database(connection=None) -> str:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # so the next probe reconnects
        return _failed("database", exc)


_migrated: set[str] = set()  # aliases found fully migrated: code and schema do not drift apart later


def check_migrations(connection=None) -> str:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if connection.alias in _migrated:
        return OK
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return _failed("migrations", exc)
    if plan:
        logger.warning("readiness check migrations failed: %d unapplied", len(plan))
        return FAIL
    _migrated.add(connection.alias)
    return OK


def check_redis(url: str, *, timeout: float | None = None) -> str:
    import redis  # celery[redis] brings it

    timeout = settings.READYZ_TIMEOUT_SECONDS if timeout is None else timeout
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
        return OK
    except Exception as exc:  # noqa: BLE001
        return _failed("redis", exc)
    finally:
        client.close()


def check_registry(*, timeout: float | None = None) -> str:
    timeout = settings.READYZ_TIMEOUT_SECONDS if timeout is None else timeout
    url = settings.REGISTRY_URL.rstrip("/") + "/health"
    try:
        response = httpx.get(
            url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {settings.REGISTRY_TOKEN}", "Accept": "application/json"},
        )
    except Exception as exc:  # noqa: BLE001
        return _failed("registry", exc)
    if response.status_code != 200:
        logger.warning("readiness check registry failed: HTTP %s", response.status_code)
        return FAIL
    return OK


def _is_redis(url: str) -> bool:
    return urlsplit(url).scheme in ("redis", "rediss")


def readiness() -> dict[str, str]:
    """Run every readiness check; return {check name: "ok" | "fail"}."""
    checks = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"] == OK else FAIL
    if settings.REDIS_URL:
        checks["redis"] = check_redis(settings.REDIS_URL)
    broker = settings.CELERY_BROKER_URL
    if _is_redis(broker) and broker != settings.REDIS_URL:
        checks["broker"] = check_redis(broker)
    checks["registry"] = check_registry()
    return checks


def is_ready(checks: dict[str, str]) -> bool:
    soft = set(settings.READYZ_SOFT_CHECKS)
    return all(value == OK for name, value in checks.items() if name not in soft)


# --- a tiny per-process memo, so a flood of probes cannot turn into a flood of work ---------------

_memo: dict[str, tuple[float, object]] = {}
_memo_lock = threading.Lock()


def memoized(key: str, compute):
    ttl = settings.OPS_PROBE_CACHE_SECONDS
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    with _memo_lock:
        hit = _memo.get(key)
    if hit and hit[0] > now:
        return hit[1]
    value = compute()
    with _memo_lock:
        _memo[key] = (now + ttl, value)
    return value


def clear_memo() -> None:
    with _memo_lock:
        _memo.clear()
    _migrated.clear()


# --- views ---------------------------------------------------------------------------------------


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """The process is up and serving Python. No database, no network: a liveness probe."""
    return _json({"status": OK})


def readyz(request):
    """Can this process serve requests: database (migrated), Redis, the registry. 503 if not."""
    checks = memoized("readyz", readiness)
    ready = is_ready(checks)
    return _json({"status": OK if ready else FAIL, "checks": checks}, status=200 if ready else 503)


def pipeline_status() -> dict:
    try:
        return sync_health.pipeline_status().as_dict()
    except Exception as exc:  # noqa: BLE001 - the database is down: that is a failure too
        _failed("pipeline", exc)
        return {"status": FAIL, "checks": {"database": FAIL}, "reasons": ["database unavailable"]}


def pipeline(request):
    """Is work flowing: due jobs taken up, the backlog bounded, beat's sweeper running. 503 if not."""
    body = memoized("pipeline", pipeline_status)
    return _json(body, status=200 if body["status"] == OK else 503)


# --- the middleware ------------------------------------------------------------------------------


def _endpoints():
    from helpdesk import metrics

    return {
        "/healthz": ("healthz", healthz),
        "/readyz": ("readyz", readyz),
        "/healthz/pipeline": ("pipeline", pipeline),
        "/metrics": ("metrics", metrics.metrics_view),
    }


class ProbeMiddleware:
    """Answer the probes and /metrics before host validation, https redirects, sessions and i18n."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.endpoints = _endpoints()

    def __call__(self, request):
        found = self.endpoints.get(request.path_info)
        if found is None:
            return self.get_response(request)
        name, view = found
        request.ops_endpoint = name
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)
