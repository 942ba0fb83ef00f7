"""The roll-up over the nation's 514 offices, timed on a seeded bench database.

    .venv/bin/python -m bench.rollup                        # also run by `make bench`
    BENCH_SIZES="10000" .venv/bin/python -m bench.rollup    # a quick look

Per size it takes the seeded bench database (sinkron_bench_<size>; bench.run seeds it if missing)
as the template of sinkron_bench_rollup_<size>, gives that copy the Kemendagri tree's offices (38
provincial, every regency/city up to 514, one national) and spreads the tickets over the 514
regency/city offices by id (one UPDATE, then VACUUM ANALYZE), once. Then, with the production settings and no cache, it
times the roll-up for the nation (514 rows) and for one province (Central Java), the selectors alone
and the page through Django's test client as a national reader, and counts their queries. Results:
var/bench/rollup.json and docs/benchmarks.md between the rollup markers (BENCH_WRITE_DOCS=0 leaves
the docs alone).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import run as bench_run  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROLLUP_ROUNDS", "5"))
NATIONAL_USER = "bench_nasional"
PERIOD_DAYS = 30
log = bench_run.log


def rollup_database(size: int) -> str:
    """Return the URL of the size's roll-up copy, copying the seeded bench database if needed."""
    source = bench_run.ensure_database(size)
    name = f"sinkron_bench_rollup_{bench_run.label(size)}"
    marker = bench_run.marker(size) + " rollup=1"
    rows = bench_run.admin(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name
    )
    if not rows or rows[0][0] != marker:
        log(f"copying {source.rsplit('/', 1)[1]} to {name} and spreading it over 514 offices")
        bench_run.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        bench_run.admin(f'CREATE DATABASE "{name}" TEMPLATE "{source.rsplit("/", 1)[1]}"')
        child(f"{bench_run.PG_URL}/{name}", "--spread")
        bench_run.admin(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    return f"{bench_run.PG_URL}/{name}"


def child(url: str, *args: str) -> str:
    return subprocess.run(
        [bench_run.PYTHON, "-m", "bench.rollup", *args],
        cwd=REPO,
        env=bench_run.base_env(url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# --- in the child process (Django set up on the roll-up database) -------------------------------


def spread() -> None:
    """Add the region tree's offices and a national reader; spread the tickets over 514 offices."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from citizens import regions
    from tickets.models import Office, StaffProfile
    from tickets.permissions import NATIONAL_GROUP

    with transaction.atomic():
        known = set(Office.objects.values_list("code", flat=True))
        new = [
            Office(
                code=r.code.replace(".", ""),
                name=r.name,
                region_code=r.code,
                level=Office.Level.PROVINCE if r.level == regions.PROVINCE else Office.Level.REGENCY,
            )
            for r in regions.iter_regions(max_level=regions.REGENCY)
            if r.code.replace(".", "") not in known
        ]
        national = Office(code="00", name="Ditjen Dukcapil", region_code="", level=Office.Level.NATIONAL)
        Office.objects.bulk_create([*new, national])
        reader = get_user_model().objects.create(username=NATIONAL_USER, first_name="Pemantau")
        reader.groups.add(Group.objects.get(name=NATIONAL_GROUP))
        StaffProfile.objects.create(user=reader, office=national)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tickets_ticket AS t SET office_id = o.id FROM ("
                " SELECT id, row_number() OVER (ORDER BY region_code) - 1 AS n"
                " FROM tickets_office WHERE level = 2) AS o"
                " WHERE o.n = t.id % (SELECT count(*) FROM tickets_office WHERE level = 2)"
            )
    # The UPDATE rewrote every row: without a VACUUM (autovacuum's work in production) the visibility
    # map is empty, index-only scans read the heap, and the planner picks a whole-index scan instead.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_ticket")


def _timed(function) -> tuple[float, int]:
    """Return the median milliseconds of ROUNDS calls of `function` and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()  # warm caches (content types, permissions, plans)
    times = []
    for _round in range(ROUNDS):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        function()
    return round(statistics.median(times), 1), len(captured)


def measure() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core.scoping import scope_of
    from desk.selectors.dashboard import Period
    from offices import selectors
    from tickets.models import Office, Ticket

    reader = get_user_model().objects.get(username=NATIONAL_USER)
    scope, period = scope_of(reader), Period.last_days(PERIOD_DAYS)
    client = Client()
    client.force_login(reader, backend="helpdesk.backends.DeskBackend")

    def page(query: str):
        def get():
            response = client.get(f"/wilayah/?period={PERIOD_DAYS}{query}")
            assert response.status_code == 200, response.status_code

        return get

    results = {
        "tickets": Ticket.objects.count(),
        "offices": Office.objects.filter(level=Office.Level.REGENCY).count(),
        "period_days": PERIOD_DAYS,
    }
    for name, province in (("national", ""), ("province", "33")):
        offices = selectors.offices_shown(scope, province)
        ms, queries = _timed(lambda offices=offices: selectors.rollup(offices, period))
        page_ms, page_queries = _timed(page(f"&provinsi={province}" if province else ""))
        results[name] = {
            "rows": offices.count(),
            "selectors_ms": ms,
            "selectors_queries": queries,
            "page_ms": page_ms,
            "page_queries": page_queries,
        }
    return results


def child_main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv == ["--spread"]:
        spread()
    else:
        print(json.dumps(measure()))
    return 0


# --- the report --------------------------------------------------------------------------------------


def render(all_results: list[dict]) -> str:
    lines = [
        f"Roll-up `/wilayah/` uncached, period {PERIOD_DAYS} days, median of {ROUNDS} runs, as the national reader"
        " (`python -m bench.rollup`).",
        "",
        "| tickets | offices | scope | rows | selectors ms | queries | page ms | page queries |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for results in all_results:
        for scope in ("national", "province"):
            row = results[scope]
            lines.append(
                f"| {results['tickets']:,} | {results['offices']} | {scope} | {row['rows']} | {row['selectors_ms']}"
                f" | {row['selectors_queries']} | {row['page_ms']} | {row['page_queries']} |"
            )
    return "\n".join(lines)


def main() -> int:
    if sys.argv[1:]:
        return child_main(sys.argv[1:])
    bench_run.VAR.mkdir(parents=True, exist_ok=True)
    (bench_run.VAR / "var").mkdir(exist_ok=True)
    all_results = []
    for size in bench_run.SIZES:
        log(f"=== roll-up, {size:,} tickets ===")
        all_results.append(json.loads(child(rollup_database(size), "--measure")))
    (bench_run.VAR / "rollup.json").write_text(json.dumps(all_results, indent=1))
    print(render(all_results))
    if os.environ.get("BENCH_WRITE_DOCS", "1") == "1":
        docs = bench_run.DOCS
        docs.write_text(bench_run.replace_between(docs.read_text(), "rollup", render(all_results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
