"""Seed a PostgreSQL database with N tickets for the benchmark, fast (COPY, two processes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinkron_bench_10k \
    FIELD_ENCRYPTION_KEYS=... FIELD_HMAC_KEY=... SECRET_KEY=... \
        .venv/bin/python -m bench.seed --tickets 10000

The database must exist and be empty (bench/run.py creates it). This script migrates it, loads the
region list, creates 20 offices with their staff (and the `bench` supervisor of office 3319), then
writes, with COPY and every encrypted column and HMAC computed in bulk with the configured keys:

- citizens (0.85 per ticket; 15% of citizens come back later with a second ticket), their family
  cards (two citizens a card) and KK history;
- tickets over the last two years, in creation order, 40% of them at the bench office; their status
  follows their age (recent ones new/sent, older ones mostly resolved, some escalated, rejected or
  closed), with SLA, sent/resolved/closed times consistent with the timeline;
- the timeline (opened, sent, escalated, resolved/rejected/closed, some notes): ~3 events a ticket;
- one SyncJob a ticket (state matching the ticket) with its encrypted payload, and SyncAttempts for
  the pushes and checks that happened;
- a year of nightly DailyStatusCount snapshots per office.

Secondary indexes and constraints of the big tables are dropped during the load and rebuilt after
(then VACUUM ANALYZE), so 1M tickets take minutes. Everything is deterministic in (N, --random-seed),
so bench/run.py can recompute any ticket's NIK and code (`ticket_identity`) without reading the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import multiprocessing
import os
import random
import sys
import time
import uuid

UTC = dt.UTC
SPAN_DAYS = 730
OFFICE_COUNT = 20
BENCH_OFFICE_SHARE = 400  # per mille of tickets at the bench office
CITIZENS_PER_TICKET = 0.85
CHUNK = 5_000  # tickets per work unit
BENCH_OFFICE = ("3319", "Disdukcapil Kabupaten Kudus", "33.19")
OTHER_OFFICES = [  # Central Java regencies; NIKs are drawn from their districts, never from Kudus
    ("3301", "Cilacap", "33.01"),
    ("3302", "Banyumas", "33.02"),
    ("3303", "Purbalingga", "33.03"),
    ("3304", "Banjarnegara", "33.04"),
    ("3305", "Kebumen", "33.05"),
    ("3306", "Purworejo", "33.06"),
    ("3307", "Wonosobo", "33.07"),
    ("3308", "Magelang", "33.08"),
    ("3309", "Boyolali", "33.09"),
    ("3310", "Klaten", "33.10"),
    ("3311", "Sukoharjo", "33.11"),
    ("3312", "Wonogiri", "33.12"),
    ("3313", "Karanganyar", "33.13"),
    ("3314", "Sragen", "33.14"),
    ("3315", "Grobogan", "33.15"),
    ("3316", "Blora", "33.16"),
    ("3317", "Rembang", "33.17"),
    ("3318", "Pati", "33.18"),
    ("3320", "Jepara", "33.20"),
]
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-sinkron-2026"
FIRST = [
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Eko",
    "Rina",
    "Joko",
    "Ani",
    "Wahyu",
    "Lestari",
    "Dian",
    "Rudi",
    "Nur",
    "Fajar",
    "Indah",
    "Hendra",
    "Yuni",
    "Slamet",
    "Bambang",
    "Sri",
    "Tri",
    "Endang",
    "Heru",
    "Wati",
]
LAST = [
    "Santoso",
    "Rahayu",
    "Prasetyo",
    "Wulandari",
    "Saputra",
    "Kurniawati",
    "Hidayat",
    "Purnomo",
    "Setiawan",
    "Lestari",
    "Nugroho",
    "Handayani",
    "Susanto",
    "Permata",
    "Wibowo",
    "Maharani",
]
CATEGORIES = [
    "nik_not_found",
    "kk_mismatch",
    "new_kk",
    "move",
    "name",
    "birth",
    "other_data",
    "duplicate_nik",
    "inactive_nik",
    "other",
]
CATEGORY_WEIGHTS = [10, 30, 25, 10, 6, 5, 4, 3, 3, 4]
SERVICES = ["sscasn", "bpjs", "bank", "bansos", "pemilu", "other"]
SERVICE_WEIGHTS = [25, 30, 20, 15, 5, 5]
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_SPACE = 31**10
CODE_MULTIPLIER = 7_919_000_003  # coprime with 31: j -> code is a bijection
CODE_OFFSET = 123_456_789_012
BIG_TABLES = [
    "citizens_familycard",
    "citizens_citizen",
    "citizens_familymembership",
    "tickets_ticket",
    "tickets_ticketevent",
    "sync_syncjob",
    "sync_syncattempt",
]


# --- identities: pure functions of (N, index), shared with bench/run.py ----------------------------


def citizen_count(tickets: int) -> int:
    return max(1, int(tickets * CITIZENS_PER_TICKET))


def _districts() -> list[str]:
    """Return the district codes NIKs and KKs are drawn from: Central Java, Kudus (33.19) excluded."""
    from citizens import regions

    codes = sorted(
        r.code
        for r in regions.iter_regions()
        if r.level == regions.DISTRICT
        and r.code.startswith("33.")
        and not r.code.startswith("33.19.")
        and int(r.code[3:5]) < 70
    )
    return [code.replace(".", "") for code in codes]


_DISTRICTS: list[str] = []


def districts() -> list[str]:
    if not _DISTRICTS:
        _DISTRICTS.extend(_districts())
    return _DISTRICTS


SCATTER = 1_000_000_007  # a prime: c -> c * SCATTER mod M is a bijection, so identities stay unique


def citizen_identity(c: int) -> tuple[str, dt.date, str]:
    """Return (NIK, birth date, sex) of citizen index `c`: unique, structurally valid, spread out."""
    codes = districts()
    q = (c * SCATTER) % (len(codes) * 28 * 12 * 56 * 9999)
    q, region = divmod(q, len(codes))
    q, day = divmod(q, 28)
    q, month = divmod(q, 12)
    serial, year = divmod(q, 56)
    sex = "P" if c % 2 else "L"
    nik = f"{codes[region]}{day + 1 + (40 if sex == 'P' else 0):02d}{month + 1:02d}{(1950 + year) % 100:02d}{serial + 1:04d}"
    return nik, dt.date(1950 + year, month + 1, day + 1), sex


def card_number(f: int) -> str:
    """Return the KK number of family card index `f` (unique; recording date in 2000-2025)."""
    codes = districts()
    q = (f * SCATTER) % (len(codes) * 28 * 12 * 26 * 9999)
    q, region = divmod(q, len(codes))
    q, day = divmod(q, 28)
    q, month = divmod(q, 12)
    serial, year = divmod(q, 26)
    return f"{codes[region]}{day + 1:02d}{month + 1:02d}{(2000 + year) % 100:02d}{serial + 1:04d}"


def ticket_code(j: int) -> str:
    n = (j * CODE_MULTIPLIER + CODE_OFFSET) % CODE_SPACE
    chars = []
    for _ in range(10):
        n, r = divmod(n, 31)
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


def office_index(j: int) -> int:
    """Return the office of ticket `j`: 0 (the bench office) for 40% of tickets, else one of 19."""
    if (j * 2_654_435_761) % 1000 < BENCH_OFFICE_SHARE:
        return 0
    return 1 + (j * 40_503) % (OFFICE_COUNT - 1)


def ticket_identity(tickets: int, j: int) -> dict:
    """Return what a citizen types on the status page for ticket `j`, and where the ticket lives."""
    c = j % citizen_count(tickets)
    nik, _birth, _sex = citizen_identity(c)
    return {"nik": nik, "code": ticket_code(j), "office": office_index(j)}


# --- COPY helpers ----------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


_CONVERTERS = {
    str: _text,
    int: str,
    float: repr,
    bool: lambda v: "t" if v else "f",
    type(None): lambda v: "\\N",
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
    dict: _json,
    list: _json,
    uuid.UUID: str,
}


def _cell(value) -> str:
    """Return `value` in COPY's text format."""
    return _CONVERTERS[type(value)](value)


