"""Sync throughput: N jobs through real Celery workers against the mock registry, per pool and latency.

    .venv/bin/python -m bench.sync_throughput        # also run by `make bench` (bench/run.py)

For each added registry latency (BENCH_SYNC_LATENCIES, ms) it starts the mock registry
(tests/support/registry_process.py: its own PostgreSQL database, gunicorn 2x16 threads, every
update applied 2 s after acceptance), and for each worker pool (BENCH_SYNC_POOLS, "pool:concurrency")
it creates BENCH_SYNC_JOBS fresh tickets with pending outbox rows in sinkron_bench_sync, publishes a
push for each, starts `celery -A helpdesk worker --pool <pool> --concurrency <n>` on a Redis db of
its own, and times the pushes; then it makes every accepted job due and times the checks (each
check is two registry calls). Throughput is taken between 10% and 90% of the jobs done (no start-up
or tail); the worker's memory is the peak resident set of the worker and its children, sampled
every 0.2 s. CPU per job is counted from the moment the started worker has gone idle, so its
start-up (imports, Django setup) is not charged to the pushes. Results: var/bench/sync.json and
docs/benchmarks.md between the sync markers (BENCH_WRITE_DOCS=0 leaves the docs alone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import run as bench_run  # noqa: E402
from tests.support.registry_process import RegistryProcess  # noqa: E402

JOBS = int(os.environ.get("BENCH_SYNC_JOBS", "3000"))
LATENCIES = [int(x) for x in os.environ.get("BENCH_SYNC_LATENCIES", "0 50").split()]
# "pool:concurrency[:fix]"; ":fix" runs the worker with one shared SSL context (bench/celery_app.py).
POOLS = os.environ.get("BENCH_SYNC_POOLS", "threads:32 prefork:8").split()
BROKER_URL = os.environ.get("BENCH_SYNC_BROKER_URL", "redis://127.0.0.1:6379/13")
DATABASE = "sinkron_bench_sync"
TIMEOUT = float(os.environ.get("BENCH_SYNC_TIMEOUT", "300"))
log = bench_run.log


def database_url() -> str:
    return f"{bench_run.PG_URL}/{DATABASE}"


def worker_env(registry: RegistryProcess) -> dict:
    return bench_run.base_env(
        database_url(),
        CELERY_BROKER_URL=BROKER_URL,
        REGISTRY_URL=registry.api_url,
        REGISTRY_TOKEN=registry.registry_token,
        REGISTRY_BREAKER_THRESHOLD="1000",
        NOTIFY_CHANNEL="console",
        LOG_LEVEL="WARNING",
    )


def prepare_database() -> None:
    bench_run.admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    bench_run.admin(f'CREATE DATABASE "{DATABASE}"')
    env = bench_run.base_env(database_url())
    subprocess.run(
        [bench_run.PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True
    )
    code = (
        "from tickets.models import Office\nfrom django.contrib.auth import get_user_model\n"
        "Office.objects.create(code='3319', name='Disdukcapil Kabupaten Kudus', region_code='33.19')\n"
        "get_user_model().objects.create(username='clerk')\n"
    )
    subprocess.run([bench_run.PYTHON, "manage.py", "shell", "-c", code], cwd=REPO, env=env, check=True)


MAKE_JOBS = r"""
import datetime, json, sys
from django.utils import timezone
from django.contrib.auth import get_user_model
from citizens.models import Citizen, nik_digest
from sync.models import SyncJob
from sync.services import payload_for
from tickets.models import Office, Ticket
from bench.seed import card_number, citizen_identity, ticket_code

first, count = int(sys.argv[1]), int(sys.argv[2])
office, clerk, now = Office.objects.get(), get_user_model().objects.get(username="clerk"), timezone.now()
citizens = []
for c in range(first, first + count):
    nik, birth, sex = citizen_identity(c)
    citizens.append(Citizen(nik=nik, nik_digest=nik_digest(nik), nik_last4=nik[-4:], full_name=f"Bench Sync {c}",
                            birth_date=birth, sex=sex))
