"""Large tables at a seeded size: bytes per ticket, the retention purge's scan and throughput.

    DATABASE_URL=postgres://.../sinkron_bench_1m <bench secrets> .venv/bin/python -m bench.large_tables

(the hot pages' query plans come from bench/queries.py with BENCH_EXPLAIN.) Prints JSON for
docs/scaling.md "Large tables":
- table and index bytes of tickets, timeline, sync jobs, attempts, citizens, per ticket;
- the nightly purge's candidate walk when nothing is due (every citizen checked, none purgeable:
  a cutoff before the oldest ticket), as EXPLAIN ANALYZE and seconds;
- the purge itself for BENCH_PURGE_SECONDS (default 30) at the default retention: citizens a second.
  This writes: it erases the personal data of the oldest citizens of the bench database.
"""

import datetime as dt
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

TABLES = [
    "tickets_ticket",
    "tickets_ticketevent",
    "sync_syncjob",
    "sync_syncattempt",
    "citizens_citizen",
    "notifications_notification",
]


def table_sizes(cursor, tickets: int) -> dict:
    sizes = {}
    for table in TABLES:
        cursor.execute(
            "SELECT pg_table_size(%s), pg_indexes_size(%s), (SELECT reltuples FROM pg_class WHERE relname = %s)",
            [table, table, table],
        )
        data, indexes, rows = cursor.fetchone()
        sizes[table] = {
            "rows": int(rows),
            "rows_per_ticket": round(rows / tickets, 2),
            "mb": round((data + indexes) / 2**20, 1),
            "bytes_per_ticket": round((data + indexes) / tickets),
        }
    return sizes


def explain(cursor, queryset) -> tuple[str, float]:
    sql, params = queryset.query.sql_with_params()
    began = time.perf_counter()
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan, round(time.perf_counter() - began, 2)


def main() -> int:
    import django

    django.setup()
    from django.db import connection

    from desk import retention
    from tickets.models import Ticket

    tickets = Ticket.objects.count()
    oldest = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    report = {"tickets": tickets}
    with connection.cursor() as cursor:
        report["tables"] = table_sizes(cursor, tickets)
        nothing_due = oldest - dt.timedelta(days=1)
        walk = retention.purgeable_citizens(nothing_due).order_by("pk").values("pk")[: retention.BATCH_SIZE]
        report["purge_walk_nothing_due"] = dict(zip(("plan", "seconds"), explain(cursor, walk), strict=True))
        due = retention.purgeable_citizens(retention.retention_cutoff())
        report["citizens_due_at_default_retention"] = due.count()
    budget = float(os.environ.get("BENCH_PURGE_SECONDS", "30"))
    began = time.perf_counter()
    purged = retention.purge_personal_data(time_budget=budget, actor_label="bench")
    seconds = time.perf_counter() - began
    report["purge"] = {
        "seconds": round(seconds, 1),
        "citizens": purged.citizens,
        "tickets": purged.tickets,
        "citizens_per_second": round(purged.citizens / seconds, 1),
    }
    json.dump(report, sys.stdout, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
