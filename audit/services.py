"""The one way to write the audit trail: record().

Call it inside the transaction of the act it records (Zulip-style), as the last write of that
transaction: it takes the chain's lock, which is held until the outermost transaction commits, so
the sooner it comes before the commit, the less other writers wait — and taking it after the
act's own row locks keeps every writer's lock order the same (no deadlocks).
"""

import logging
from ipaddress import ip_address

from django.db import connection, transaction
from django.utils import timezone

from audit import chain
from audit.models import Action, AuditEntry
from audit.scrub import scrub_text, scrub_value
from core.scoping import staff_office

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key: any constant bigint no other part of the project uses.
CHAIN_LOCK_KEY = 7_270_022_027
SYSTEM_LABEL = "sistem"


def record(
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    object_type: str = "",
    object_id="",
    office: str = "",
    ip: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit chain and return it.

    `actor` is the user who acted (None for the system; `actor_label` then names the job, e.g.
    "manage.py rotate_keys"); `object_type`/`object_id` name what was acted on (a ticket code, a
    citizen id: never a NIK); `office` is the office code the object belongs to; `ip` is the
    client address; `details` is any plain data (counts, filters, field names). Every string is
    scrubbed of 16-digit numbers before it is hashed and stored.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    fields = {
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": scrub_text(_label(actor, actor_label))[:150],
        "actor_office": scrub_text(_office_code_of(actor))[:20],
        "action": action,
        "object_type": scrub_text(object_type)[:20],
        "object_id": scrub_text(str(object_id))[:64],
        "office": scrub_text(office or "")[:20],
        "ip": _clean_ip(ip),
        "details": scrub_value(dict(details or {})),
    }
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
        entry = AuditEntry(sequence=sequence, created_at=timezone.now(), prev_hash=prev_hash, **fields)
        entry.hash = entry.computed_hash()
        entry.save(force_insert=True)
    return entry


def _lock_chain() -> None:
    """Serialise writers until the transaction ends, so two never link to the same predecessor.

    PostgreSQL: a transaction-level advisory lock (a row lock on the last entry would not do: a
    writer blocked on it wakes up still seeing that row as the last, and the table starts empty).
    SQLite allows one writer at a time anyway; there the unique sequence catches what slips by.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _label(actor, label: str) -> str:
    if actor is None:
        return label or SYSTEM_LABEL
    return actor.get_username()


def _office_code_of(actor) -> str:
    """Return the acting user's office code, if the project gave them one (user.staff_profile)."""
    return str(getattr(staff_office(actor), "code", "") or "")


def _clean_ip(ip: str) -> str | None:
    """Return the address in the form the database gives back (compressed IPv6), or None."""
    try:
        return str(ip_address((ip or "").strip())) if ip else None
    except ValueError:
        logger.warning("audit: ignoring a client address that is not an IP address")
        return None
