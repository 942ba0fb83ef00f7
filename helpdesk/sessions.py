"""The session engine: Django's database sessions, read with one written-out statement.

Every staff page reads its session first. Django's own `SessionStore.objects.get(...)` spent more
of the request composing its SQL than the database spent answering it; the row, the expiry check
and what happens to a missing or expired session are Django's, unchanged. Writing, renewing and
deleting stay Django's own.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from core.replica import read_one

LOAD_SQL = "SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s"


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        row = read_one(model, LOAD_SQL.format(table=model._meta.db_table), [self.session_key, timezone.now()])
        if row is None:
            self._session_key = None  # as Django does: a new key is made if this one is saved
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
