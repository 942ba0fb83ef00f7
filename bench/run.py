"""`make bench`: seed, serve with gunicorn, load with wrk, count queries, write docs/benchmarks.md.

    .venv/bin/python -m bench.run                       # sizes from BENCH_SIZES, default 10k 100k 1M
    BENCH_SIZES="10000" BENCH_DURATION=5 .venv/bin/python -m bench.run   # a quick look

Per size it reuses (or creates and seeds) the database sinkron_bench_<size>, migrates it, starts
gunicorn (4 sync workers, production settings, ROOT_URLCONF=bench.urls) and, from a second
process, wrk with the Lua scripts in bench/lua/ against every scenario; then it counts the SQL
queries of each page with Django's test client. Results go to var/bench/results-<size>.json and the
table between the markers in docs/benchmarks.md.

Environment:
  BENCH_SIZES        "10000 100000 1000000"   ticket counts
  BENCH_DURATION     15                       seconds per wrk run
  BENCH_WARMUP       3                        seconds of wrk before each scenario's runs, not counted
  BENCH_REPEAT       1                        runs per scenario (the table shows best and median)
  BENCH_SCENARIOS    all                      space-separated subset of scenario names
  BENCH_THREADS / BENCH_CONNECTIONS  2 / 16   wrk -t / -c
  BENCH_WORKERS      4                        gunicorn sync workers
  BENCH_PG_URL       postgres://postgres@127.0.0.1:5432   server of the bench databases
  BENCH_REDIS_URL    redis://127.0.0.1:6379/12            cache (rate limits) and broker; FLUSHDB'd
  BENCH_RESEED       0                        1: drop and seed the databases again
  BENCH_WRITE_DOCS   1                        0: leave docs/benchmarks.md alone
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg2

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var" / "bench"
LUA = REPO / "bench" / "lua"
DOCS = REPO / "docs" / "benchmarks.md"
PYTHON = sys.executable
SEED_VERSION = "3"
PAIRS_PER_SIZE = 20_000
HUGE_RATE = "100000000/1"


def env_list(name: str, default: str) -> list[str]:
    return os.environ.get(name, default).split()


SIZES = [int(s) for s in env_list("BENCH_SIZES", "10000 100000 1000000")]
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
# The 1M database does not fit in a cold cache: without a warm-up, the first scenario to touch
# random tickets pays for reading them from disk and the next one does not.
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def label(size: int) -> str:
    return (
        f"{size // 1_000_000}m"
        if size % 1_000_000 == 0
        else f"{size // 1000}k"
        if size % 1000 == 0
        else str(size)
    )


# --- Scenarios: (name, what, server, lua, extra env). server "nolimit" has the limiter swapped out,
# "limited" keeps the default limits (30 lookups per IP per 10 minutes), "main" has them huge.
SCENARIOS = [
    ("floor", "bare view, one indexed query (the floor)", "main", "floor.lua", {}),
    ("status_json", "status lookup, JSON API", "main", "status_json.lua", {}),
    ("status_form", "status lookup, HTML form (CSRF)", "main", "status_form.lua", {}),
    ("status_json_nolimit", "status lookup, JSON, rate limiter removed", "nolimit", "status_json.lua", {}),
    ("status_form_nolimit", "status lookup, form, rate limiter removed", "nolimit", "status_form.lua", {}),
    (
        "status_json_limited",
        "status lookup, JSON, default limits (mostly 429)",
        "limited",
        "status_json.lua",
        {},
    ),
    ("queue", "queue /tiket/ (default view)", "main", "get.lua", {"BENCH_PATH": "/tiket/"}),
    ("queue_status", "queue ?status=sent", "main", "get.lua", {"BENCH_PATH": "/tiket/?status=sent"}),
    ("queue_search", "queue search by NIK (POST q=NIK)", "main", "search.lua", {}),
    (
        "queue_name",
        "queue search by name (POST q=part of a name, trigram index)",
        "main",
        "name_search.lua",
        {},
    ),
    ("queue_last4", "queue search by the NIK's last four (POST q=4 digits)", "main", "last4_search.lua", {}),
    ("queue_deep", "queue ?page=400", "main", "get.lua", {"BENCH_PATH": "/tiket/?page=400"}),
    ("detail", "ticket detail /tiket/<code>/", "main", "detail.lua", {}),
    ("dashboard", "dashboard /dasbor/ (uncached)", "main", "get.lua", {"BENCH_PATH": "/dasbor/"}),
    ("intake", "intake POST /tiket/baru/ (new citizen each)", "main", "intake.lua", {}),
]
SELECTED = set(env_list("BENCH_SCENARIOS", " ".join(s[0] for s in SCENARIOS)))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- set-up ------------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install it (Debian: apt-get install wrk) or run make bench as root.")
    log("installing wrk with apt-get")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or sys.exit("wrk still missing after apt-get")


def secrets_env() -> dict:
    """Return the bench's production secrets, generated once into var/bench/secrets.json."""
    path = VAR / "secrets.json"
    if not path.exists():
        import secrets

        from cryptography.fernet import Fernet

        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(50),
                    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                    "FIELD_HMAC_KEY": secrets.token_urlsafe(32),
                    "REGISTRY_TOKEN": "bench-registry-token",
                },
                indent=1,
            )
        )
        path.chmod(0o600)
    return json.loads(path.read_text())


