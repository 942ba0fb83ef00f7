"""What the bench databases' sessions are doing: sampled from pg_stat_activity while a load runs.

    .venv/bin/python -m bench.waits 20      # 20 s of samples, 50 a second, in another terminal

Each line is how often a state (and what it waited for) was seen: "idle in transaction /
ClientRead" is the application's own work inside an open transaction, "IO / WALSync" a commit
waiting for the disk, "Lock / ..." a row or table lock. Used for round 4's intake question
(docs/benchmarks.md): lock waits, commits, or the application?
"""

import collections
import sys
import time

import psycopg2

from bench import run as bench_run

QUERY = """
SELECT state, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-')
  FROM pg_stat_activity
 WHERE datname LIKE %s AND state <> 'idle' AND pid <> pg_backend_pid()
"""


def sample(
    seconds: float, *, databases: str = "sinkron_bench%", interval: float = 0.02
) -> tuple[int, collections.Counter]:
    """Return how many samples were taken and how often each (state, wait type, wait) was seen."""
    connection = psycopg2.connect(f"{bench_run.PG_URL}/postgres")
    connection.autocommit = True
    seen, samples, deadline = collections.Counter(), 0, time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(QUERY, [databases])
            seen.update(cursor.fetchall())
            samples += 1
            time.sleep(interval)
    connection.close()
    return samples, seen


def main(argv: list[str]) -> int:
    samples, seen = sample(float(argv[0]) if argv else 20)
    total = sum(seen.values()) or 1
    print(f"{samples} samples, {total} busy sessions seen")
    for (state, kind, event), count in seen.most_common(12):
        print(f"{100 * count / total:5.1f} %  {state} / {kind} / {event}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
