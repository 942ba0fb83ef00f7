"""Claiming a unit of work (a row) with a conditional UPDATE: a lease in its `claimed_until`.

A worker acts on the row only when its claim changed exactly one row, and writes the outcome only
while it still holds that lease, so two workers or a redelivered message never do the work twice.
Each model using this has `claimed_until` (nullable) and `updated_at` columns.
"""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone


def unclaimed(now) -> Q:
    """Rows nobody holds: never claimed, released, or whose lease ran out."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def lease_until(now, seconds: float):
    return now + timedelta(seconds=seconds)


def claim(rows: QuerySet, *, now, seconds: float, **changes) -> bool:
    """Lease the one row `rows` selects if nobody holds it, applying `changes`; False otherwise."""
    claimed = rows.filter(unclaimed(now)).update(
        claimed_until=lease_until(now, seconds), updated_at=now, **changes
    )
    return claimed == 1


def release(row, **fields) -> bool:
    """Write `fields` and free the row if this worker still holds the lease it read (row.claimed_until);
    False when the lease ran out and another worker took the row over."""
    held = type(row)._default_manager.filter(pk=row.pk, claimed_until=row.claimed_until)
    return held.update(claimed_until=None, updated_at=timezone.now(), **fields) == 1
