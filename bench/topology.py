"""Measure the scale-out topology (scripts/topology.py): per-request and per-ticket costs through nginx.

    .venv/bin/python -m bench.topology            # BENCH_DURATION=10 s per scenario, wrk -t2 -c16

Brings the topology up on free ports (its own Redis database, TOPOLOGY_REDIS_URL, default db 14),
signs in the demo clerk and supervisor, runs wrk through the proxy against the floor (/healthz),
the queue, the dashboard (uncached, read from the replica) and intake, then times the sync
pipeline over the tickets intake saved. CPU per request is counted over the web processes, nginx
and the database backends of both clusters (the same method as bench/run.py), CPU per ticket over
the workers, the registry and the backends. Results: var/bench/topology.json; docs/scaling.md
quotes them.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import httpx
import psycopg2

from bench.run import LUA, VAR, cpu_times, cpu_used, ensure_wrk, log, process_tree
from scripts.topology import Topology

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
HUGE_RATE = "100000000/1"
SCENARIOS = [  # name, lua, path, who
    ("floor", "get.lua", "/healthz", "supervisor"),
    ("queue", "get.lua", "/tiket/", "petugas"),
    ("dashboard", "get.lua", "/dasbor/", "supervisor"),
    ("intake", "intake.lua", "/tiket/baru/", "petugas"),
]


def sign_in(base: str, username: str) -> dict:
    http = httpx.Client(base_url=base, timeout=15)
    http.get("/masuk/")
    csrf = http.cookies["csrftoken"]
    answer = http.post(
        "/masuk/",
        data={"username": username, "password": "sinkron-demo", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/masuk/"},
    )
    assert answer.status_code == 302, answer.text[:300]
    return {"BENCH_SESSION": http.cookies["sessionid"], "BENCH_CSRF": http.cookies["csrftoken"]}


def backends(topology) -> list[int]:
    pids = []
    for cluster in (topology.primary, topology.replica):
        with psycopg2.connect(cluster.url("postgres")) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'")
            pids += [row[0] for row in cursor.fetchall()]
    return pids


def pids_of(topology, prefixes: tuple[str, ...]) -> list[int]:
    found = []
    for name, process in topology.processes.items():
        if name.startswith(prefixes) and process.running():
            found += process_tree(process.pid)
    return found


def run_scenario(wrk: str, topology, lua: str, path: str, cookies: dict) -> dict:
    """Warm every web process up (templates, first queries) for WARMUP s, then measure DURATION s."""
    env = {**os.environ, **cookies, "BENCH_LUA_DIR": str(LUA), "BENCH_PATH": path}
    command = [wrk, "-t2", "-c16", "--latency", "--timeout", "10s", "-s", str(LUA / lua), topology.url]
    env["BENCH_INTAKE_RUN"] = str(int(time.time()) % 9000)
    subprocess.run([*command, f"-d{WARMUP}s"], env=env, capture_output=True, timeout=300)
    web = pids_of(topology, ("web-", "nginx"))
    app_before, db_before = cpu_times(web), cpu_times(backends(topology))
    env["BENCH_INTAKE_RUN"] = str(int(time.time() + 1) % 9000)
    output = subprocess.run(
        [*command, f"-d{DURATION}s"], env=env, capture_output=True, text=True, timeout=300
    )
    app_after, db_after = cpu_times(web), cpu_times(backends(topology))
    line = next(x for x in output.stdout.splitlines() if x.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    seconds, requests = result["duration_us"] / 1e6, max(1, result["requests"])
    return {
        "rps": round(result["requests"] / seconds, 1),
        "p50_ms": result["latency_us"]["p50"] / 1000,
        "p99_ms": result["latency_us"]["p99"] / 1000,
        "statuses": result["statuses"],
        "errors": result["errors"],
        "app_cpu_ms": round(1000 * cpu_used(app_before, app_after) / requests, 2),
        "db_cpu_ms": round(1000 * cpu_used(db_before, db_after) / requests, 2),
    }


def pending_jobs(topology) -> int:
    with psycopg2.connect(topology.primary.url("sinkron")) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sync_syncjob WHERE state IN ('pending', 'accepted')")
        return cursor.fetchone()[0]


def drain(topology, timeout: float = 600) -> dict:
    """Time the pipeline over the tickets waiting; CPU of workers, registry and backends per ticket."""
    workers = pids_of(topology, ("worker-", "beat", "registry"))
    before, db_before, waiting = cpu_times(workers), cpu_times(backends(topology)), pending_jobs(topology)
    started = time.monotonic()
    while pending_jobs(topology) and time.monotonic() - started < timeout:
        time.sleep(1)
    seconds = time.monotonic() - started
    after, db_after = cpu_times(workers), cpu_times(backends(topology))
    return {
        "tickets": waiting,
        "seconds": round(seconds, 1),
        "left": pending_jobs(topology),
        "worker_registry_cpu_ms_per_ticket": round(1000 * cpu_used(before, after) / max(1, waiting), 1),
        "db_cpu_ms_per_ticket": round(1000 * cpu_used(db_before, db_after) / max(1, waiting), 1),
    }


def main() -> None:
    wrk = ensure_wrk()
    root = VAR / "topology"
    topology = Topology(
        root,
        redis_url=os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/14"),
        free_ports=True,
        env={
            "DASHBOARD_CACHE_SECONDS": "0",
            "STATUS_RATE_PER_IP": HUGE_RATE,
            "STATUS_RATE_PER_NIK": HUGE_RATE,
            "DEMO_TIME_SCALE": "2880",
            "SYNC_SWEEP_SECONDS": "1",
        },
        registry_env={  # every update applies within 1-2 s: the drain ends when the pipeline does
            "MOCKREGISTRY_PROPAGATION_SECONDS": "2",
            "MOCKREGISTRY_PROPAGATION_MIN_FRACTION": "0.5",
            "MOCKREGISTRY_PROPAGATION_MODEL": "uniform",
            "MOCKREGISTRY_LATE_RATE": "0",
            "MOCKREGISTRY_STUCK_RATE": "0",
            "MOCKREGISTRY_REJECT_RATE": "0",
            "MOCKREGISTRY_LOG_LEVEL": "WARNING",
        },
    )
    results = {"load_average_at_start": os.getloadavg()[0], "duration_s": DURATION, "warmup_s": WARMUP}
    try:
        started = time.monotonic()
        topology.up()
        results["bring_up_seconds"] = round(time.monotonic() - started, 1)
        drain(topology)  # the demo data's own jobs first
        sessions = {who: sign_in(topology.url, who) for who in ("petugas", "supervisor")}
        for name, lua, path, who in SCENARIOS:
            log(f"wrk {name} {path}")
            results[name] = run_scenario(wrk, topology, lua, path, sessions[who])
        log("sync pipeline over the tickets intake saved")
        results["pipeline"] = drain(topology)
    finally:
        topology.down()
    results["load_average_at_end"] = os.getloadavg()[0]
    (VAR / "topology.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
