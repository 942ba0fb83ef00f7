"""Reads that may be stale go to the streaming replica; everything else stays on the primary.

Only code that opts in reads from the replica: a view wrapped in `reads_from_replica` (dashboards,
reports and their exports) or a block under `replica_reads()`. Inside such a scope a read still
goes to the primary when it must be fresh:
- the model belongs to an app whose reads decide who someone is or what happens next (auth,
  sessions, two-factor devices, the lockout records, the hash-chained audit trail);
- the primary connection is inside a transaction (a read there belongs to the write);
- something in the scope has written already (read your own writes for the rest of it).
Workers, the sweeper, intake and every other page never open a scope, so they never see the
replica. Without a `replica` database (DATABASE_REPLICA_URL unset: tests, the demo) nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"
# App labels whose reads must see the latest commit, whatever the scope.
PRIMARY_ONLY_APPS = frozenset(
    {"auth", "sessions", "contenttypes", "admin", "axes", "otp_totp", "otp_static", "audit", "helpdesk"}
)


@dataclass
class _Scope:
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("sinkron_replica_scope", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads of this block go to the replica (those that need not be fresh)."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def reads_from_replica(view):
    """Run `view` under `replica_reads()`, a streamed response's body included (it is produced
    after the view has returned, while the server sends it)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with replica_reads():
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False) and not getattr(response, "is_async", False):
            response.streaming_content = _within_scope(response.streaming_content)
        return response

    return wrapper


def _within_scope(chunks):
    with replica_reads():
        yield from chunks


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: see the module's docstring for who reads where."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is None or scope.wrote or not replica_configured():
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL, schema included


def read_one(model, sql: str, params) -> tuple | None:
    """Run a written-out read of `model`'s table where the router sends its reads; return the
    first row. For the statements every page runs, where the ORM's composing costs more than
    PostgreSQL's answer (the session, the alert badge)."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
