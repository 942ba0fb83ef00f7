"""Office scoping: staff see their own office's rows. Duck-typed on `user.staff_profile` (the project
gives staff one, with an `office`); who may see every office is the tickets app's rule."""

from django.db.models import QuerySet


def staff_office(user):
    """Return the user's office, or None when they belong to none (a missing profile raises
    RelatedObjectDoesNotExist, an AttributeError, so getattr's default covers it)."""
    return getattr(getattr(user, "staff_profile", None), "office", None)


def staff_office_id(user) -> int | None:
    """Return the id of the user's office (no query), or None when they belong to none."""
    return getattr(getattr(user, "staff_profile", None), "office_id", None)


def within_office(rows: QuerySet, user, *, sees_all: bool, field: str = "office_id") -> QuerySet:
    """Return `rows` as `user` may see them: all when `sees_all`, else their office's (none without one)."""
    if sees_all:
        return rows
    office_id = staff_office_id(user)
    if office_id is None:
        return rows.none()
    return rows.filter(**{field: office_id})
