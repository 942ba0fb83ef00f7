"""Who may do what with tickets. Views check these on the server; templates only mirror them."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.scoping import staff_office, staff_office_id
from tickets.blocks import CLERK_ACTION
from tickets.workflow import Status

COUNTER_GROUP = "Petugas Loket"
SUPERVISOR_GROUP = "Supervisor"


def _in_group(user, name: str) -> bool:
    cache = getattr(user, "_sinkron_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._sinkron_groups = cache
    return name in cache


def is_supervisor(user) -> bool:
    return user.is_authenticated and (user.is_superuser or _in_group(user, SUPERVISOR_GROUP))


def is_staff_member(user) -> bool:
    """Return True for anyone who works the desk: counter staff, supervisors, admins."""
    return user.is_authenticated and (is_supervisor(user) or _in_group(user, COUNTER_GROUP))


def sees_all_offices(user) -> bool:
    return user.is_superuser or user.has_perm("tickets.view_all_offices")


def may_open_ticket(user, ticket) -> bool:
    """Return whether `user` may open `ticket`: their own office's, or any for those who see all."""
    if sees_all_offices(user):
        return True
    office_id = staff_office_id(user)
    return office_id is not None and office_id == ticket.office_id


# The clerk's actions on a "Perlu tindakan" ticket (tickets.blocks.CLERK_ACTION; views in sync).
BLOCK_ACTIONS = frozenset(CLERK_ACTION.values())
COUNTER_ACTIONS = frozenset({"note", "take", "reject", "resolve", *BLOCK_ACTIONS})
SUPERVISOR_ACTIONS = COUNTER_ACTIONS | {"assign", "close", "escalate"}
REASON_ACTIONS = frozenset({"resolve", "reject", "escalate", "close"})


def role_actions(user) -> frozenset[str]:
    """Return the actions `user`'s role allows on some ticket (whatever its status now)."""
    if is_supervisor(user):
        return SUPERVISOR_ACTIONS
    return COUNTER_ACTIONS if is_staff_member(user) else frozenset()


def allowed_actions(user, ticket) -> set[str]:
    """Return the actions `user` may take on `ticket` now (names match the action views)."""
    if not is_staff_member(user):
        return set()
    actions = {"note"}
    if ticket.is_open:
        actions.add("take")
        if ticket.status in (Status.NEW, Status.SENT, Status.ESCALATED, Status.ACTION_NEEDED):
            actions.add("reject")
        if ticket.status == Status.ACTION_NEEDED and ticket.centre_block in CLERK_ACTION:
            actions.add(CLERK_ACTION[ticket.centre_block])
        if ticket.status in (Status.SENT, Status.ESCALATED):
            actions.add("resolve")
        if is_supervisor(user):
            actions |= {"assign", "close"}
            if ticket.status != Status.ESCALATED:
                actions.add("escalate")
    return actions


def office_of(user):
    """Return the user's office; refuse (403) an account that belongs to none."""
    office = staff_office(user)
    if office is None:
        raise PermissionDenied(_("Akun ini belum terdaftar pada kantor mana pun."))
    return office