def base_env(database_url: str, **extra) -> dict:
    """Return the environment of every process touching a bench database: production settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "DJANGO_SETTINGS_MODULE"))}
    env.update(secrets_env())
    env.update(
        {
            "SINKRON_ENV": "production",
            "DEBUG": "0",
            "DEMO_MODE": "0",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            # The bench supervisor signs in with a password only (production requires TOTP).
            "REQUIRE_2FA_FOR_SUPERVISORS": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "SINKRON_VAR_DIR": str(VAR / "var"),
            "DASHBOARD_CACHE_SECONDS": "0",
            "STATUS_RATE_PER_IP": HUGE_RATE,
            "STATUS_RATE_PER_NIK": HUGE_RATE,
            "ROOT_URLCONF": "bench.urls",
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def marker(size: int) -> str:
    key = hashlib.sha256(secrets_env()["FIELD_HMAC_KEY"].encode()).hexdigest()[:12]
    return f"sinkron-bench seed v{SEED_VERSION} tickets={size} key={key}"


def admin(statement: str, *params):
    connection = psycopg2.connect(f"{PG_URL}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params or None)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def ensure_database(size: int) -> str:
    """Return the URL of a database seeded with `size` tickets, seeding it if needed, migrated."""
    name = f"sinkron_bench_{label(size)}"
    url = f"{PG_URL}/{name}"
    rows = admin("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name)
    if os.environ.get("BENCH_RESEED") == "1" or not rows or rows[0][0] != marker(size):
        log(f"seeding {name} with {size:,} tickets (the slow part; reused by later runs)")
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{name}"')
        subprocess.run(
            [PYTHON, "-m", "bench.seed", "--tickets", str(size)], cwd=REPO, env=base_env(url), check=True
        )
        admin(f"COMMENT ON DATABASE \"{name}\" IS '{marker(size)}'")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=base_env(url), check=True
    )
    return url


def write_pairs(size: int) -> Path:
    """Write NIK,code,office of a spread of seeded tickets for the Lua scripts."""
    path = VAR / f"pairs-{label(size)}.csv"
    if path.exists():
        return path
    code = (
        "import sys\nfrom bench import seed\nn = int(sys.argv[1])\n"
        f"step = max(1, n // {PAIRS_PER_SIZE})\n"
        "for j in range(0, n, step):\n    t = seed.ticket_identity(n, j)\n"
        "    print(f\"{t['nik']},{t['code']},{t['office']}\")\n"
    )
    output = subprocess.run(
        [PYTHON, "-c", code, str(size)],
        cwd=REPO,
        env=base_env("sqlite://"),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path.write_text(output)
    return path


def stop_group(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process started with start_new_session and its children: SIGTERM, then SIGKILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the help desk (bench URLconf) on a free port, 4 sync workers."""

    def __init__(self, database_url: str, **extra_env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = base_env(database_url, **extra_env)
        self.database_url = database_url
        self.log_path = VAR / f"gunicorn-{self.port}.log"
        self.process = None

    def __enter__(self):
        log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "helpdesk.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--no-control-socket",
                "--timeout",
                "60",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.__exit__()
        sys.exit(f"gunicorn did not start; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")

    def __exit__(self, *exc):
        if self.process:
            stop_group(self.process, timeout=20)

    def login(self) -> tuple[str, str]:
        """Log the bench supervisor in once; return (sessionid, csrftoken)."""
        from bench.seed import BENCH_PASSWORD, BENCH_USER

        with httpx.Client(base_url=self.base, timeout=10) as http:
            sign_in(http, BENCH_USER, BENCH_PASSWORD)
            return http.cookies["sessionid"], http.cookies["csrftoken"]


def sign_in(http: httpx.Client, username: str, password: str) -> None:
    """Sign `http` in through the login form (CSRF cookie first); exit the bench if it is refused."""
    http.get("/masuk/")
    csrf = http.cookies["csrftoken"]
    answer = http.post(
        "/masuk/", data={"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    )
    if answer.status_code != 302 or "sessionid" not in http.cookies:
        sys.exit(f"bench login failed for {username}: {answer.status_code} {answer.text[:500]}")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# --- wrk ---------------------------------------------------------------------------------------------


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(p) for p in children.read().split())
        except FileNotFoundError:
            continue
    return pids


def cpu_times(pids: list[int], *, reaped_children: bool = False) -> dict[int, float]:
    """Return CPU seconds (user + system) used so far by each live pid; with `reaped_children`,
    also what its children that exited and were waited for used (cutime + cstime)."""
    columns = (11, 12, 13, 14) if reaped_children else (11, 12)
    times = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            times[pid] = sum(int(fields[k]) for k in columns) / CLOCK_TICKS
        except (FileNotFoundError, ProcessLookupError):
            continue
    return times


def database_backends(url: str) -> list[int]:
    name = url.rsplit("/", 1)[1]
    return [row[0] for row in admin("SELECT pid FROM pg_stat_activity WHERE datname = %s", name)]


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def run_wrk(wrk: str, server: Server, lua: str, env: dict, duration: int = DURATION) -> dict:
    """Run wrk once; also return the CPU the server and its database backends spent per request.

    CPU per request does not depend on how busy the machine is (other engineers' test suites share
    these two cores), so it is the steadier figure: 2,000 ms / (app + database ms) is what two
    idle cores could serve at most.
    """
    command = [
        wrk,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(LUA / lua),
        server.base,
    ]
    app_before = cpu_times(process_tree(server.process.pid))
    db_before = cpu_times(database_backends(server.database_url))
    output = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=duration + 120
    )
    app_after = cpu_times(process_tree(server.process.pid))
    db_after = cpu_times(database_backends(server.database_url))
    match = re.search(r"^BENCH_JSON (.*)$", output.stdout, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no summary:\n{output.stdout}\n{output.stderr}")
    result = json.loads(match.group(1))
    seconds = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / seconds
    ok = sum(n for code, n in result["statuses"].items() if code in ("200", "302"))
    result["ok_rps"] = ok / seconds
    errors = result["errors"]
    result["error_count"] = sum(errors.values())
    requests = max(1, result["requests"])
    result["app_cpu_ms"] = 1000 * cpu_used(app_before, app_after) / requests
    result["db_cpu_ms"] = 1000 * cpu_used(db_before, db_after) / requests
    return result


def summarize(runs: list[dict]) -> dict:
    """Return the best and median of repeated runs (latency figures from the median-throughput run)."""
    ordered = sorted(runs, key=lambda r: r["ok_rps"])
    median_run = ordered[(len(ordered) - 1) // 2]
    return {
        "runs": len(runs),
        "rps_best": ordered[-1]["ok_rps"],
        "rps_median": statistics.median(r["ok_rps"] for r in runs),
        "p50_ms": median_run["latency_us"]["p50"] / 1000,
        "p95_ms": median_run["latency_us"]["p95"] / 1000,
        "p99_ms": median_run["latency_us"]["p99"] / 1000,
        "p99_best_ms": min(r["latency_us"]["p99"] for r in runs) / 1000,
        "errors": sum(r["error_count"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "app_cpu_ms": statistics.median(r["app_cpu_ms"] for r in runs),
        "db_cpu_ms": statistics.median(r["db_cpu_ms"] for r in runs),
        "statuses": runs[-1]["statuses"],
        "raw": runs,
    }


def smoke(server: Server, session: str, csrf: str, pairs: Path) -> None:
    """Check each scenario's request once before loading it (a benchmark of 403s measures nothing)."""
    nik, code, _office = next(
        line.split(",") for line in pairs.read_text().splitlines() if line.endswith(",0")
    )
    cookies = {"sessionid": session, "csrftoken": csrf}
    with httpx.Client(base_url=server.base, timeout=30) as http:
        answer = http.post("/api/v1/status", json={"nik": nik, "kode": code})
        assert answer.status_code == 200 and answer.json()["found"], answer.text[:300]
        answer = http.post(
            "/cek-status/", data={"nik": nik, "kode": code, "csrfmiddlewaretoken": csrf}, cookies=cookies
        )
        assert answer.status_code == 200 and code[:5] in answer.text, answer.text[:300]
        for path in (
            "/tiket/",
            "/tiket/?status=sent",
            "/tiket/?page=400",
            f"/tiket/{code}/",
            "/dasbor/",
            "/bench/floor/",
        ):
            answer = http.get(path, cookies=cookies)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        answer = http.post("/tiket/", data={"q": nik, "csrfmiddlewaretoken": csrf}, cookies=cookies)
        assert answer.status_code == 200 and code[:5] in answer.text, answer.text[:300]


def machine_speed() -> float:
    """Return the best of 5 x 2,000 `sum(range(1000))` in microseconds: how fast this CPU is right now.

    About 8-10 us on an idle current x86 core; a busy or throttled machine shows it at once.
    """
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def bench_size(wrk: str, size: int) -> dict:
    url = ensure_database(size)
    pairs = write_pairs(size)
    results = {
        "size": size,
        "scenarios": {},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load": os.getloadavg(),
        "speed_us": machine_speed(),
        "duration": DURATION,
        "threads": THREADS,
        "connections": CONNECTIONS,
    }
    counter = VAR / "intake-run"
    for server_kind in ("main", "nolimit", "limited"):
        wanted = [s for s in SCENARIOS if s[2] == server_kind and s[0] in SELECTED]
        if not wanted:
            continue
        extra = {"BENCH_RATELIMIT": "off"} if server_kind == "nolimit" else {}
        if server_kind == "limited":
            extra.update(STATUS_RATE_PER_IP="30/600", STATUS_RATE_PER_NIK="10/600")
        flush_redis()
        with Server(url, **extra) as server:
            session, csrf = server.login()
            if server_kind == "main":
                smoke(server, session, csrf, pairs)
            for name, what, _kind, lua, scenario_env in wanted:
                runs = []
                for attempt in range(REPEAT + bool(WARMUP)):
                    run = int(counter.read_text()) + 1 if counter.exists() else 1
                    counter.write_text(str(run))
                    env = {
                        "BENCH_LUA_DIR": str(LUA),
                        "BENCH_PAIRS": str(pairs),
                        "BENCH_SESSION": session,
                        "BENCH_CSRF": csrf,
                        "BENCH_TICKETS": str(size),
                        "BENCH_INTAKE_RUN": str(run),
                        **scenario_env,
                    }
                    if WARMUP and attempt == 0:
                        run_wrk(wrk, server, lua, env, duration=WARMUP)
                        continue
                    runs.append(run_wrk(wrk, server, lua, env))
                    log(
                        f"{label(size)} {name}: {runs[-1]['ok_rps']:.0f} ok/s, p99 "
                        f"{runs[-1]['latency_us']['p99'] / 1000:.1f} ms, cpu/req {runs[-1]['app_cpu_ms']:.1f} + "
                        f"{runs[-1]['db_cpu_ms']:.1f} ms, statuses {runs[-1]['statuses']}, errors {runs[-1]['errors']}"
                    )
                results["scenarios"][name] = {
                    "what": what,
                    "run_at": time.strftime("%H:%M"),
                    **summarize(runs),
                }
    flush_redis()
    results["queries"] = count_queries(url)
    path = VAR / f"results-{label(size)}.json"
    if path.exists() and SELECTED != {s[0] for s in SCENARIOS}:
        # A subset was re-run: keep the other scenarios' figures from the last full run.
        previous = json.loads(path.read_text())
        for row in results["scenarios"].values():
            row["rerun_at"] = f"{results['started']} UTC"
        previous["scenarios"] = {
            name: results["scenarios"].get(name, row) for name, row in previous["scenarios"].items()
        } | results["scenarios"]  # and those the last run did not have
        previous["queries"] = results["queries"]
        results = previous
    path.write_text(json.dumps(results, indent=1, default=str))
    return results


def count_queries(url: str) -> dict:
    output = subprocess.run(
        [PYTHON, "-m", "bench.queries"],
        cwd=REPO,
        env=base_env(url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


# --- the report --------------------------------------------------------------------------------------

COMPARABLE_TO_FLOOR = {
    "status_json",
    "status_form",
    "status_json_nolimit",
    "status_form_nolimit",
    "queue",
    "queue_status",
    "queue_search",
    "queue_name",
    "queue_last4",
    "queue_deep",
    "detail",
}


def render(all_results: list[dict]) -> str:
    lines = []
    for results in all_results:
        size = results["size"]
        floor = results["scenarios"].get("floor")
        lines += [
            f"#### {size:,} tickets",
            "",
            f"Run {results['started']} UTC, load average at start {results['load'][0]:.1f}, "
            f"`sum(range(1000))` {results.get('speed_us', 0):.0f} us (about 9 on an idle core); "
            f"{results.get('threads', THREADS)} wrk threads, {results.get('connections', CONNECTIONS)} connections, "
            f"{results.get('duration', DURATION)} s per run, "
            f"{results['scenarios'][next(iter(results['scenarios']))]['runs']} run(s) per scenario.",
            "",
            "| scenario | req/s best | req/s median | p50 ms | p95 ms | p99 ms | errors | queries/req (one request alone) "
            "| x floor p50 | x floor req/s | CPU ms/req app + db | 2-core ceiling req/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in results["scenarios"].items():
            counted = results["queries"].get(re.sub(r"_(nolimit|limited)$", "", name), {})
            queries = counted.get("queries", "")
            if counted.get("wall_ms") and name == re.sub(r"_(nolimit|limited)$", "", name):
                queries = f"{queries} ({counted['wall_ms']:.0f} ms alone)"
            ratio = ""
            if floor and name in COMPARABLE_TO_FLOOR:
                ratio = f"{row['p50_ms'] / floor['p50_ms']:.1f} | {floor['rps_median'] / max(row['rps_median'], 0.1):.1f}"
            else:
                ratio = " | "
            errors = row["errors"]
            non_ok = {k: v for k, v in row["statuses"].items() if k not in ("200", "302")}
            if non_ok:
                errors = f"{errors} ({', '.join(f'{v}×{k}' for k, v in non_ok.items())})"
            cpu = row.get("app_cpu_ms", 0) + row.get("db_cpu_ms", 0)
            rerun = row.get("rerun_at", "")
            lines.append(
                f"| {row['what']}{f' (re-run {rerun})' if rerun else ''} | {row['rps_best']:.0f} | "
                f"{row['rps_median']:.0f} | {row['p50_ms']:.1f} | "
                f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {errors} | {queries} | {ratio} | "
                f"{row.get('app_cpu_ms', 0):.1f} + {row.get('db_cpu_ms', 0):.1f} | "
                f"{2000 / cpu if cpu else 0:.0f} |"
            )
        lines.append("")
        scenarios = results["scenarios"]
        for kind in ("json", "form"):
            on, off = scenarios.get(f"status_{kind}"), scenarios.get(f"status_{kind}_nolimit")
            if on and off:
                lines.append(
                    f"Rate limiter, {kind}: {off['rps_median']:.0f} req/s without it, {on['rps_median']:.0f} with "
                    f"it ({100 * (on['rps_median'] / off['rps_median'] - 1):+.0f}%), p50 {off['p50_ms']:.1f} -> "
                    f"{on['p50_ms']:.1f} ms.  "
                )
        lines.append("")
    return "\n".join(lines)


def render_plans(results: dict) -> str:
    """Return the EXPLAIN ANALYZE of each page's slowest queries at one size, as markdown."""
    lines = [
        f"Plans at {results['size']:,} tickets (the bench user's office holds 40% of them), taken by "
        "bench/queries.py right after the load runs, so with warm caches.",
        "",
    ]
    for name, entry in results["queries"].items():
        planned = [q for q in entry["slowest"] if q.get("plan")]
        if not planned:
            continue
        lines.append(f"##### {name}: {entry['queries']} queries, {entry['sql_ms']} ms of SQL in all")
        for query in planned:
            lines += [
                "",
                f"{query['ms']} ms as captured:",
                "",
                "```sql",
                query["sql"],
                "```",
                "",
                "```",
                query["plan"],
                "```",
            ]
        lines.append("")
    return "\n".join(lines)


def replace_between(text: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    return f"{before}{start}\n{body}\n{end}{after}"


def write_docs(all_results: list[dict]) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    text = replace_between(text, "results", render(all_results))
    text = replace_between(text, "plans", render_plans(max(all_results, key=lambda r: r["size"])))
    DOCS.write_text(text)


def main() -> int:
    if sys.argv[1:] == ["--render"]:  # rewrite docs/benchmarks.md from var/bench/results-*.json
        write_docs([json.loads((VAR / f"results-{label(size)}.json").read_text()) for size in SIZES])
        return 0
    wrk = ensure_wrk()
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "var").mkdir(exist_ok=True)
    all_results = []
    for size in SIZES:
        log(f"=== {size:,} tickets ===")
        all_results.append(bench_size(wrk, size))
    print(render(all_results))
    if os.environ.get("BENCH_WRITE_DOCS", "1") == "1":
        write_docs(all_results)
        log(f"results written to {DOCS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
