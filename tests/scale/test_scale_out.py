"""Scale-out: the whole topology (nginx, three web processes, workers by queue, a primary and its
streaming replica) takes a burst of intake through the proxy while a web process and a sync
worker are SIGKILLed and the replica stops replaying. Nothing is lost or duplicated (tickets
saved against the registry's writes, as in tests/integration/test_crash_safety.py) and the
dashboard, read from the replica, is right within the replica's lag.

The figures are printed (-s) and written to var/test/scale/scale_out.json.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg2
import pytest
from django.conf import settings

from tests.cast import nik_with_serial
from tests.integration.processes import wait_until

pytestmark = [pytest.mark.integration]

# SLA 30 s (86400 / 2880), as in the crash-safety test: a killed worker's leases (12 s) must not
# turn into escalations on a busy machine.
TOPOLOGY_ENV = {"DEMO_TIME_SCALE": "2880"}
TICKETS = 60
KILL_WEB_AT = 15  # SIGKILL web-2 once this many tickets are saved
KILL_WORKER_AT = 25  # SIGKILL worker-sync-1 here
PAUSE_REPLICA_AT = 35  # pause the replica's replay here, resume after PAUSED_TICKETS more
PAUSED_TICKETS = 15
MARK = "Uji skala nomor"
OFFICE = "3319"  # the demo office (seed_demo)


class Desk:
    """A person at the desk, signed in through the proxy."""

    def __init__(self, base_url: str, username: str):
        self.http = httpx.Client(base_url=base_url, timeout=15)
        self.http.get("/masuk/")
        signed_in = self.http.post(
            "/masuk/",
            data={"username": username, "password": "sinkron-demo", "csrfmiddlewaretoken": self.csrf},
            headers={"Referer": f"{base_url}/masuk/"},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        self.upstreams: Counter = Counter()
        self.retries = 0
        self.failovers = 0

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken")

    def open_ticket(self, number: int) -> None:
        """Save complaint `number`; a 502 or a broken connection is sent again, as a clerk would:
        the save may have happened, and the duplicate check refuses a second one."""
        serial = 5000 + number
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "nik": nik_with_serial(serial),
            "full_name": f"Pemohon Skala {number}",
            "birth_date": "1990-01-01",
            "sex": "P",
            "kk_number": f"331901150326{serial:04d}",
            "category": "kk_mismatch",
            "service": "bpjs",
            "description": f"{MARK} {number}.",
        }
        for attempt in range(5):
            try:
                response = self.http.post(
                    "/tiket/baru/", data=form, headers={"Referer": str(self.http.base_url)}
                )
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code in (200, 302):
                # nginx names every web process it tried, the one that answered last.
                tried = response.headers.get("x-sinkron-upstream", "?").split(",")
                self.upstreams[tried[-1].strip()] += 1
                self.failovers += len(tried) - 1
                assert response.status_code == 302 or "Masih ada pengaduan terbuka" in response.text, (
                    response.text[:2000]
                )
                return
            self.retries += 1
            time.sleep(0.2 * (attempt + 1))
        pytest.fail(f"complaint {number} could not be saved through the proxy")

    def dashboard_opened(self) -> int:
        """The dashboard's "opened" figure for its default period (its daily-flow CSV, summed)."""
        response = self.http.get("/dasbor/data/harian.csv")
        assert response.status_code == 200
        lines = response.text.lstrip("\ufeff").splitlines()[1:]
        return sum(int(line.split(",")[1]) for line in lines)


