"""Who may do what with tickets. Views check these on the server; templates only mirror them.

Which offices a user reads, and whether they write, is core.scoping's OfficeScope (scope_of).
"""

from core.scoping import scope_of
from tickets.blocks import CLERK_ACTION
from tickets.workflow import Status

COUNTER_GROUP = "Petugas Loket"
SUPERVISOR_GROUP = "Supervisor"
PROVINCE_GROUP = "Supervisor Provinsi"  # reads every office of the province; writes nothing
NATIONAL_GROUP = "Pemantau Nasional"  # reads every office; writes nothing
SUPERVISING_GROUPS = (SUPERVISOR_GROUP, PROVINCE_GROUP, NATIONAL_GROUP)


def remember_groups(user, names: set[str]) -> None:
    """Keep the user's group names for the request (helpdesk.backends reads them with the user)."""
    user._sinkron_groups = set(names)


def _groups(user) -> set[str]:
    cache = getattr(user, "_sinkron_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._sinkron_groups = cache
    return cache


def is_supervisor(user) -> bool:
    """Return True for those who open the supervisor's pages: office, provincial and national roles."""
    return user.is_authenticated and (user.is_superuser or bool(_groups(user) & set(SUPERVISING_GROUPS)))


def is_staff_member(user) -> bool:
    """Return True for anyone who works the desk: counter staff, supervisors, admins."""
    return user.is_authenticated and (is_supervisor(user) or COUNTER_GROUP in _groups(user))


def is_read_only(user) -> bool:
    return scope_of(user).read_only


def may_open_ticket(user, ticket) -> bool:
    """Return whether `user` may open `ticket`: an office of their scope's."""
    return scope_of(user).sees(ticket.office_id)


# The clerk's actions on a "Perlu tindakan" ticket (tickets.blocks.CLERK_ACTION; views in sync).
BLOCK_ACTIONS = frozenset(CLERK_ACTION.values())
COUNTER_ACTIONS = frozenset({"note", "take", "reject", "resolve", *BLOCK_ACTIONS})
SUPERVISOR_ACTIONS = COUNTER_ACTIONS | {"assign", "close", "escalate"}
REASON_ACTIONS = frozenset({"resolve", "reject", "escalate", "close"})


def role_actions(user) -> frozenset[str]:
    """Return the actions `user`'s role allows on some ticket (whatever its status now)."""
    if is_read_only(user):
        return frozenset()
    if is_supervisor(user):
        return SUPERVISOR_ACTIONS
    return COUNTER_ACTIONS if is_staff_member(user) else frozenset()


def allowed_actions(user, ticket) -> set[str]:
    """Return the actions `user` may take on `ticket` now (names match the action views)."""
    if not is_staff_member(user) or not scope_of(user).may_write(ticket.office_id):
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
