"""Reads of the audit trail for people: scoped to an office, filtered by ticket or staff member."""

import re

from django.db.models import QuerySet

from audit.models import AuditEntry
from core.scoping import staff_office

# The ticket-code alphabet has no 0/O, 1/I/L; here only shape matters: letters and digits, upper case.
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def normalize_code(text: str) -> str:
    """Return a ticket code as stored ("abcde-fghjk " -> "ABCDEFGHJK")."""
    return _NOT_CODE.sub("", (text or "").upper())


def office_code_of(user) -> str | None:
    """Return the user's office code, or None when they belong to no office."""
    return getattr(staff_office(user), "code", None) or None


def entries_for(user, *, ticket: str = "", staff: str = "") -> QuerySet:
    """Return the entries `user` may read, newest first: all for a superuser, else their office's."""
    entries = AuditEntry.objects.all()
    if not user.is_superuser:
        entries = entries.for_office(office_code_of(user) or "\x00")
    if ticket:
        entries = entries.for_ticket(normalize_code(ticket))
    if staff:
        entries = entries.filter(actor_label=staff.strip())
    return entries.order_by("-sequence")
