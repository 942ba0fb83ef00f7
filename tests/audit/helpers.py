"""Helpers shared by the audit tests."""

import io
import re

from django.core.management import call_command
from django.db import connection

# A 16-digit number, also when written with single spaces, dots or dashes between the digits.
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")


def verify(*args) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def raw_sql(sql: str, params=()) -> None:
    """Run SQL as the table's owner would: on PostgreSQL, with the append-only trigger switched off.

    ALTER TABLE is transactional in PostgreSQL, so the test's rollback switches it back on.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred check: run the pending foreign-key checks first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def audit_table_text() -> str:
    """Return every stored value of every audit row as one text, as the database holds it.

    The chain's hex digests are left out: a SHA-256 in hex holds a run of 16 decimal digits by
    chance in a few percent of rows, which no NIK put there.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditentry")
        names = [column.name for column in cursor.description]
        rows = [
            [value for name, value in zip(names, row) if name not in ("hash", "prev_hash")]
            for row in cursor.fetchall()
        ]
    return "\n".join(" | ".join("" if value is None else str(value) for value in row) for row in rows)