Citizen.objects.bulk_create(citizens, batch_size=1000)
tickets = []
for citizen, c in zip(citizens, range(first, first + count)):
    kk = card_number(c)
    tickets.append(Ticket(code=ticket_code(c), office=office, citizen=citizen, category="kk_mismatch",
                          service="bpjs", kk_number=kk, kk_last4=kk[-4:], created_by=clerk, assignee=clerk,
                          due_at=now + datetime.timedelta(days=1)))
Ticket.objects.bulk_create(tickets, batch_size=1000)
jobs = [SyncJob(ticket=t, payload_json=json.dumps(payload_for(t)), next_attempt_at=now) for t in tickets]
SyncJob.objects.bulk_create(jobs, batch_size=1000)
# How the centre knows each citizen before the update: on an older card (it refuses an update for
# a NIK it has never heard of, documents_required, as the real centre does).
residents = [{"nik": c.nik, "full_name": c.full_name, "birth_date": c.birth_date.isoformat(), "sex": c.sex,
              "kk_number": card_number(n + OLD_CARDS), "state": "active"}
             for c, n in zip(citizens, range(first, first + count))]
print(json.dumps({"ids": [j.pk for j in jobs], "residents": residents}))
"""
OLD_CARDS = 50_000_000  # card indexes of the citizens' previous KK: apart from the new ones'


PUBLISH = r"""
import json, sys
from sync import tasks
for job_id in json.load(sys.stdin):
    tasks.nudge(job_id, sys.argv[1])
"""


def make_jobs(first: int, env: dict) -> tuple[list[int], list[dict]]:
    """Create JOBS tickets with their pending jobs; return the job ids and the residents to seed."""
    output = subprocess.run(
        [
            bench_run.PYTHON,
            "manage.py",
            "shell",
            "-c",
            MAKE_JOBS.replace("sys.argv[1]", str(first))
            .replace("sys.argv[2]", str(JOBS))
            .replace("OLD_CARDS", str(OLD_CARDS)),
        ],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    made = json.loads(output.strip().splitlines()[-1])
    return made["ids"], made["residents"]


def publish(job_ids: list[int], state: str, env: dict) -> None:
    subprocess.run(
        [bench_run.PYTHON, "manage.py", "shell", "-c", PUBLISH.replace("sys.argv[1]", repr(state))],
        cwd=REPO,
        env=env,
        input=json.dumps(job_ids),
        text=True,
        check=True,
        capture_output=True,
    )


def rss_kb(pid: int) -> int:
    """Return the resident memory of `pid` and all its descendants (kB)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(p) for p in children.read().split())
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total


class CpuMeter:
    """CPU spent by the worker, the mock registry and both databases' backends since the last reset.

    Per job it does not depend on how busy the machine is, unlike jobs per second: 2,000 ms over the
    sum is what two idle cores could push (or check) at most.
    """

    def __init__(self, worker_pid: int, registry: RegistryProcess):
        self.worker_pid, self.registry = worker_pid, registry
        self.reset()

    def _sample(self) -> dict[str, dict[int, float]]:
        databases = [DATABASE, self.registry.database_name]
        backends = [
            row[0]
            for row in bench_run.admin("SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", databases)
        ]
        return {
            "worker": bench_run.cpu_times(bench_run.process_tree(self.worker_pid)),
            "registry": bench_run.cpu_times(bench_run.process_tree(self.registry._process.pid)),
            "database": bench_run.cpu_times(backends),
        }

    def reset(self) -> None:
        self.start = self._sample()

    def per_job(self, jobs: int) -> dict[str, float]:
        now = self._sample()
        return {part: 1000 * bench_run.cpu_used(self.start[part], now[part]) / jobs for part in now}


