"""Writers on separate database connections, all at once: still one chain, no fork, no gap."""

import threading
import time

import pytest
from django.db import connection, transaction

from audit import services
from audit.models import AuditEntry
from tests.audit.helpers import verify

WRITERS = 8
ENTRIES_EACH = 12


def _write(n: int, barrier: threading.Barrier, errors: list) -> None:
    try:
        barrier.wait()
        for i in range(ENTRIES_EACH):
            with transaction.atomic():
                services.record(
                    action="view_full_nik",
                    actor_label=f"penulis-{n}",
                    object_type="ticket",
                    object_id=f"T{n:02d}{i:02d}",
                )
                time.sleep(0.001)  # hold the transaction open a moment: make the writers overlap
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        connection.close()  # this thread's own connection


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_their_own_connections_make_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.fail("SQLite has one writer at a time; the race needs PostgreSQL")
    barrier, errors = threading.Barrier(WRITERS), []
    threads = [threading.Thread(target=_write, args=(n, barrier, errors)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    total = WRITERS * ENTRIES_EACH
    assert list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, total + 1)
    )
    assert AuditEntry.objects.values("prev_hash").distinct().count() == total  # no two share a predecessor
    assert f"intact: {total} entries" in verify()
