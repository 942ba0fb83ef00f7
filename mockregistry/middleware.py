"""Count every registry call, and inject the faults set through /_control/faults.

Faults touch the registry API (`/api/v1/...`) only; `/api/v1/health` and `/_control/...` always
answer truthfully, so tests and the demo can still see and steer a registry that is "down".
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from mockregistry import control
from mockregistry.models import RateWindow, RequestRecord

logger = logging.getLogger("mockregistry")

API_PREFIX = "/api/v1/"
HEALTH_PATH = "/api/v1/health"
WORKER_HEADER = "X-Registry-Worker"

_rng = random.SystemRandom()


def is_registry_call(request) -> bool:
    """Tell whether the request is an API call that faults and counters apply to."""
    return request.path.startswith(API_PREFIX) and request.path != HEALTH_PATH


def spend_fault_delay(request) -> None:
    """Sleep the injected latency drawn for this request, once.

    Views that hold an Idempotency-Key call this themselves, so the delay is spent while the key is
    held, like a slow centre; every other view gets it before it runs.
    """
    delay = getattr(request, "fault_delay_seconds", 0.0)
    request.fault_delay_seconds = 0.0
    if delay > 0:
        time.sleep(delay)


def spends_fault_delay(view):
    """Mark a view that calls `spend_fault_delay` itself."""
    view.spends_fault_delay = True
    return view


class RequestStatsMiddleware:
    """Record each registry call (route name, status, duplicate kind) for /_control/stats."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response[WORKER_HEADER] = str(os.getpid())
        if is_registry_call(request):
            self._record(request, response)
        return response

    def _record(self, request, response) -> None:
        status = "dropped" if getattr(request, "registry_dropped", False) else str(response.status_code)
        try:
            RequestRecord.objects.create(
                at=timezone.now(),
                method=request.method[:8],
                endpoint=_endpoint_name(request),
                status=status,
                duplicate=getattr(request, "registry_duplicate", ""),
            )
        except DatabaseError:
            logger.exception("could not record a request for the stats")


class FaultInjectionMiddleware:
    """Answer with outages, rate limits and errors, add latency, or drop the connection, as set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_registry_call(request):
            return self.get_response(request)
        faults = control.current_faults()
        refusal = self._refusal(faults)
        if refusal is not None:
            return refusal
        drop = _happens(faults["drop_rate"])
        if drop and faults["drop_phase"] == "before":
            return _drop_connection(request, HttpResponse(status=503))
        request.fault_delay_seconds = _draw_delay_seconds(faults)
        response = self.get_response(request)
        return _drop_connection(request, response) if drop else response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "spends_fault_delay", False):
            spend_fault_delay(request)
        return None

    def _refusal(self, faults: dict):
        now = timezone.now()
        outage_left = control.outage_retry_after(faults, now)
        if outage_left is not None:
            return _with_retry_after(
                JsonResponse({"error": "outage", "detail": "Registry is down for maintenance."}, status=503),
                outage_left,
            )
        limit = faults["rate_limit_per_second"]
        if limit and _count_hit(now) > limit:
            body = {"error": "rate_limited", "detail": f"More than {limit} requests per second."}
            return _with_retry_after(JsonResponse(body, status=429), 1)
        if _happens(faults["error_rate"]):
            status = _rng.choice(faults["error_statuses"])
            return JsonResponse({"error": "server_error", "detail": "Injected fault."}, status=status)
        return None


def _happens(share: float) -> bool:
    return share > 0 and _rng.random() < share


def _draw_delay_seconds(faults: dict) -> float:
    milliseconds = faults["latency_ms"] + (_rng.uniform(0, faults["jitter_ms"]) if faults["jitter_ms"] else 0)
    return milliseconds / 1000


def _with_retry_after(response, seconds: int):
    response["Retry-After"] = str(seconds)
    return response


def _drop_connection(request, response):
    """Close the client's connection so it never gets `response` (gunicorn only)."""
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        body = {"error": "drop_unsupported", "detail": "Dropping needs gunicorn (its socket)."}
        return JsonResponse(body, status=500)
    request.registry_dropped = True
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client went away first: the connection is just as dropped
    return response


def _count_hit(now) -> int:
    """Count this call in its wall-clock second, atomically across processes; return the count."""
    second = int(now.timestamp())
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (epoch_second, hits) VALUES (%s, 1) "
            f"ON CONFLICT (epoch_second) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [second],
        )
        hits = cursor.fetchone()[0]
    if _rng.random() < 0.01:
        RateWindow.objects.filter(epoch_second__lt=second - 60).delete()
    return hits


def _endpoint_name(request) -> str:
    match = request.resolver_match  # set when Django routed the request: no second resolve()
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    name = (match.url_name if match else None) or "unknown"
    return f"{name}_{request.method.lower()}"[:32]
