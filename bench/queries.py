"""Count the SQL queries of each benchmarked page, and EXPLAIN ANALYZE the slowest ones.

Run by bench/run.py against a seeded database (same environment as gunicorn); prints JSON:
{scenario: {"queries": n, "wall_ms": one request alone, "sql_ms": total, "slowest": [{"ms", "sql", "plan"}]}}.
Each page is requested twice with Django's test client and counted the second time (the first
warms per-process caches such as content types), as the bench supervisor.
"""

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")


def main() -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.seed import BENCH_USER, ticket_identity
    from tickets.models import Ticket

    size = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    sample = next(
        ticket_identity(size, j) for j in range(size // 2, size) if ticket_identity(size, j)["office"] == 0
    )
    user = get_user_model().objects.get(username=BENCH_USER)
    staff = Client()
    staff.force_login(user, backend="helpdesk.backends.DeskBackend")
    public = Client()
    run = int(os.environ.get("BENCH_INTAKE_RUN", "0")) or (os.getpid() % 10_000)
    serial = [0]

    def intake():
        serial[0] += 1
        year, month, day, n = run % 100, 1 + (run // 100) % 12, 1 + serial[0], 1 + run % 9000
        return staff.post(
            "/tiket/baru/",
            {
                "nik": f"331909{day:02d}{month:02d}{year:02d}{n:04d}",
                "full_name": "Bench Hitung Query",
                "birth_date": f"19{year:02d}-{month:02d}-{day:02d}",
                "sex": "L",
                "phone": "",
                "email": "",
                "kk_number": f"331909{day:02d}{month:02d}20{n:04d}",
                "kk_number_old": "",
                "category": "kk_mismatch",
                "service": "bpjs",
                "deadline": "",
                "description": "hitung query",
            },
        )

    pages = {
        "floor": lambda: public.get(f"/bench/floor/?id={size // 2}"),
        "status_json": lambda: public.post(
            "/api/v1/status", {"nik": sample["nik"], "kode": sample["code"]}, content_type="application/json"
        ),
        "status_form": lambda: public.post("/cek-status/", {"nik": sample["nik"], "kode": sample["code"]}),
        "queue": lambda: staff.get("/tiket/"),
        "queue_status": lambda: staff.get("/tiket/?status=sent"),
        "queue_search": lambda: staff.post("/tiket/", {"q": sample["nik"]}),
        "queue_name": lambda: staff.post("/tiket/", {"q": "siti rahayu"}),
        "queue_last4": lambda: staff.post("/tiket/", {"q": sample["nik"][-4:]}),
        "queue_deep": lambda: staff.get("/tiket/?page=400"),
        "detail": lambda: staff.get(f"/tiket/{sample['code']}/"),
        "dashboard": lambda: staff.get("/dasbor/"),
        "intake": intake,
    }
    explain = set(
        os.environ.get(
            "BENCH_EXPLAIN",
            "queue queue_status queue_search queue_name queue_last4 queue_deep detail dashboard status_json intake",
        ).split()
    )
    report = {}
    for name, request in pages.items():
        request()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = request()
            wall_ms = (time.perf_counter() - began) * 1000
        assert response.status_code in (200, 302), (name, response.status_code)
        timed = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        entry = {
            "queries": len(captured),
            "status": response.status_code,
            "wall_ms": round(wall_ms, 1),
            "sql_ms": round(sum(float(q["time"]) for q in timed) * 1000, 1),
            "slowest": [],
        }
        for query in timed[:3]:
            item = {"ms": round(float(query["time"]) * 1000, 2), "sql": query["sql"]}
            if (
                name in explain
                and query["sql"].lstrip().upper().startswith("SELECT")
                and len(entry["slowest"]) < 2
            ):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    item["plan"] = "\n".join(row[0] for row in cursor.fetchall())
            entry["slowest"].append(item)
        report[name] = entry
    json.dump(report, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
