"""The ticket state machine (DESIGN.md §3). Only this module decides which status may follow which."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("Baru")
    SENT = "sent", _("Dikirim ke pusat")
    RESOLVED = "resolved", _("Selesai")
    ESCALATED = "escalated", _("Eskalasi")
    REJECTED = "rejected", _("Ditolak")
    CLOSED = "closed", _("Ditutup")


OPEN_STATUSES = frozenset({Status.NEW, Status.SENT, Status.ESCALATED})
FINAL_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.CLOSED})

# An escalated ticket can still be resolved: the centre applied it late, or after the emergency
# contact. Final statuses have no way out; a citizen who comes back gets a new ticket.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.SENT, Status.ESCALATED, Status.REJECTED, Status.CLOSED}),
    Status.SENT: frozenset({Status.RESOLVED, Status.ESCALATED, Status.REJECTED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.RESOLVED, Status.REJECTED, Status.CLOSED}),
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
