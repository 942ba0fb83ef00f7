"""Profile one page in-process: N requests through Django's test client on a seeded bench database.

    .venv/bin/python -m bench.profile status_json 500          # wall and CPU ms per request
    .venv/bin/python -m bench.profile queue 100 --cprofile     # and cProfile's top functions
    .venv/bin/python -m bench.profile queue 200 --cprofile=get_token   # and the functions matching a pattern
    .venv/bin/python -m bench.profile queue 1 --queries        # and the SQL of one request
    .venv/bin/python -m bench.profile dashboard 1 --explain    # and each SELECT's planning and execution time
    BENCH_PROFILE_SIZE=10000 .venv/bin/python -m bench.profile detail 200

Pages: floor, status_json, status_form, status_page (the empty form: the frame), queue, queue_status,
detail, dashboard, intake. Same production settings and database as `make bench` (bench/run.py seeds
it when missing); no gunicorn, no wrk: CPU per request of the page alone, steadier than load-test
figures on a shared machine.
"""

import cProfile
import json
import os
import pstats
import subprocess
import sys
import time

PAGES = (
    "floor",
    "status_json",
    "status_form",
    "status_page",
    "queue",
    "queue_status",
    "detail",
    "dashboard",
    "intake",
)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in PAGES:
        sys.exit(__doc__)
    if os.environ.get("BENCH_PROFILE_CHILD") != "1":
        from bench import run as bench_run

        url = bench_run.ensure_database(int(os.environ.get("BENCH_PROFILE_SIZE", "1000000")))
        env = bench_run.base_env(url, BENCH_PROFILE_CHILD="1", PYTHONPATH=str(bench_run.REPO))
        return subprocess.run(
            [sys.executable, "-m", "bench.profile", *argv], cwd=bench_run.REPO, env=env
        ).returncode
    focus = next((a.split("=", 1)[1] for a in argv if a.startswith("--cprofile=")), None)
    return profile(
        argv[0],
        int(argv[1]),
        cprofile="--cprofile" in argv or focus is not None,
        focus=focus,
        queries="--queries" in argv,
        explain="--explain" in argv,
    )


def profile(
    page: str,
    n: int,
    *,
    cprofile: bool,
    focus: str | None = None,
    queries: bool = False,
    explain: bool = False,
) -> int:
    import django

    django.setup()
    request = _requests(page)
    for i in range(5):  # warm per-process caches
        response = request(i)
    assert response.status_code in (200, 302), (page, response.status_code)
    if queries:
        _print_queries(request)
    if explain:
        _explain_queries(request)
    profiler = cProfile.Profile() if cprofile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for i in range(n):
        request(i)
    if profiler:
        profiler.disable()
    wall, cpu = (time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000
    print(
        f"{page}: {n} requests, wall {wall:.2f} ms, CPU {cpu:.2f} ms per request"
        f"{' (under cProfile)' if profiler else ''}"
    )
    if profiler:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        restrictions = (focus, 40) if focus else (40,)
        stats.print_stats(*restrictions)
    return 0


def _captured(request) -> list[dict]:
    """Return the statements of one more request (sql, time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        request(5)
    return captured.captured_queries


def _print_queries(request) -> None:
    """Print the statements of one more request, each with its time."""
    captured = _captured(request)
    for query in captured:
        print(f"{query['time']:>6} s  {query['sql'][:300]}")
    print(f"{len(captured)} statements")


def _explain_queries(request) -> None:
    """Print each SELECT of one more request with PostgreSQL's planning and execution time: where a
    page's database time goes (the plan of many small queries is often most of it)."""
    from django.db import connection

    captured = _captured(request)
    planning = execution = 0.0
    with connection.cursor() as cursor:
        for query in captured:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) {query['sql']}")
            plan = cursor.fetchone()[0][0]
            planning, execution = planning + plan["Planning Time"], execution + plan["Execution Time"]
            print(
                f"plan {plan['Planning Time']:6.2f} ms  run {plan['Execution Time']:6.2f} ms  {query['sql'][:150]}"
            )
    print(f"{len(captured)} statements; SELECTs planned in {planning:.1f} ms, run in {execution:.1f} ms")


def _requests(page: str):
    """Return request(i) for the page: distinct tickets and NIKs across i, like the wrk scripts."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.seed import BENCH_USER, ticket_identity
    from tickets.models import Ticket

    size = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    pairs = [ticket_identity(size, j) for j in range(0, size, max(1, size // 2000))]
    mine = [p for p in pairs if p["office"] == 0]
    staff, public = Client(), Client()
    staff.force_login(
        get_user_model().objects.get(username=BENCH_USER), backend="helpdesk.backends.DeskBackend"
    )
    run = os.getpid() % 100

    def intake(i):
        day, serial = 1 + i // 9000 % 28, i % 9000 + 1
        return staff.post(
            "/tiket/baru/",
            {
                "nik": f"331907{day:02d}01{run:02d}{serial:04d}",
                "full_name": "Bench Profil",
                "birth_date": f"19{run:02d}-01-{day:02d}",
                "sex": "L",
                "phone": "",
                "email": "",
                "kk_number": f"331907{day:02d}0120{serial:04d}",
                "kk_number_old": "",
                "category": "kk_mismatch",
                "service": "bpjs",
                "deadline": "",
                "description": "profil",
            },
        )

    return {
        "floor": lambda i: public.get(f"/bench/floor/?id={1 + i % size}"),
        "status_json": lambda i: public.post(
            "/api/v1/status",
            json.dumps({"nik": pairs[i % len(pairs)]["nik"], "kode": pairs[i % len(pairs)]["code"]}),
            content_type="application/json",
        ),
        "status_form": lambda i: public.post(
            "/cek-status/", {"nik": pairs[i % len(pairs)]["nik"], "kode": pairs[i % len(pairs)]["code"]}
        ),
        "status_page": lambda i: public.get("/cek-status/"),
        "queue": lambda i: staff.get("/tiket/"),
        "queue_status": lambda i: staff.get("/tiket/?status=sent"),
        "detail": lambda i: staff.get(f"/tiket/{mine[i % len(mine)]['code']}/"),
        "dashboard": lambda i: staff.get("/dasbor/"),
        "intake": intake,
    }[page]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
