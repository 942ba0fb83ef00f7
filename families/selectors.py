"""Reads of family groups and import batches that are more than a simple filter."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from citizens.models import Citizen, FamilyCard
from core.scoping import scope_of
from families.models import FamilyGroup, FamilyMember, FamilyPush, ImportBatch, ImportRow
from families.refusals import refusal_problems
from sync.words import problem_words
from tickets.models import Category, Ticket
from tickets.workflow import OPEN_STATUSES, Status


def get_group_for_user(user, pk: int) -> FamilyGroup:
    """Return group `pk` if `user` may see it (their office's); 404 otherwise."""
    group = (
        FamilyGroup.objects.visible_to(user)
        .select_related("office", "created_by", "batch")
        .filter(pk=pk)
        .first()
    )
    if group is None:
        raise Http404
    return group


def group_members(group: FamilyGroup) -> QuerySet:
    return (
        FamilyMember.objects.filter(group=group)
        .select_related("ticket", "ticket__citizen", "ticket__office")
        .order_by("position", "id")
    )


@dataclass(frozen=True)
class GroupProgress:
    total: int
    resolved: int
    open: int

    @property
    def complete(self) -> bool:
        """Every member's ticket is resolved: the whole family is in sync at the centre."""
        return self.total > 0 and self.resolved == self.total

    @property
    def settled(self) -> bool:
        """No member's ticket is still open (some may have been rejected or closed)."""
        return self.open == 0

    @property
    def percent(self) -> int:
        return 100 * self.resolved // self.total if self.total else 0


def group_progress(group: FamilyGroup) -> GroupProgress:
    """Return how many of the group's members are resolved and how many are still open (one query)."""
    figures = FamilyMember.objects.filter(group=group).aggregate(
        total=Count("id"),
        resolved=Count("id", filter=Q(ticket__status=Status.RESOLVED)),
        open=Count("id", filter=Q(ticket__status__in=OPEN_STATUSES)),
    )
    return GroupProgress(total=figures["total"], resolved=figures["resolved"], open=figures["open"])


@dataclass(frozen=True)
class FamilyPushView:
    """How the group's family update stands, in words for the group's page."""

    push: FamilyPush
    problems: list[str]  # refused: what the centre found wrong, member by member
    retrying: str  # pending after a passing failure: what went wrong


def family_push_view(group: FamilyGroup, members: list[FamilyMember]) -> FamilyPushView | None:
    """Return the group's family push with its words (None for a group that predates them)."""
    push = FamilyPush.objects.filter(group=group).first()
    if push is None:
        return None
    problems = []
    if push.state == FamilyPush.State.REFUSED:
        last4s = Counter(member.ticket.citizen.nik_last4 for member in members)
        names = {
            member.ticket.citizen.nik_last4: member.ticket.citizen.full_name
            for member in members
            if last4s[member.ticket.citizen.nik_last4] == 1
        }
        problems = refusal_problems(push.refusal, names)
    retrying = ""
    if push.state == FamilyPush.State.PENDING and push.last_error:
        retrying = problem_words(push.last_error)
    return FamilyPushView(push=push, problems=problems, retrying=retrying)


def linked_member_count(group: FamilyGroup) -> int:
    """Return how many of the group's members were linked to a ticket that was already open."""
    return group.members.filter(linked=True).count()


def citizens_on_kk(kk_number: str, limit: int) -> list[Citizen]:
    """Return the first `limit` citizens Sinkron holds on the KK `kk_number`, by name."""
    cards = FamilyCard.objects.with_number(kk_number)
    return list(Citizen.objects.filter(family_card__in=cards).order_by("full_name", "pk")[:limit])


def first_open_tickets(citizens) -> dict[int, Ticket]:
    """Return each citizen's oldest open ticket, by citizen id (citizens with none are left out)."""
    found = {}
    for ticket in Ticket.objects.open().filter(citizen__in=citizens).order_by("created_at"):
        found.setdefault(ticket.citizen_id, ticket)
    return found


def visible_ticket_ids(user, tickets) -> set[int]:
    """Return which of `tickets` the user may open (a linked ticket may belong to another office)."""
    scope = scope_of(user)
    return {ticket.pk for ticket in tickets if scope.sees(ticket.office_id)}


def get_batch_for_user(user, pk: int) -> ImportBatch:
    """Return import batch `pk` if it belongs to an office of the user's scope; 404 otherwise."""
    batches = ImportBatch.objects.select_related("office", "uploaded_by", "confirmed_by")
    batch = scope_of(user).rows(batches).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def problem_rows(batch: ImportBatch, limit: int) -> QuerySet:
    """Return the first `limit` rows that will not be imported because of the file (errors, repeats)."""
    return (
        ImportRow.objects.filter(
            batch=batch, status__in=[ImportRow.Status.ERROR, ImportRow.Status.DUPLICATE_IN_FILE]
        )
        .order_by("row_number")
        .only("row_number", "nik_masked", "status", "errors")[:limit]
    )


def batch_tickets(batch: ImportBatch) -> QuerySet:
    """Return the batch's rows that opened or joined a ticket, in file order, with their tickets.

    Filtered on the ticket rather than the row status so the (batch, row_number) index serves the
    order: a page of a 100,000-row file reads one page of rows, not the whole batch.
    """
    return (
        ImportRow.objects.filter(batch=batch, ticket__isnull=False)
        .select_related("ticket")
        .order_by("row_number")
        .only("row_number", "nik_masked", "status", "ticket__code", "ticket__status", "ticket__created_at")
    )


def recent_batches(office, limit: int = 20) -> QuerySet:
    return (
        ImportBatch.objects.filter(office=office)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")[:limit]
    )


# --- the dashboard -------------------------------------------------------------------------------


def family_figures(office, period) -> dict:
    """Return the dashboard's family and proactive-import figures for `office` in `period`.

    `period` has `start` and `end` datetimes, [start, end) (desk.selectors.dashboard.Period fits).

    Returns a dict:
      groups: family groups opened at the counter in the period —
        {"total", "complete" (every member resolved), "members", "resolved" (members resolved now),
         "percent" (resolved/members, or None)}
      batches: proactive import batches uploaded in the period, newest first (at most 10) — a list of
        {"id", "file_name", "created_at", "status", "status_label", "rows" (data rows in the file),
         "to_import" (rows that were valid), "tickets" (imported + linked), "resolved" (those
         tickets resolved now), "percent" (resolved/tickets, or None)}
      proactive: the same figures summed over every batch uploaded in the period —
        {"batches", "tickets" (rows imported or linked), "resolved" (those tickets resolved now), "percent"}
      desk_visits_saved: int, defined below.

    "Desk visits saved" counts the distinct citizens for whom a proactive import *opened* a ticket
    (ImportRow status `imported`; rows linked to an already open ticket do not count: that citizen
    had complained already) when that ticket was resolved within the period and the citizen had no
    other (non-proactive) ticket created at or before the moment it was resolved. In words: the
    centre was put right before the citizen ever came to the desk about it. A complaint made after
    the resolution does not undo the saving (it is about something else, or the centre is right).

    Every figure is an aggregate query (GROUP BY in the database); nothing loops over tickets.
    """
    start, end = period.start, period.end
    counter_groups = FamilyGroup.objects.filter(
        office=office, source=FamilyGroup.Source.COUNTER, created_at__gte=start, created_at__lt=end
    )
    groups = counter_groups.annotate(
        n=Count("members"), done=Count("members", filter=Q(members__ticket__status=Status.RESOLVED))
    ).aggregate(total=Count("id"), complete=Count("id", filter=Q(n=F("done"), n__gt=0)))
    groups.update(
        FamilyMember.objects.filter(group__in=counter_groups.values("pk")).aggregate(
            members=Count("id"), resolved=Count("id", filter=Q(ticket__status=Status.RESOLVED))
        )
    )
    groups["percent"] = _percent(groups["resolved"], groups["members"])

    batch_rows = ImportBatch.objects.filter(
        office=office, created_at__gte=start, created_at__lt=end
    ).order_by("-created_at", "-id")[:10]
    done_rows = Q(rows__status__in=[ImportRow.Status.IMPORTED, ImportRow.Status.LINKED])
    per_batch = {
        row["pk"]: row
        for row in ImportBatch.objects.filter(pk__in=[b.pk for b in batch_rows])
        .values("pk")
        .annotate(
            tickets=Count("rows", filter=done_rows),
            resolved=Count("rows", filter=done_rows & Q(rows__ticket__status=Status.RESOLVED)),
        )
    }
    batches = []
    for batch in batch_rows:
        figures = per_batch.get(batch.pk, {"tickets": 0, "resolved": 0})
        batches.append(
            {
                "id": batch.pk,
                "file_name": batch.file_name,
                "created_at": batch.created_at,
                "status": batch.status,
                "status_label": batch.get_status_display(),
                "rows": batch.row_count,
                "to_import": batch.progress_total or batch.valid_count,
                "tickets": figures["tickets"],
                "resolved": figures["resolved"],
                "percent": _percent(figures["resolved"], figures["tickets"]),
            }
        )

    period_batches = ImportBatch.objects.filter(office=office, created_at__gte=start, created_at__lt=end)
    proactive = period_batches.aggregate(
        batches=Count("id", distinct=True),
        tickets=Count("rows", filter=done_rows),
        resolved=Count("rows", filter=done_rows & Q(rows__ticket__status=Status.RESOLVED)),
    )
    proactive["percent"] = _percent(proactive["resolved"], proactive["tickets"])

    return {
        "groups": groups,
        "batches": batches,
        "proactive": proactive,
        "desk_visits_saved": desk_visits_saved(office, period),
    }


def desk_visits_saved(office, period) -> int:
    """Return the citizens whose proactive ticket resolved in `period` before any complaint of theirs.

    See family_figures for the definition.
    """
    complained_before = Ticket.objects.filter(
        citizen_id=OuterRef("ticket__citizen_id"),
        created_at__lte=OuterRef("ticket__resolved_at"),
    ).exclude(category=Category.PROACTIVE)
    return (
        ImportRow.objects.filter(
            batch__office=office,
            status=ImportRow.Status.IMPORTED,
            ticket__status=Status.RESOLVED,
            ticket__resolved_at__gte=period.start,
            ticket__resolved_at__lt=period.end,
        )
        .exclude(Exists(complained_before))
        .values("ticket__citizen_id")
        .distinct()
        .count()
    )


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None
