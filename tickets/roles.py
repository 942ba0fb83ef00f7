"""The desk's groups and their permissions, kept in step with the code after every migrate."""

from django.contrib.auth.models import Group, Permission

from tickets.permissions import COUNTER_GROUP, NATIONAL_GROUP, PROVINCE_GROUP, SUPERVISOR_GROUP

# Model permissions (app_label.codename) each group holds; role checks in views use the groups.
GROUP_PERMISSIONS = {
    COUNTER_GROUP: [
        "tickets.view_ticket",
        "tickets.add_ticket",
        "tickets.view_ticketevent",
        "citizens.view_citizen",
    ],
    SUPERVISOR_GROUP: [
        "tickets.view_ticket",
        "tickets.add_ticket",
        "tickets.change_ticket",
        "tickets.view_ticketevent",
        "tickets.view_office",
        "citizens.view_citizen",
        "citizens.view_familycard",
        "citizens.view_personaldataaccess",
        "audit.view_auditentry",
    ],
}
# The reading roles: what an office supervisor reads, over more offices, and no add/change at all
# (core.scoping treats a role without tickets.add_ticket as read-only).
_READS = [
    "tickets.view_ticket",
    "tickets.view_ticketevent",
    "tickets.view_office",
    "citizens.view_citizen",
    "citizens.view_familycard",
    "citizens.view_personaldataaccess",
    "audit.view_auditentry",
]
GROUP_PERMISSIONS[PROVINCE_GROUP] = [*_READS, "tickets.view_province_offices"]
GROUP_PERMISSIONS[NATIONAL_GROUP] = [*_READS, "tickets.view_all_offices"]


def ensure_groups(**kwargs) -> None:
    """Create the desk's groups and grant their permissions (idempotent; a post_migrate hook)."""
    for name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)
