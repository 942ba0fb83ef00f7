"""bench/waits.py sees what a database session is doing: here one left idle inside a transaction."""

import psycopg2
import pytest
from django.db import connection

from bench import waits

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_session_idle_in_its_transaction_is_seen_waiting_for_its_client():
    settings = connection.settings_dict
    database = settings["NAME"]
    other = psycopg2.connect(
        dbname=database, user=settings["USER"], host=settings["HOST"] or None, port=settings["PORT"] or None
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")  # opens the transaction, then leaves it waiting for us
        samples, seen = waits.sample(0.2, databases=database, interval=0.05)
    finally:
        other.close()
    assert samples >= 2
    assert seen[("idle in transaction", "Client", "ClientRead")] >= samples
