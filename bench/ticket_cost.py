"""The cost of one ticket: CPU from intake to "Selesai" in every process, per ticket.

    .venv/bin/python -m bench.ticket_cost                 # 1,500 tickets at 8 a second (~8 min)
    BENCH_COST_TICKETS=500 BENCH_COST_RATE=4 .venv/bin/python -m bench.ticket_cost

The whole production pipeline, time-compressed but not cut short: gunicorn (4 sync workers) takes
the complaints over HTTP as the counter does (form POST, CSRF, session; 4 clients, 8 a second), a Celery worker (threads)
and beat push each record to the mock registry, check it on the production schedule (first check
"1 h" after acceptance, backing off), follow the portal the citizen named until it shows the data,
and notify the citizen (console channel: the message is built, claimed, sent and recorded; no
gateway) at every step they are told about. DEMO_TIME_SCALE=2880 makes the day 30 s; the mock
applies updates on its own lognormal model (median 2 h, here 1 % past the 1x24 h SLA: those are
escalated first) and lets each portal lag up to 3 days, as its defaults do. Nothing is refused, so
every ticket ends "Selesai" (RESOLVED): the cost of the common case.

CPU is counted over process trees, children that exited included (cutime): the web server, the
worker, beat, the mock registry, the whole PostgreSQL cluster (its backends, WAL writer,
checkpointer, autovacuum: both databases) and Redis, from the first POST until the last ticket is
final. The idle cost of the same processes over 10 s beforehand is reported beside it. Results:
var/bench/ticket_cost.json and docs/benchmarks.md between the ticket-cost markers
(BENCH_WRITE_DOCS=0 leaves the docs alone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import run as bench_run  # noqa: E402
from tests.support.registry_process import RegistryProcess  # noqa: E402

TICKETS = int(os.environ.get("BENCH_COST_TICKETS", "1500"))
CLIENTS = int(os.environ.get("BENCH_COST_CLIENTS", "4"))
# Complaints per second across the clients: below what two cores can carry through the whole
# pipeline (~16 a second at ~120 ms each), so that no backlog pushes tickets past the compressed SLA.
RATE = float(os.environ.get("BENCH_COST_RATE", "8"))
CONCURRENCY = int(os.environ.get("BENCH_COST_CONCURRENCY", "16"))
TIMEOUT = float(os.environ.get("BENCH_COST_TIMEOUT", "900"))
BROKER_URL = os.environ.get("BENCH_COST_BROKER_URL", "redis://127.0.0.1:6379/13")
DATABASE = "sinkron_bench_cost"
CLERK, PASSWORD = "petugas_cost", "bench-cost-password-1"
TIME_SCALE = 2880  # a day of the help desk's schedule is 30 s
REGISTRY_ENV = {
    "MOCKREGISTRY_PROPAGATION_SECONDS": str(86400 / TIME_SCALE),  # the mock's day is the desk's
    # The mock's own model (median 2 h of the day), with 1 % past the SLA instead of 5 % so that the
    # run ends within minutes; those few are escalated, then resolved when the centre applies them.
    "MOCKREGISTRY_PROPAGATION_MODEL": "lognormal",
    "MOCKREGISTRY_PROPAGATION_TAIL_RATE": "0.01",
    "MOCKREGISTRY_LATE_RATE": "0",
    "MOCKREGISTRY_STUCK_RATE": "0",
    "MOCKREGISTRY_REJECT_RATE": "0",
    "MOCKREGISTRY_LOG_LEVEL": "WARNING",
    "MOCKREGISTRY_DATABASE_HEALTH_CHECKS": "0",
    # Nothing steers the mock during the run: its controls are read once in 5 s, as in the sync
    # bench, not on every call (a real centre has no such row to read).
    "MOCKREGISTRY_CONTROL_CACHE_SECONDS": "5",
}
SERVICES = ("sscasn", "bpjs", "bank", "bansos")
log = bench_run.log


def database_url() -> str:
    return f"{bench_run.PG_URL}/{DATABASE}"


SET_UP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from tickets.models import Office, StaffProfile
from tickets.permissions import COUNTER_GROUP
office = Office.objects.create(code="3319", name="Disdukcapil Kabupaten Kudus", region_code="33.19",
                               central_contact_whatsapp="+628118005373")
clerk = get_user_model().objects.create_user("{CLERK}", password="{PASSWORD}", first_name="Petugas")
clerk.groups.add(Group.objects.get(name=COUNTER_GROUP))
StaffProfile.objects.create(user=clerk, office=office)
"""


