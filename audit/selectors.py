"""Reads of the audit trail for people: scoped to the reader's offices, filtered by ticket or staff member."""

import re

from django.db.models import QuerySet

from audit.models import AuditEntry
from core.scoping import scope_of

# The ticket-code alphabet has no 0/O, 1/I/L; here only shape matters: letters and digits, upper case.
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def normalize_code(text: str) -> str:
    """Return a ticket code as stored ("abcde-fghjk " -> "ABCDEFGHJK")."""
    return _NOT_CODE.sub("", (text or "").upper())


def entries_for(user, *, ticket: str = "", staff: str = "") -> QuerySet:
    """Return the entries `user` may read, newest first: those of their scope's offices (all for
    the national role and admins)."""
    scope = scope_of(user)
    entries = AuditEntry.objects.all()
    if not scope.sees_all:
        entries = entries.for_offices(scope.office_codes)
    if ticket:
        entries = entries.for_ticket(normalize_code(ticket))
    if staff:
        entries = entries.filter(actor_label=staff.strip())
    return entries.order_by("-sequence")
