"""The hash chain: how an entry's hash is computed, and how the whole chain is checked.

hash = SHA-256(prev_hash + canonical JSON of the entry's fields). The canonical JSON sorts keys,
has no spaces, and writes times in UTC with microseconds, so the same row always gives the same
bytes whatever the database returns it as.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_id",
    "actor_label",
    "actor_office",
    "action",
    "object_type",
    "object_id",
    "office",
    "ip",
    "details",
)


def canonical_json(fields: dict) -> str:
    """Return the canonical JSON text of an entry's hashed fields."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    created = values["created_at"]
    values["created_at"] = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    values["ip"] = values["ip"] or ""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, fields: dict) -> str:
    """Return the hash that links an entry with `fields` after the entry whose hash is `prev_hash`."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    sequence: int
    entry_id: int | None
    reason: str

    def __str__(self):
        where = f"#{self.sequence}" + (f" (id {self.entry_id})" if self.entry_id is not None else "")
        return f"entry {where}: {self.reason}"


@dataclass(frozen=True)
class Report:
    entries: int
    head_sequence: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(entries, *, anchors: dict[int, str] | None = None) -> Report:
    """Walk `entries` (in sequence order) and return the first broken link, if any.

    Checks that sequences run 1, 2, 3... without gaps (a deleted row leaves one), that each
    entry's prev_hash is its predecessor's hash, and that each hash matches the entry's content.
    `anchors` maps sequences to hashes recorded elsewhere (e.g. a printed head): a rewritten
    chain that is internally consistent still fails there.
    """
    anchors = dict(anchors or {})
    expected_sequence, prev_hash, count = 1, GENESIS, 0
    for entry in entries:
        count += 1
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.sequence != expected_sequence:
            return Report(
                count,
                expected_sequence - 1,
                prev_hash,
                Break(
                    expected_sequence, None, f"missing; the next entry is #{entry.sequence} (id {entry.pk})"
                ),
            )
        if entry.prev_hash != prev_hash:
            return Report(
                count,
                entry.sequence,
                entry.hash,
                Break(entry.sequence, entry.pk, "prev_hash does not match the hash of the entry before it"),
            )
        if link_hash(entry.prev_hash, fields) != entry.hash:
            return Report(
                count,
                entry.sequence,
                entry.hash,
                Break(
                    entry.sequence, entry.pk, "hash does not match the entry's content (the row was changed)"
                ),
            )
        wanted = anchors.pop(entry.sequence, None)
        if wanted is not None and wanted != entry.hash:
            return Report(
                count,
                entry.sequence,
                entry.hash,
                Break(
                    entry.sequence, entry.pk, "hash differs from the anchor recorded for it (chain rewritten)"
                ),
            )
        prev_hash, expected_sequence = entry.hash, expected_sequence + 1
    if anchors:
        missing = min(anchors)
        return Report(
            count,
            expected_sequence - 1,
            prev_hash,
            Break(missing, None, "anchored entry is missing (the chain was cut short)"),
        )
    return Report(count, expected_sequence - 1, prev_hash, None)
