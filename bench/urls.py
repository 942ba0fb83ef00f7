"""The help desk's URLs plus the benchmark's floor: a bare view doing one indexed query.

Served only by `make bench` (ROOT_URLCONF=bench.urls). The floor runs through the same middleware
stack in the same gunicorn worker, so "page latency / floor latency" is what the page itself costs.

BENCH_RATELIMIT=off (bench only) swaps the public status page's limiter for one that always allows,
so the limiter's own cost can be measured against a run with it on.
"""

import os

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from tickets import public_views


def floor(request):
    """Return one indexed lookup by primary key: the cheapest database-backed page there is."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM tickets_ticket WHERE id = %s", [int(request.GET.get("id", 1))])
        row = cursor.fetchone()
    return HttpResponse(row[0] if row else "-", content_type="text/plain")


if os.environ.get("BENCH_RATELIMIT", "on") == "off":
    public_views._within_limits = lambda *args, **kwargs: True

urlpatterns = [
    path("bench/floor/", floor),
    path("", include("helpdesk.urls")),
]