class Table:
    """A model's columns for COPY; rows are dicts by attname, missing columns take the field default."""

    def __init__(self, model):
        self.name = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {
            f.attname: (
                f.get_default()
                if f.has_default()
                else ("" if f.empty_strings_allowed and not f.null else None)
            )
            for f in self.fields
        }
        self.attnames = [f.attname for f in self.fields]
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, row: dict) -> None:
        get, defaults, converters = row.get, self.defaults, _CONVERTERS
        values = [get(a, defaults[a]) for a in self.attnames]
        self.buffer.write("\t".join([converters[type(v)](v) for v in values]) + "\n")
        self.rows += 1

    def take(self) -> tuple[str, str, int]:
        data, rows = self.buffer.getvalue(), self.rows
        self.buffer, self.rows = io.StringIO(), 0
        return self.name, data, rows


def copy_into(cursor, table: str, columns: list[str], data: str) -> None:
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(data))


class Progress:
    """A one-line progress bar on stderr: done/total, rate and time left."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.start = label, total, 0, time.monotonic()
        self._last = 0.0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last < 0.5 and self.done < self.total:
            return
        self._last = now
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed else 0
        left = (self.total - self.done) / rate if rate else 0
        filled = int(30 * self.done / self.total) if self.total else 30
        sys.stderr.write(
            f"\r  {self.label:<10} [{'#' * filled}{'.' * (30 - filled)}] {self.done:>9,}/{self.total:,}"
            f"  {rate:,.0f}/s  {elapsed:5.0f}s elapsed  {left:4.0f}s left "
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


# --- generation (runs in worker processes) ---------------------------------------------------------

_STATE: dict = {}


def _worker_init(state: dict) -> None:
    import django

    django.setup()
    _STATE.update(state)
    districts()


def _encrypt(text: str) -> str:
    from core.crypto import encrypt

    return encrypt(text) if text else ""


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def citizens_chunk(bounds: tuple[int, int]) -> list[tuple[str, str, int]]:
    """Return COPY data for citizens [a, b), their cards and memberships."""
    from citizens.models import Citizen, FamilyCard, FamilyMembership
    from core.crypto import blind_index

    a, b = bounds
    start, step = _STATE["start"], _STATE["step"]
    rng = random.Random(_STATE["seed"] * 1_000_003 + a)
    cards, citizens, memberships = Table(FamilyCard), Table(Citizen), Table(FamilyMembership)
    for c in range(a, b):
        created = start + step * c
        f = c // 2
        if c % 2 == 0:  # the first member of the card creates it
            kk = card_number(f)
            cards.add(
                {
                    "id": f + 1,
                    "kk_number": _encrypt(kk),
                    "kk_digest": blind_index("kk", kk),
                    "kk_last4": kk[-4:],
                    "head_name": _name(rng),
                    "address": f"Jl. Contoh No. {f % 200 + 1}",
                    "created_at": created,
                }
            )
        nik, birth, sex = citizen_identity(c)
        phone = f"+62812{c:08d}"[:15] if rng.random() < 0.6 else ""
        citizens.add(
            {
                "id": c + 1,
                "nik": _encrypt(nik),
                "nik_digest": blind_index("nik", nik),
                "nik_last4": nik[-4:],
                "full_name": _name(random.Random(c)),
                "birth_date": birth,
                "sex": sex,
                "phone": _encrypt(phone),
                "email": "",
                "family_card_id": f + 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        memberships.add({"id": c + 1, "citizen_id": c + 1, "family_card_id": f + 1, "recorded_at": created})
    return [cards.take(), citizens.take(), memberships.take()]


def _status_for(age_hours: float, rng: random.Random) -> str:
    r = rng.random()
    if age_hours < 0.5:
        return "new" if r < 0.85 else "sent"
    if age_hours < 24:
        return (
            "sent"
            if r < 0.78
            else "resolved"
            if r < 0.90
            else "new"
            if r < 0.94
            else "rejected"
            if r < 0.97
            else "closed"
        )
    if age_hours < 72:
        return (
            "resolved"
            if r < 0.72
            else "escalated"
            if r < 0.86
            else "sent"
            if r < 0.90
            else "rejected"
            if r < 0.96
            else "closed"
        )
    escalated = 0.02 if age_hours < 24 * 30 else 0.003
    return (
        "resolved"
        if r < 0.90 - escalated
        else "escalated"
        if r < 0.90
        else "rejected"
        if r < 0.95
        else "closed"
    )


def tickets_chunk(bounds: tuple[int, int]) -> list[tuple[str, str, int]]:
    """Return COPY data for tickets [a, b) with their events, sync jobs and attempts."""
    from core.crypto import encrypt
    from sync.models import SyncAttempt, SyncJob
    from tickets.models import Ticket, TicketEvent

    a, b = bounds
    n, now, start, step = _STATE["tickets"], _STATE["now"], _STATE["start"], _STATE["step"]
    offices, staff = _STATE["offices"], _STATE["staff"]
    citizens_n = citizen_count(n)
    rng = random.Random(_STATE["seed"] * 7_919 + a)
    tickets, events, jobs, attempts = Table(Ticket), Table(TicketEvent), Table(SyncJob), Table(SyncAttempt)
    day, hour, minute = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1)
    for j in range(a, b):
        created = start + step * (j + rng.random() * 0.9)
        age_hours = (now - created).total_seconds() / 3600
        status = _status_for(age_hours, rng)
        if status == "escalated" and j + citizens_n < n:
            status = "resolved"  # the citizen comes back with ticket j + citizens_n: one open per category
        office = office_index(j)
        office_id, office_code = offices[office]
        clerks, supervisor = staff[office]
        clerk = clerks[j % len(clerks)]
        c = j % citizens_n
        nik, birth, sex = citizen_identity(c)
        kk = card_number(c // 2)
        code = ticket_code(j)
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        service = rng.choices(SERVICES, SERVICE_WEIGHTS)[0]
        old_kk = (
            card_number(citizens_n + j)
            if category in ("kk_mismatch", "new_kk") and rng.random() < 0.5
            else ""
        )
        pushed = status != "new" and not (status in ("rejected", "closed") and rng.random() < 0.3)
        sent_at = created + dt.timedelta(seconds=rng.uniform(5, 180)) if pushed else None
        due_at = (sent_at or created) + day
        resolved_at = closed_at = escalated_at = None
        update_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if pushed else ""
        events.add(
            {
                "id": 8 * j + 1,
                "ticket_id": j + 1,
                "created_at": created,
                "actor_id": clerk,
                "kind": "opened",
                "to_status": "new",
                "message": "Pengaduan dicatat di loket.",
            }
        )
        if sent_at:
            events.add(
                {
                    "id": 8 * j + 2,
                    "ticket_id": j + 1,
                    "created_at": sent_at,
                    "kind": "status",
                    "from_status": "new",
                    "to_status": "sent",
                    "details": {"update_id": update_id},
                    "message": "Data diterima pusat; menunggu sinkronisasi (maks. 1x24 jam).",
                }
            )
        if rng.random() < 0.2 and created + 2 * hour < now:
            events.add(
                {
                    "id": 8 * j + 3,
                    "ticket_id": j + 1,
                    "created_at": created + 2 * hour,
                    "actor_id": clerk,
                    "kind": "note",
                    "message": "Pemohon dihubungi lewat WhatsApp.",
                }
            )
        escalate_first = status == "escalated" or (status == "resolved" and sent_at and rng.random() < 0.08)
        if escalate_first and sent_at and due_at < now:
            escalated_at = due_at + dt.timedelta(seconds=rng.uniform(0, 60))
            events.add(
                {
                    "id": 8 * j + 4,
                    "ticket_id": j + 1,
                    "created_at": escalated_at,
                    "kind": "status",
                    "from_status": "sent",
                    "to_status": "escalated",
                    "details": {"update_id": update_id},
                    "message": "Melewati SLA 1x24 jam; data belum berubah di pusat. Hubungi petugas pusat.",
                }
            )
        elif status == "escalated":
            status = "sent"
        last = escalated_at or sent_at or created
        if status == "resolved":
            base = escalated_at or sent_at or created
            resolved_at = min(base + dt.timedelta(hours=rng.lognormvariate(1.8, 0.9)), now - minute)
            resolved_at = max(resolved_at, base + minute)
            events.add(
                {
                    "id": 8 * j + 5,
                    "ticket_id": j + 1,
                    "created_at": resolved_at,
                    "kind": "status",
                    "from_status": "escalated" if escalated_at else "sent" if sent_at else "new",
                    "to_status": "resolved",
                    "details": {"update_id": update_id},
                    "message": "Data di pusat sudah sesuai. Pengaduan selesai.",
                }
            )
            last = resolved_at
        elif status in ("rejected", "closed"):
            closed_at = min(last + dt.timedelta(hours=rng.uniform(0.1, 20)), now - minute)
            closed_at = max(closed_at, last + dt.timedelta(seconds=1))
            by_registry = status == "rejected" and sent_at is not None
            events.add(
                {
                    "id": 8 * j + 5,
                    "ticket_id": j + 1,
                    "created_at": closed_at,
                    "kind": "status",
                    "actor_id": None if by_registry else (clerk if status == "rejected" else supervisor),
                    "from_status": "sent" if sent_at else "new",
                    "to_status": status,
                    "message": "Pusat menolak data: dokumen pendukung diperlukan"
                    if by_registry
                    else "Duplikat"
                    if status == "closed"
                    else "Dokumen tidak lengkap.",
                }
            )
            last = closed_at
        outcome = {"resolved": "Data sinkron.", "rejected": "Bawa dokumen.", "closed": "Duplikat."}.get(
            status, ""
        )
        tickets.add(
            {
                "id": j + 1,
                "code": code,
                "office_id": office_id,
                "citizen_id": c + 1,
                "category": category,
                "service": service,
                "kk_number": encrypt(kk),
                "kk_last4": kk[-4:],
                "kk_number_old": _encrypt(old_kk),
                "description": "Ditolak saat login portal." if j % 3 else "",
                "status": status,
                "deadline": (created + 14 * day).date() if j % 5 == 0 else None,
                "assignee_id": clerk,
                "created_by_id": clerk,
                "outcome_note": outcome,
                "created_at": created,
                "updated_at": last,
                "sent_at": sent_at,
                "due_at": due_at,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
            }
        )
        payload = {
            "nik": nik,
            "kk_number": kk,
            "full_name": _name(random.Random(c)),
            "birth_date": birth.isoformat(),
            "sex": sex,
            "region_code": f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}",
            "office_code": office_code,
            "reference": code,
        }
        state = {
            "new": "pending",
            "sent": "accepted",
            "escalated": "accepted",
            "resolved": "verified",
            "rejected": "rejected" if sent_at else "cancelled",
            "closed": "cancelled",
        }[status]
        checks = 0 if state == "pending" else rng.randint(0, 3) + (1 if state == "verified" else 0)
        jobs.add(
            {
                "id": j + 1,
                "ticket_id": j + 1,
                "payload_json": encrypt(json.dumps(payload)),
                "idempotency_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                "state": state,
                "attempts": 1 if sent_at else rng.randint(0, 2),
                "checks": checks,
                "next_attempt_at": (last + 2 * hour) if state in ("pending", "accepted") else last,
                "claimed_until": None,
                "last_error": "" if sent_at or state != "pending" else "ConnectTimeout",
                "update_id": update_id,
                "accepted_at": sent_at,
                "sla_due_at": due_at if sent_at else None,
                "escalated_at": escalated_at,
                "verified_at": resolved_at if state == "verified" else None,
                "created_at": created,
                "updated_at": last,
            }
        )
        if sent_at:
            attempts.add(
                {
                    "id": 2 * j + 1,
                    "job_id": j + 1,
                    "operation": "push",
                    "outcome": "accepted",
                    "status_code": 202,
                    "latency_ms": rng.randint(25, 400),
                    "created_at": sent_at,
                }
            )
        if state == "verified":
            attempts.add(
                {
                    "id": 2 * j + 2,
                    "job_id": j + 1,
                    "operation": "resident",
                    "outcome": "found",
                    "status_code": 200,
                    "latency_ms": rng.randint(20, 300),
                    "created_at": resolved_at,
                }
            )
    return [tickets.take(), events.take(), jobs.take(), attempts.take()]


# --- the main process ------------------------------------------------------------------------------


def _set_up_offices_and_staff():
    """Create offices, staff and the bench supervisor; return ids for the workers."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from tickets.models import Office, StaffProfile
    from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP

    User = get_user_model()
    counter, supervisors = Group.objects.get(name=COUNTER_GROUP), Group.objects.get(name=SUPERVISOR_GROUP)
    password = make_password(BENCH_PASSWORD)
    offices, staff = [], []
    for index, (code, name, region) in enumerate([BENCH_OFFICE] + OTHER_OFFICES):
        office = Office.objects.create(
            code=code,
            name=name if index == 0 else f"Disdukcapil Kabupaten {name}",
            region_code=region,
            central_contact_whatsapp="+628118005373",
        )
        clerks = []
        for k in range(3):
            user = User.objects.create(
                username=f"petugas{code}_{k}",
                first_name=FIRST[k],
                last_name=LAST[index % 16],
                password=password,
            )
            user.groups.add(counter)
            StaffProfile.objects.create(user=user, office=office)
            clerks.append(user.pk)
        boss = User.objects.create(
            username=BENCH_USER if index == 0 else f"supervisor{code}",
            first_name="Bench" if index == 0 else "Kepala",
            last_name=name[:20],
            password=password,
        )
        boss.groups.add(supervisors)
        StaffProfile.objects.create(user=boss, office=office)
        offices.append((office.pk, code))
        staff.append((clerks, boss.pk))
    return offices, staff


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the big tables' FKs, unique constraints and secondary indexes; return how to rebuild them."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
        FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')
    """,
        [BIG_TABLES],
    )
    constraints = cursor.fetchall()
    rebuild = []
    # Unique constraints first (FKs may depend on them), FKs last when rebuilding.
    for table, name, _definition, _kind in sorted(constraints, key=lambda r: r[3] != "f"):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for table, name, definition, _kind in sorted(constraints, key=lambda r: r[3] == "f"):
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    """,
        [BIG_TABLES],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    # Plain indexes before constraints: the FK validation then has its indexes.
    return [definition for _name, definition in indexes] + rebuild


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--random-seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    began = time.monotonic()
    n = args.tickets
    print(f"seeding {n:,} tickets into {connection.settings_dict['NAME']}", file=sys.stderr)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_regions", verbosity=0)
    offices, staff = _set_up_offices_and_staff()
    now = dt.datetime.now(UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=SPAN_DAYS)
    state = {
        "tickets": n,
        "seed": args.random_seed,
        "now": now,
        "start": start,
        "step": dt.timedelta(days=SPAN_DAYS) / n,
        "offices": offices,
        "staff": staff,
    }
    citizens_n = citizen_count(n)
    columns = {}
    from citizens.models import Citizen, FamilyCard, FamilyMembership
    from sync.models import SyncAttempt, SyncJob
    from tickets.models import Ticket, TicketEvent

    for model in (FamilyCard, Citizen, FamilyMembership, Ticket, TicketEvent, SyncJob, SyncAttempt):
        table = Table(model)
        columns[table.name] = table.columns

    connection.close()  # the workers are forked: they must not inherit an open connection
    context = multiprocessing.get_context("fork")
    with (
        context.Pool(args.processes, initializer=_worker_init, initargs=(state,)) as pool,
        connection.cursor() as cursor,
    ):
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        rebuild = _drop_secondary_indexes(cursor)
        for label, func, total in (("citizens", citizens_chunk, citizens_n), ("tickets", tickets_chunk, n)):
            progress = Progress(label, total)
            chunks = [(a, min(a + CHUNK, total)) for a in range(0, total, CHUNK)]
            for bounds, tables in zip(chunks, pool.imap(func, chunks)):
                for name, data, rows in tables:
                    if rows:
                        copy_into(cursor, name, columns[name], data)
                progress.advance(bounds[1] - bounds[0])
        progress = Progress("indexes", len(rebuild))
        for statement in rebuild:
            cursor.execute(statement)
            progress.advance(1)
        _daily_counts(cursor, offices, n, now)
        for table in BIG_TABLES + ["auth_user", "tickets_office", "helpdesk_dailystatuscount"]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    print("  VACUUM ANALYZE ...", file=sys.stderr)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {n:,} tickets in {time.monotonic() - began:.0f} s", file=sys.stderr)
    return 0


def _daily_counts(cursor, offices, n: int, now: dt.datetime) -> None:
    """Write a year of nightly open-ticket snapshots per office (what the hourly task would have left)."""
    rows = io.StringIO()
    per_day = n / SPAN_DAYS
    rng = random.Random(n)
    today = now.date()
    for index, (office_id, _code) in enumerate(offices):
        share = (
            BENCH_OFFICE_SHARE / 1000 if index == 0 else (1 - BENCH_OFFICE_SHARE / 1000) / (OFFICE_COUNT - 1)
        )
        for back in range(1, 366):
            day = today - dt.timedelta(days=back)
            for status, factor in (("new", 0.05), ("sent", 0.9), ("escalated", 0.4 + 0.01 * (back % 30))):
                count = int(per_day * share * factor * rng.uniform(0.8, 1.2))
                rows.write(f"{office_id}\t{day.isoformat()}\t{status}\t{count}\n")
    cursor.copy_expert(
        "COPY helpdesk_dailystatuscount (office_id, day, status, count) FROM STDIN",
        io.StringIO(rows.getvalue()),
    )


if __name__ == "__main__":
    sys.exit(main())
