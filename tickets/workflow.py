"""The ticket state machine (DESIGN.md §3). Only this module decides which status may follow which."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("Baru")
    SENT = "sent", _("Dikirim ke pusat")
    ACTION_NEEDED = "action_needed", _("Perlu tindakan")
    CENTRE_APPLIED = "centre_applied", _("Selesai di pusat")
    RESOLVED = "resolved", _("Selesai")
    ESCALATED = "escalated", _("Eskalasi")
    REJECTED = "rejected", _("Ditolak")
    CLOSED = "closed", _("Ditutup")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.SENT, Status.ACTION_NEEDED, Status.ESCALATED, Status.CENTRE_APPLIED}
)
# Open tickets the 1x24 jam promise still runs for: once the centre shows the data, the promise is
# kept and only the portal the citizen named is still to follow.
AWAITING_CENTRE = OPEN_STATUSES - {Status.CENTRE_APPLIED}
FINAL_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.CLOSED})

# ACTION_NEEDED: the centre refused for a reason no retry clears (NIK ganda, blocked, nonaktif,
# documents needed, the family refused); the clerk's action leads back to a push (NEW or straight
# to SENT), or to the centre's personnel (ESCALATED).
# CENTRE_APPLIED: the centre shows the corrected data; the ticket resolves when the portal the
# citizen named sees it too, or when the portal's window has passed.
# An escalated ticket can still be resolved: the centre applied it late, or after the emergency
# contact. Final statuses have no way out; a citizen who comes back gets a new ticket.
_ENDINGS = {Status.REJECTED, Status.CLOSED}
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.SENT, Status.ACTION_NEEDED, Status.ESCALATED, *_ENDINGS}),
    Status.SENT: frozenset(
        {Status.CENTRE_APPLIED, Status.RESOLVED, Status.ACTION_NEEDED, Status.ESCALATED, *_ENDINGS}
    ),
    Status.ACTION_NEEDED: frozenset({Status.NEW, Status.SENT, Status.ESCALATED, *_ENDINGS}),
    Status.ESCALATED: frozenset({Status.CENTRE_APPLIED, Status.RESOLVED, Status.ACTION_NEEDED, *_ENDINGS}),
    Status.CENTRE_APPLIED: frozenset({Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.CLOSED: frozenset(),
}


class IllegalTransition(Exception):
    """A status change the workflow does not allow. Never swallowed: callers must decide."""

    def __init__(self, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(
            gettext("Status tiket tidak dapat diubah dari %(current)s ke %(target)s.")
            % {"current": Status(current).label, "target": Status(target).label}
        )


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: str, target: str) -> None:
    """Raise IllegalTransition unless `current` may move to `target`."""
    if not can_transition(current, target):
        raise IllegalTransition(current, target)