def wait_until_idle(worker: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the worker has started and spends (next to) no CPU, i.e. waits for messages."""
    quiet, last, deadline = 0, None, time.monotonic() + timeout
    while quiet < 5 and time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the worker died")
        used = sum(bench_run.cpu_times(bench_run.process_tree(worker.pid)).values())
        quiet = quiet + 1 if last is not None and used - last < 0.01 else 0
        last = used
        time.sleep(0.2)


def count(connection, sql: str, ids: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        return cursor.fetchone()[0]


def watch(connection, sql: str, ids: list[int], worker: subprocess.Popen, peak: dict) -> dict:
    """Poll until every job in `ids` is done per `sql`; return throughput between 10% and 90%."""
    total, marks, start = len(ids), {}, time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        done = count(connection, sql, ids)
        now = time.monotonic()
        peak["rss_kb"] = max(peak.get("rss_kb", 0), rss_kb(worker.pid))
        for fraction in (0.1, 0.9, 1.0):
            if fraction not in marks and done >= fraction * total:
                marks[fraction] = now
        if done >= total:
            break
        if worker.poll() is not None:
            raise RuntimeError("the worker died")
        time.sleep(0.2)
    else:
        raise RuntimeError(f"only {done}/{total} done after {TIMEOUT} s")
    return {
        "per_second": 0.8 * total / max(1e-6, marks[0.9] - marks[0.1]),
        "seconds_total": marks[1.0] - start,
    }


def too_few_accepted(accepted: int, pushed: int, refused: int) -> str | None:
    """Say why nothing was measured if the registry did not accept (nearly) every push: refused
    pushes are quick, and counted as throughput they would make a fast and wrong table."""
    if accepted >= 0.99 * pushed:
        return None
    return f"the registry accepted {accepted} of {pushed} pushes ({refused} refused): nothing measured"


def run_pool(registry: RegistryProcess, pool: str, concurrency: int, first: int, fix: bool) -> dict:
    env = worker_env(registry)
    worker_env_fix = {**env, "BENCH_SHARED_SSL_CONTEXT": "1" if fix else "0"}
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    ids, residents = make_jobs(first, env)
    registry.seed(residents)
    worker_log = bench_run.VAR / f"celery-{pool}-{concurrency}{'-fix' if fix else ''}.log"
    worker = subprocess.Popen(
        [
            bench_run.PYTHON,
            "-m",
            "celery",
            "-A",
            "bench.celery_app",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
            "-n",
            f"bench-{pool}@%h",
        ],
        cwd=REPO,
        env=worker_env_fix,
        stdout=worker_log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    connection = psycopg2.connect(database_url())
    connection.autocommit = True
    peak: dict = {}
    try:
        wait_until_idle(worker)
        cpu = CpuMeter(worker.pid, registry)
        publish(ids, "pending", env)
        pushes = watch(
            connection,
            "SELECT count(*) FROM sync_syncjob WHERE id = ANY(%s) AND state <> 'pending'",
            ids,
            worker,
            peak,
        )
        push_cpu = cpu.per_job(len(ids))
        accepted = count(
            connection, "SELECT count(*) FROM sync_syncjob WHERE id = ANY(%s) AND state = 'accepted'", ids
        )
        refused = count(
            connection,
            "SELECT count(*) FROM sync_syncattempt WHERE job_id = ANY(%s) AND outcome = 'refused'",
            ids,
        )
        if problem := too_few_accepted(accepted, len(ids), refused):
            sys.exit(problem)
        time.sleep(2.5)  # the mock applies every update 2 s after accepting it
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE sync_syncjob SET next_attempt_at = now() WHERE id = ANY(%s) AND state = 'accepted'",
                [ids],
            )
        publish(ids, "accepted", env)
        cpu.reset()
        checks = watch(
            connection,
            "SELECT count(*) FROM sync_syncjob WHERE id = ANY(%s) AND state <> 'accepted'",
            ids,
            worker,
            peak,
        )
        check_cpu = cpu.per_job(len(ids))
        verified = count(
            connection, "SELECT count(*) FROM sync_syncjob WHERE id = ANY(%s) AND state = 'verified'", ids
        )
    finally:
        connection.close()
        bench_run.stop_group(worker)
    result = {
        "pool": pool,
        "concurrency": concurrency,
        "fix": fix,
        "jobs": len(ids),
        "accepted": accepted,
        "verified": verified,
        "pushes_per_s": pushes["per_second"],
        "checks_per_s": checks["per_second"],
        "push_seconds": pushes["seconds_total"],
        "check_seconds": checks["seconds_total"],
        "rss_mb": peak["rss_kb"] / 1024,
        "push_cpu_ms": push_cpu,
        "check_cpu_ms": check_cpu,
    }
    log(
        f"sync {pool}:{concurrency}{' +shared SSL context' if fix else ''} at {registry.env_overrides.get('MOCKREGISTRY_LATENCY_MS')} ms: "
        f"{result['pushes_per_s']:.0f} pushes/s, {result['checks_per_s']:.0f} checks/s, cpu/push {push_cpu}, "
        f"{accepted}+{verified} accepted/verified of {len(ids)}, peak RSS {result['rss_mb']:.0f} MB"
    )
    return result


def render(results: list[dict]) -> str:
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {JOBS} jobs per run, load average "
        f"{os.getloadavg()[0]:.1f} at the end.",
        "",
        "| registry latency | pool | concurrency | client | pushes/s | checks/s | all pushed in | all checked in | "
        "peak worker RSS | CPU ms/push worker + registry + db | CPU ms/check | 2-core ceiling pushes/s |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        client = "shared SSL context (fix)" if r["fix"] else "as is"
        lines.append(
            f"| {r['latency_ms']} ms | {r['pool']} | {r['concurrency']} | {client} | {r['pushes_per_s']:.0f} | "
            f"{r['checks_per_s']:.0f} | {r['push_seconds']:.1f} s | {r['check_seconds']:.1f} s | "
            f"{r['rss_mb']:.0f} MB | {_cpu(r['push_cpu_ms'])} | {_cpu(r['check_cpu_ms'])} | "
            f"{2000 / max(0.1, sum(r['push_cpu_ms'].values())):.0f} |"
        )
    return "\n".join(lines) + "\n"


def _cpu(parts: dict) -> str:
    return f"{parts['worker']:.1f} + {parts['registry']:.1f} + {parts['database']:.1f}"


def write_docs(text: str) -> None:
    docs = bench_run.DOCS.read_text() if bench_run.DOCS.exists() else "# Benchmarks\n"
    bench_run.DOCS.write_text(bench_run.replace_between(docs, "sync", text))


def main() -> int:
    bench_run.VAR.mkdir(parents=True, exist_ok=True)
    prepare_database()
    results, first = [], 0
    for latency in LATENCIES:
        env = {
            "MOCKREGISTRY_LATENCY_MS": str(latency),
            "MOCKREGISTRY_PROPAGATION_SECONDS": "2",
            "MOCKREGISTRY_PROPAGATION_MIN_FRACTION": "1",
            "MOCKREGISTRY_LATE_RATE": "0",
            "MOCKREGISTRY_STUCK_RATE": "0",
            "MOCKREGISTRY_REJECT_RATE": "0",
            "MOCKREGISTRY_CONTROL_CACHE_SECONDS": "5",
            "MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS": "5",
            "MOCKREGISTRY_DATABASE_HEALTH_CHECKS": "0",
        }
        with RegistryProcess(
            env=env, workers=2, threads=16, registry_token="bench-registry-token"
        ) as registry:
            for spec in POOLS:
                pool, concurrency, *flags = spec.split(":") + [""]
                result = run_pool(registry, pool, int(concurrency or 32), first, fix="fix" in flags)
                result["latency_ms"] = latency
                results.append(result)
                first += JOBS
    (bench_run.VAR / "sync.json").write_text(json.dumps(results, indent=1))
    text = render(results)
    print(text)
    if os.environ.get("BENCH_WRITE_DOCS", "1") == "1":
        write_docs(text)
    bench_run.admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
