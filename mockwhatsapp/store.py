"""The gateway's state in one SQLite file: messages both ways, idempotency keys, windows, controls.

One gunicorn worker serves every request from threads; a lock around the one connection makes each
function below atomic (the idempotency check and the insert of a message happen under one lock).
"""

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, direction TEXT NOT NULL, phone TEXT NOT NULL,
    template TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, status TEXT NOT NULL,
    error_code INTEGER, idempotency_key TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_phone ON messages (phone, created_at);
CREATE TABLE IF NOT EXISTS idempotency (
    channel TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL, PRIMARY KEY (channel, key));
CREATE TABLE IF NOT EXISTS windows (phone TEXT PRIMARY KEY, last_inbound_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS controls (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

DEFAULT_FAULTS = {
    "outage": False,  # every API call answers 503
    "rate_limited": False,  # every API call answers 429 with Retry-After
    "retry_after": 1,
    "latency_ms": 0,  # before handling a call
    "latency_after_accept_ms": 0,  # after recording a sent message, before answering
    "channels": ["whatsapp", "sms"],  # which endpoints the faults above apply to
}


class Store:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    # --- controls ---------------------------------------------------------------------------------

    def control(self, name: str, default):
        with self._lock:
            row = self._db.execute("SELECT value FROM controls WHERE name = ?", (name,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_control(self, name: str, value) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO controls (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, json.dumps(value)),
            )

    def faults(self) -> dict:
        return {**DEFAULT_FAULTS, **self.control("faults", {})}

    def count(self, name: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name,),
            )

    def counters(self) -> dict:
        with self._lock:
            return {r["name"]: r["value"] for r in self._db.execute("SELECT name, value FROM counters")}

    def reset(self) -> None:
        with self._lock:
            for table in ("messages", "idempotency", "windows", "controls", "counters"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    # --- sending ----------------------------------------------------------------------------------

    def send_once(self, *, channel: str, key: str, request_hash: str, accept) -> tuple[int, dict, bool]:
        """Return (status, response, replayed): the stored answer when `key` was seen with the same
        request, a 409 when with another, else `accept()`'s answer, stored under `key`."""
        with self._lock:
            if key:
                row = self._db.execute(
                    "SELECT * FROM idempotency WHERE channel = ? AND key = ?", (channel, key)
                ).fetchone()
                if row is not None:
                    if row["request_hash"] != request_hash:
                        return 409, _conflict(), True
                    return row["status"], json.loads(row["response"]), True
            status, response = accept()
            if key and status < 500:
                self._db.execute(
                    "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)",
                    (channel, key, request_hash, status, json.dumps(response)),
                )
            return status, response, False

    def add_message(self, *, channel, direction, phone, body, status, template="", key="") -> str:
        """Insert a message (call inside `send_once`'s accept, or on its own for inbound ones)."""
        prefix = "wamid." if channel == "whatsapp" else "sms."
        message_id = prefix + uuid.uuid4().hex
        self._db.execute(
            "INSERT INTO messages (id, channel, direction, phone, template, body, status, "
            "idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (message_id, channel, direction, phone, template, body, status, key, time.time()),
        )
        return message_id

    def add_demo_message(self, *, direction, phone, body, template, status, at: float) -> None:
        with self._lock:
            message_id = self.add_message(
                channel="whatsapp",
                direction=direction,
                phone=phone,
                body=body,
                status=status,
                template=template,
            )
            self._db.execute("UPDATE messages SET created_at = ? WHERE id = ?", (at, message_id))

    def add_inbound(self, *, phone: str, body: str) -> str:
        with self._lock:
            message_id = self.add_message(
                channel="whatsapp", direction="in", phone=phone, body=body, status="received"
            )
            self._db.execute(
                "INSERT INTO windows VALUES (?, ?) "
                "ON CONFLICT (phone) DO UPDATE SET last_inbound_at = excluded.last_inbound_at",
                (phone, time.time()),
            )
        return message_id

    def last_inbound_at(self, phone: str) -> float | None:
        """Read without the lock: it is called from inside `send_once`'s accept."""
        row = self._db.execute("SELECT last_inbound_at FROM windows WHERE phone = ?", (phone,)).fetchone()
        return row["last_inbound_at"] if row else None

    def set_status(self, message_id: str, status: str, error_code: int | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE messages SET status = ?, error_code = ? WHERE id = ?",
                (status, error_code, message_id),
            )

    # --- reading ----------------------------------------------------------------------------------

    def messages(self, phone: str | None = None) -> list[dict]:
        with self._lock:
            if phone is None:
                rows = self._db.execute("SELECT * FROM messages ORDER BY created_at, rowid")
            else:
                rows = self._db.execute(
                    "SELECT * FROM messages WHERE phone = ? ORDER BY created_at, rowid", (phone,)
                )
            return [dict(row) for row in rows]

    def conversations(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT phone, COUNT(*) AS count, MAX(created_at) AS last_at FROM messages "
                "GROUP BY phone ORDER BY last_at DESC"
            )
            return [dict(row) for row in rows]


def _conflict() -> dict:
    return {
        "error": {
            "message": "Idempotency-Key reused with a different request",
            "type": "OAuthException",
            "code": 100,
            "error_data": {"details": "The same key was sent before with another body."},
        }
    }