def prepare_database() -> None:
    bench_run.admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    bench_run.admin(f'CREATE DATABASE "{DATABASE}"')
    env = bench_run.base_env(database_url())
    manage = [bench_run.PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    subprocess.run([*manage, "shell", "-c", SET_UP], cwd=REPO, env=env, check=True)


def complaint(i: int) -> dict:
    """The i-th citizen: a valid NIK of Kudus (never repeated below 9,999 x 28 x 12), a new KK."""
    serial, day, month = i % 9999 + 1, i // 9999 % 28 + 1, i // (9999 * 28) % 12 + 1
    female = i % 2 == 1
    nik = f"331901{day + (40 if female else 0):02d}{month:02d}90{serial:04d}"
    return {
        "nik": nik,
        "full_name": f"Pemohon Biaya {i}",
        "birth_date": f"1990-{month:02d}-{day:02d}",
        "sex": "P" if female else "L",
        "phone": f"+62812{i:08d}",
        "email": "",
        "notify_channel": "",
        "kk_number": f"3319012001{serial:04d}{month:02d}",
        "kk_number_old": f"3319011502{serial:04d}{month:02d}",
        "category": "kk_mismatch",
        "service": SERVICES[i % len(SERVICES)],
        "deadline": "",
        "description": "Ditolak saat login portal: NIK dan KK tidak sesuai.",
    }


def residents(complaints: list[dict]) -> list[dict]:
    """How the centre knows each citizen before the fix: the old KK."""
    keys = ("nik", "full_name", "birth_date", "sex")
    return [
        {**{k: c[k] for k in keys}, "kk_number": c["kk_number_old"], "state": "active"} for c in complaints
    ]


# --- CPU of process trees ------------------------------------------------------------------------


def tree_cpu(root: int) -> float:
    """CPU seconds used by `root` and its descendants, those that exited and were reaped included."""
    return sum(bench_run.cpu_times(bench_run.process_tree(root), reaped_children=True).values())


def postmaster_pid() -> int:
    (directory,) = bench_run.admin("SHOW data_directory")[0]
    return int(Path(directory, "postmaster.pid").read_text().split()[0])


def redis_pid() -> int:
    import redis

    return int(redis.Redis.from_url(BROKER_URL).info("server")["process_id"])


class Meter:
    def __init__(self, roots: dict[str, int]):
        self.roots = roots

    def sample(self) -> dict[str, float]:
        return {part: tree_cpu(pid) for part, pid in self.roots.items()}

    @staticmethod
    def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {part: after[part] - before[part] for part in before}


# --- the processes -------------------------------------------------------------------------------


def celery(args: list[str], env: dict, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [bench_run.PYTHON, "-m", "celery", "-A", "helpdesk", *args, "-l", "WARNING"],
        cwd=REPO,
        env=env,
        stdout=(bench_run.VAR / f"cost-{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def sign_in(base: str) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30)
    bench_run.sign_in(http, CLERK, PASSWORD)
    http.get("/tiket/baru/")
    return http


def intake(base: str, complaints: list[dict]) -> dict:
    """POST every complaint from CLIENTS signed-in clients at RATE a second; return failures and the time."""
    failures: list[str] = []

    def client(share: list[dict]) -> None:
        try:
            http = sign_in(base)
        except (SystemExit, httpx.HTTPError) as error:
            failures.extend([f"sign-in: {error}"] * len(share))
            return
        try:
            for n, typed in enumerate(share):
                time.sleep(max(0.0, started + n * CLIENTS / RATE - time.monotonic()))
                try:
                    answer = http.post(
                        "/tiket/baru/", data={**typed, "csrfmiddlewaretoken": http.cookies["csrftoken"]}
                    )
                except httpx.HTTPError as error:
                    failures.append(str(error))
                    continue
                if answer.status_code != 302:
                    failures.append(f"{answer.status_code}")
        finally:
            http.close()

    threads = [threading.Thread(target=client, args=(complaints[k::CLIENTS],)) for k in range(CLIENTS)]
    started = time.monotonic() + 2  # every client signed in
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"seconds": time.monotonic() - started, "failures": len(failures)}


def open_tickets(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket WHERE status NOT IN ('resolved', 'rejected', 'closed')"
        )
        return cursor.fetchone()[0]


def wait_until_final(connection, processes: list[subprocess.Popen]) -> float:
    started = time.monotonic()
    while open_tickets(connection):
        if time.monotonic() - started > TIMEOUT:
            raise RuntimeError(f"{open_tickets(connection)} tickets still open after {TIMEOUT:.0f} s")
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a process died; see var/bench/cost-*.log")
        time.sleep(0.5)
    return time.monotonic() - started


def wait_for_notifications(connection, timeout: float = 60) -> None:
    """The last "Selesai" message is sent just after its ticket is final: let it go before the count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM notifications_notification WHERE status = 'pending'")
            if not cursor.fetchone()[0]:
                return
        time.sleep(0.5)


STATS = {
    "tickets": "SELECT count(*) FROM tickets_ticket",
    "resolved": "SELECT count(*) FROM tickets_ticket WHERE status = 'resolved'",
    "escalated": "SELECT count(DISTINCT ticket_id) FROM tickets_ticketevent WHERE to_status = 'escalated'",
    "timeline_events": "SELECT count(*) FROM tickets_ticketevent",
    "registry_calls": "SELECT count(*) FROM sync_syncattempt",
    "pushes": "SELECT count(*) FROM sync_syncattempt WHERE operation = 'push'",
    "checks": "SELECT count(*) FROM sync_syncattempt WHERE operation IN ('status', 'resident')",
    "portal_checks": "SELECT count(*) FROM sync_syncattempt WHERE operation = 'portal'",
    "notifications": "SELECT count(*) FROM notifications_notification",
    "notifications_sent": "SELECT count(*) FROM notifications_notification WHERE status = 'sent'",
    "audit_entries": "SELECT count(*) FROM audit_auditentry",
}


def stats(connection) -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for name, sql in STATS.items():
            cursor.execute(sql)
            found[name] = cursor.fetchone()[0]
    return found


def measure() -> dict:
    complaints = [complaint(i) for i in range(TICKETS)]
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    redis.Redis.from_url(bench_run.REDIS_URL).flushdb()
    with RegistryProcess(
        env=REGISTRY_ENV, workers=2, threads=16, registry_token="bench-registry-token"
    ) as registry:
        registry.seed(residents(complaints))
        extra = {
            "CELERY_BROKER_URL": BROKER_URL,
            "REGISTRY_URL": registry.api_url,
            "REGISTRY_TOKEN": registry.registry_token,
            "DEMO_TIME_SCALE": str(TIME_SCALE),
            "NOTIFY_CHANNEL": "console",
            "SINKRON_VAR_DIR": str(bench_run.VAR / "cost-var"),
        }
        env = bench_run.base_env(database_url(), **extra)
        worker = celery(
            [
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                str(CONCURRENCY),
                "--without-gossip",
                "--without-mingle",
                "-n",
                "cost@%h",
            ],
            env,
            "worker",
        )
        beat = celery(["beat", "--schedule", str(bench_run.VAR / "cost-celerybeat-schedule")], env, "beat")
        processes = [worker, beat]
        try:
            with bench_run.Server(database_url(), **extra) as web:
                processes.append(web.process)
                meter = Meter(
                    {
                        "web": web.process.pid,
                        "worker": worker.pid,
                        "beat": beat.pid,
                        "registry": registry._process.pid,
                        "database": postmaster_pid(),
                        "redis": redis_pid(),
                    }
                )
                time.sleep(5)  # worker and beat started
                idle_before = meter.sample()
                time.sleep(10)
                idle = {part: cpu / 10 for part, cpu in Meter.used(idle_before, meter.sample()).items()}
                connection = psycopg2.connect(database_url())
                connection.autocommit = True
                log(f"intake of {TICKETS} tickets from {CLIENTS} clients")
                started, start_cpu = time.monotonic(), meter.sample()
                entered = intake(web.base, complaints)
                if entered["failures"]:
                    raise RuntimeError(f"{entered['failures']} complaints were not saved")
                log(f"intake took {entered['seconds']:.1f} s; waiting for every ticket to be final")
                wait_until_final(connection, processes)
                wait_for_notifications(connection)
                seconds, cpu = time.monotonic() - started, Meter.used(start_cpu, meter.sample())
                found = stats(connection)
                if found["tickets"] != TICKETS:
                    raise RuntimeError(f"{found['tickets']} tickets saved of {TICKETS}")
                connection.close()
        finally:
            for process in (worker, beat):
                bench_run.stop_group(process)
    return {
        "tickets": TICKETS,
        "time_scale": TIME_SCALE,
        "intake_seconds": round(entered["seconds"], 1),
        "intake_failures": entered["failures"],
        "seconds": round(seconds, 1),
        "cpu_ms_per_ticket": {part: round(1000 * s / TICKETS, 2) for part, s in cpu.items()},
        "total_ms_per_ticket": round(1000 * sum(cpu.values()) / TICKETS, 1),
        "idle_ms_per_second": {part: round(1000 * s, 1) for part, s in idle.items()},
        "per_ticket": {name: round(n / TICKETS, 2) for name, n in found.items()},
        "counts": found,
        "load_average_end": round(os.getloadavg()[0], 1),
    }


def render(result: dict) -> str:
    parts = result["cpu_ms_per_ticket"]
    idle = result["idle_ms_per_second"]
    idle_share = sum(idle.values()) * result["seconds"] / result["tickets"]
    per = result["per_ticket"]
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {result['tickets']:,} tickets "
        f"(intake over {result['intake_seconds']} s, all final after {result['seconds']} s), "
        f"load average {result['load_average_end']} at the end.",
        "",
        "| | web | worker | beat | registry | PostgreSQL | Redis | all |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        "| CPU ms per ticket, intake to Selesai | "
        + " | ".join(f"{parts[p]:.1f}" for p in ("web", "worker", "beat", "registry", "database", "redis"))
        + f" | **{result['total_ms_per_ticket']:.1f}** |",
        "| idle, ms per second (before the run) | "
        + " | ".join(f"{idle[p]:.1f}" for p in ("web", "worker", "beat", "registry", "database", "redis"))
        + f" | {sum(idle.values()):.1f} |",
        "",
        f"Of the total, ~{idle_share:.1f} ms per ticket is what the same processes spend idle over the "
        f"run. Per ticket: {per['registry_calls']:.2f} registry calls ({per['pushes']:.2f} push, "
        f"{per['checks']:.2f} checks, {per['portal_checks']:.2f} portal checks), "
        f"{per['timeline_events']:.2f} timeline events, {per['notifications_sent']:.2f} notifications "
        f"sent, {per['audit_entries']:.2f} audit entries; {result['counts']['resolved']:,} of "
        f"{result['counts']['tickets']:,} tickets Selesai ({result['counts']['escalated']:,} escalated on the "
        f"way), {result['intake_failures']} intake failures.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    bench_run.VAR.mkdir(parents=True, exist_ok=True)
    prepare_database()
    result = measure()
    (bench_run.VAR / "ticket_cost.json").write_text(json.dumps(result, indent=1) + "\n")
    text = render(result)
    print(text)
    if os.environ.get("BENCH_WRITE_DOCS", "1") == "1":
        docs = bench_run.DOCS.read_text()
        bench_run.DOCS.write_text(bench_run.replace_between(docs, "ticket-cost", text))
    bench_run.admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