def query(url: str, statement: str, params=None):
    connection = psycopg2.connect(url, connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    finally:
        connection.close()


def office_tickets(url: str) -> int:
    sql = (
        "SELECT count(*) FROM tickets_ticket t JOIN tickets_office o ON o.id = t.office_id WHERE o.code = %s"
    )
    return query(url, sql, (OFFICE,))[0][0]


def replica_caught_up(topology) -> bool:
    (target,) = query(topology.primary.url("sinkron"), "SELECT pg_current_wal_lsn()")[0]
    sql = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
    return query(topology.replica.url("sinkron"), sql, (target,))[0][0]


def our_tickets(topology) -> list[tuple]:
    sql = (
        "SELECT t.id, t.status, t.description FROM tickets_ticket t WHERE t.description LIKE %s ORDER BY t.id"
    )
    return query(topology.primary.url("sinkron"), sql, (f"{MARK}%",))


def registry_stats(topology) -> dict:
    token = topology.secrets()["MOCKREGISTRY_CONTROL_TOKEN"]
    response = httpx.get(
        f"{topology.registry_url}/_control/stats",
        params={"by_key": "1"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )
    response.raise_for_status()
    return response.json()


def test_nothing_is_lost_or_duplicated_through_kills_and_a_lagging_replica(topology):
    primary, replica = topology.primary.url("sinkron"), topology.replica.url("sinkron")
    clerk, supervisor = Desk(topology.url, "petugas"), Desk(topology.url, "supervisor")
    started = time.monotonic()
    wait_until(lambda: replica_caught_up(topology), 20, message="the replica to catch up")
    assert supervisor.dashboard_opened() == office_tickets(primary)

    # Intake from two clerks' desks at once, through the proxy.
    second_clerk = Desk(topology.url, "petugas")
    opened = []
    for number in range(1, KILL_WEB_AT + 1):
        clerk.open_ticket(number)
        opened.append(number)
    topology.processes["web-2"].kill()
    for number in range(KILL_WEB_AT + 1, KILL_WORKER_AT + 1):
        (clerk if number % 2 else second_clerk).open_ticket(number)
    topology.processes["worker-sync-1"].kill()
    for number in range(KILL_WORKER_AT + 1, PAUSE_REPLICA_AT + 1):
        second_clerk.open_ticket(number)

    # The replica stops replaying: the dashboard shows what the replica has, intake goes on, and a
    # ticket just saved is there at once for the clerk (its page reads the primary).
    query(replica, "SELECT pg_wal_replay_pause()")
    wait_until(
        lambda: query(replica, "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
        10,
        message="the replica to pause",
    )
    paused_at = office_tickets(replica)
    background = threading.Thread(
        target=lambda: [clerk.open_ticket(n) for n in range(PAUSE_REPLICA_AT + 1, PAUSE_REPLICA_AT + 8)]
    )
    background.start()
    for number in range(PAUSE_REPLICA_AT + 8, PAUSE_REPLICA_AT + PAUSED_TICKETS + 1):
        second_clerk.open_ticket(number)
    background.join()
    latest_code = query(primary, "SELECT code FROM tickets_ticket ORDER BY id DESC LIMIT 1")[0][0]
    assert second_clerk.http.get(f"/tiket/{latest_code}/").status_code == 200
    assert office_tickets(primary) == paused_at + PAUSED_TICKETS
    assert supervisor.dashboard_opened() == paused_at == office_tickets(replica)
    query(replica, "SELECT pg_wal_replay_resume()")
    resumed = time.monotonic()
    wait_until(lambda: supervisor.dashboard_opened() == office_tickets(primary), 20, message="the dashboard")
    dashboard_caught_up_in = round(time.monotonic() - resumed, 2)

    for number in range(PAUSE_REPLICA_AT + PAUSED_TICKETS + 1, TICKETS + 1):
        clerk.open_ticket(number)

    def describe() -> str:
        sql = (
            "SELECT t.status, t.centre_block, j.state, j.last_error, count(*) FROM tickets_ticket t "
            "LEFT JOIN sync_syncjob j ON j.ticket_id = t.id WHERE t.description LIKE %s GROUP BY 1, 2, 3, 4"
        )
        return json.dumps(query(primary, sql, (f"{MARK}%",)))

    wait_until(
        lambda: {status for _, status, _ in our_tickets(topology)} == {"resolved"},
        120,
        interval=0.5,
        message="every ticket to resolve",
        describe=describe,
    )
    drained_in = round(time.monotonic() - started, 1)

    # One ticket per complaint, one verified job per ticket, one write per job at the registry.
    tickets = our_tickets(topology)
    numbers = Counter(int(re.search(r"(\d+)\.$", description).group(1)) for _, _, description in tickets)
    assert numbers == Counter(range(1, TICKETS + 1))
    ids = [ticket_id for ticket_id, _, _ in tickets]
    jobs = query(
        primary,
        "SELECT ticket_id, state, idempotency_key::text FROM sync_syncjob WHERE ticket_id = ANY(%s)",
        (ids,),
    )
    assert sorted(j[0] for j in jobs) == ids and {j[1] for j in jobs} == {"verified"}
    events = query(
        primary,
        "SELECT to_status, count(*) FROM tickets_ticketevent WHERE ticket_id = ANY(%s) AND to_status <> '' "
        "GROUP BY to_status",
        (ids,),
    )
    transitions = dict(events)
    assert transitions["new"] == transitions["sent"] == transitions["resolved"] == TICKETS
    stats = registry_stats(topology)
    all_keys = {row[0] for row in query(primary, "SELECT idempotency_key::text FROM sync_syncjob")}
    ours = {j[2] for j in jobs}
    assert set(stats["updates_by_key"]) <= all_keys, "the registry holds a write no job made"
    assert ours <= set(stats["writes_applied_by_key"])
    assert {k: n for k, n in stats["updates_by_key"].items() if n != 1} == {}
    assert {k: n for k, n in stats["writes_applied_by_key"].items() if n != 1} == {}

    # The work was spread: intake over every web process, pushes over both sync workers.
    upstreams = clerk.upstreams + second_clerk.upstreams
    pushes = {
        name: topology.processes[name].log_text().count("sync.tasks.push[")
        for name in ("worker-sync-1", "worker-sync-2")
    }
    assert len(upstreams) == 3, upstreams
    assert all(pushes.values()), pushes
    figures = {
        "tickets": TICKETS,
        "saves_by_web_process": dict(upstreams),
        "saves_sent_again_after_a_502_or_broken_connection": clerk.retries + second_clerk.retries,
        "saves_nginx_passed_on_to_another_web_process": clerk.failovers + second_clerk.failovers,
        "push_tasks_by_worker": pushes,
        "dashboard_caught_up_after_resume_seconds": dashboard_caught_up_in,
        "seconds_from_first_save_to_all_resolved": drained_in,
        "registry_updates": stats["updates"],
    }
    out = Path(settings.VAR_DIR) / "scale" / "scale_out.json"
    out.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print("\nscale out: " + json.dumps(figures, indent=2, default=str))
