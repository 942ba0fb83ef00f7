"""The password backend of the desk: Django's ModelBackend, with the signed-in user loaded in two queries.

Every staff page needs the user, their staff profile and office (core.scoping), their groups
(tickets.permissions) and their permissions (user.has_perm): ModelBackend reads them in five
queries, one after the other, on each request. `get_user` reads the user with the profile and
office joined, and the groups and permissions in one more statement, and hands them to the caches
Django and tickets.permissions already keep on the user object for the request. Nothing is kept
between requests, so a role taken away applies to the very next page.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from tickets.permissions import remember_groups

ROLES_SQL = """
SELECT 'group', g.name, ''
  FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
 WHERE ug.user_id = %(user)s
UNION ALL
SELECT 'group_perm', ct.app_label, p.codename
  FROM auth_user_groups ug
  JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
  JOIN auth_permission p ON p.id = gp.permission_id
  JOIN django_content_type ct ON ct.id = p.content_type_id
 WHERE ug.user_id = %(user)s
UNION ALL
SELECT 'user_perm', ct.app_label, p.codename
  FROM auth_user_user_permissions up
  JOIN auth_permission p ON p.id = up.permission_id
  JOIN django_content_type ct ON ct.id = p.content_type_id
 WHERE up.user_id = %(user)s
"""


class DeskBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("staff_profile__office")
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        load_roles(user)
        return user


def load_roles(user) -> None:
    """Fill the user's per-request caches of groups and permissions from one statement.

    A superuser's permissions are every permission (ModelBackend reads them itself, if asked).
    """
    groups, found = set(), {"group_perm": set(), "user_perm": set()}
    with connection.cursor() as cursor:
        cursor.execute(ROLES_SQL, {"user": user.pk})
        for kind, first, second in cursor.fetchall():
            if kind == "group":
                groups.add(first)
            else:
                found[kind].add(f"{first}.{second}")
    remember_groups(user, groups)
    if not user.is_superuser:
        # The attribute names ModelBackend.get_*_permissions cache under.
        user._group_perm_cache = found["group_perm"]
        user._user_perm_cache = found["user_perm"]
        user._perm_cache = found["group_perm"] | found["user_perm"]
