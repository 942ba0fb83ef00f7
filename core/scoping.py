"""Office scoping: which offices' rows a user reads, and whether they may change them.

One object, `OfficeScope`, built once per user by `scope_of(user)`; every selector that scopes by
office takes it. Duck-typed on `user.staff_profile` (the project gives staff one, with an `office`
that can list the offices of its province) and on permission names the tickets app declares, so
this bottom layer imports no app. Who reads what (docs/hierarchy.md):
  - counter staff and office supervisors: their own office;
  - a provincial supervisor (READ_PROVINCE_PERMISSION): every office of their province;
  - the national role and admins (READ_ALL_PERMISSION, superusers): every office.
A role without WRITE_PERMISSION reads only: every write refuses it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

READ_ALL_PERMISSION = "tickets.view_all_offices"
READ_PROVINCE_PERMISSION = "tickets.view_province_offices"
# Every desk role that works tickets (counter staff, supervisors) holds it; the reading roles do not.
WRITE_PERMISSION = "tickets.add_ticket"


def staff_office(user):
    """Return the user's office, or None when they belong to none (a missing profile raises
    RelatedObjectDoesNotExist, an AttributeError, so getattr's default covers it)."""
    return getattr(getattr(user, "staff_profile", None), "office", None)


def _no_office():
    return None


@dataclass(frozen=True)
class OfficeScope:
    """The offices a user reads (`office_ids`, None for every office) and whether they write."""

    home_id: int | None  # the user's own office, where their writes happen
    office_ids: frozenset[int] | None
    read_only: bool
    # The office row is loaded only when a page needs it (most read only ids: one query fewer).
    load_home: Callable[[], object | None] = field(default=_no_office, compare=False, repr=False)
    codes: frozenset[str] | None = field(default=None, compare=False)  # when built from a list

    @cached_property
    def home(self):
        return self.load_home() if self.home_id is not None else None

    @cached_property
    def office_codes(self) -> frozenset[str] | None:
        """Return the codes of the offices read (the audit trail keeps codes), None for all."""
        if self.office_ids is None or self.codes is not None:
            return self.codes
        return frozenset({self.home.code}) if self.home is not None else frozenset()

    @property
    def sees_all(self) -> bool:
        return self.office_ids is None

    @property
    def spans_offices(self) -> bool:
        """Return whether the scope reaches beyond one office (the roll-up's readers)."""
        return self.office_ids is None or len(self.office_ids) > 1

    @property
    def office(self):
        """Return the user's own office; refuse (403) an account that belongs to none."""
        self.refuse_without_office()
        return self.home

    def refuse_without_office(self) -> None:
        if self.home_id is None:
            raise PermissionDenied(_("Akun ini belum terdaftar pada kantor mana pun."))

    def rows(self, queryset: QuerySet, field: str = "office_id") -> QuerySet:
        """Return the rows of `queryset` whose `field` (an office id) lies in the scope."""
        if self.office_ids is None:
            return queryset
        if not self.office_ids:
            return queryset.none()
        return queryset.filter(**{f"{field}__in": sorted(self.office_ids)})

    def sees(self, office_id) -> bool:
        return self.office_ids is None or office_id in self.office_ids

    def may_write(self, office_id) -> bool:
        return not self.read_only and self.sees(office_id)

    def refuse_writes(self) -> None:
        """Refuse (403, in words) a change asked by a role that only reads."""
        if self.read_only:
            raise PermissionDenied(
                _(
                    "Peran Anda hanya untuk melihat data. Perubahan dilakukan oleh petugas atau "
                    "supervisor kantor asal tiket."
                )
            )


NO_SCOPE = OfficeScope(home_id=None, office_ids=frozenset(), read_only=True, codes=frozenset())


def scope_of(user) -> OfficeScope:
    """Return the user's scope (built once per user object: a query for the province's offices)."""
    if not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    scope = getattr(user, "_sinkron_scope", None)
    if scope is None:
        scope = _build(user)
        user._sinkron_scope = scope
    return scope


def _build(user) -> OfficeScope:
    profile = getattr(user, "staff_profile", None)
    home_id = getattr(profile, "office_id", None)
    read_only = not user.has_perm(WRITE_PERMISSION)

    def load_home():
        return profile.office

    if user.is_superuser or user.has_perm(READ_ALL_PERMISSION):
        return OfficeScope(home_id=home_id, office_ids=None, read_only=read_only, load_home=load_home)
    if home_id is None:
        return OfficeScope(home_id=None, office_ids=frozenset(), read_only=read_only, codes=frozenset())
    if user.has_perm(READ_PROVINCE_PERMISSION):
        offices = dict(profile.office.offices_of_province().values_list("pk", "code"))
        return OfficeScope(
            home_id=home_id,
            office_ids=frozenset(offices),
            read_only=read_only,
            load_home=load_home,
            codes=frozenset(offices.values()),
        )
    return OfficeScope(
        home_id=home_id, office_ids=frozenset({home_id}), read_only=read_only, load_home=load_home
    )
