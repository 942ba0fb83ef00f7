"""Subject access's reads: the person a supervisor may see, and everything held about them."""

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.models import Citizen
from core.scoping import OfficeScope
from desk.retention import PURGED_PREFIX
from documents.selectors import subject_documents
from families.models import FamilyMember, ImportRow
from notifications.models import Notification
from sync.models import SyncAttempt
from tickets.models import Ticket, TicketEvent

CITIZEN_LABELS = {
    "nik": gettext_lazy("NIK"),
    "full_name": gettext_lazy("Nama Lengkap"),
    "birth_date": gettext_lazy("Tanggal Lahir"),
    "sex": gettext_lazy("Jenis Kelamin"),
    "phone": gettext_lazy("No. HP/WA"),
    "email": gettext_lazy("E-mail"),
    "created_at": gettext_lazy("Dicatat pada"),
    "updated_at": gettext_lazy("Diubah pada"),
}


def field_labels(fields: list[str]) -> list[str]:
    """Return the Indonesian (or English) labels of corrected field names."""
    return [str(CITIZEN_LABELS.get(name, name)) for name in fields]


def citizen_for(scope: OfficeScope, pk) -> Citizen:
    """Return the citizen if they have a ticket in an office of the scope (404 otherwise).

    A citizen erased by the retention purge holds nothing left to show or correct.
    """
    citizens = scope.rows(
        Citizen.objects.exclude(nik_digest__startswith=PURGED_PREFIX), field="tickets__office_id"
    )
    citizen = citizens.filter(pk=pk).select_related("family_card").distinct().first()
    if citizen is None:
        raise Http404
    return citizen


def subject_record(citizen: Citizen, *, scope: OfficeScope, with_files: bool = False) -> dict:
    """Return everything held about `citizen`, as plain data (a fixed number of queries).

    `with_files` adds the bytes of each document (base64), for the JSON export.

    The tickets of offices outside `scope` (and their timelines, sync attempts, notifications and
    family data) are only counted per office, in "other_offices"; the citizen's own data and every
    correction of it, wherever made, are shown whole (docs/hierarchy.md).
    """
    all_tickets = Ticket.objects.filter(citizen=citizen)
    tickets_here = scope.rows(all_tickets)
    tickets = list(tickets_here.select_related("office").order_by("created_at"))
    ticket_codes = {t.pk: t.display_code for t in tickets}
    events = (
        TicketEvent.objects.filter(ticket__in=tickets_here)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    attempts = (
        SyncAttempt.objects.filter(job__ticket__in=tickets_here).select_related("job").order_by("created_at")
    )
    notifications = Notification.objects.filter(ticket__in=tickets_here).order_by("created_at")
    return {
        "citizen": {
            "nik": citizen.nik,
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date,
            "sex": citizen.get_sex_display(),
            "phone": citizen.phone,
            "email": citizen.email,
            "created_at": citizen.created_at,
            "updated_at": citizen.updated_at,
        },
        "family_cards": [
            {"kk_number": m.family_card.kk_number, "recorded_at": m.recorded_at}
            for m in citizen.memberships.select_related("family_card")
        ],
        "tickets": [
            {
                "code": t.display_code,
                "office": t.office.name,
                "category": t.get_category_display(),
                "service": t.get_service_display(),
                "status": t.get_status_display(),
                "kk_number": t.kk_number,
                "kk_number_old": t.kk_number_old,
                "phone": t.phone,
                "email": t.email,
                "description": t.description,
                "created_at": t.created_at,
                "resolved_at": t.resolved_at,
            }
            for t in tickets
        ],
        "other_offices": _tickets_elsewhere(all_tickets, tickets_here, scope),
        "documents": subject_documents(tickets_here, with_content=with_files),
        **family_record(citizen, scope=scope),
        "timeline": [
            {
                "ticket": ticket_codes[e.ticket_id],
                "at": e.created_at,
                "by": e.actor_label,
                "what": e.get_kind_display(),
                "status": e.to_status,
                "message": e.message,
            }
            for e in events
        ],
        "sync_attempts": [
            {
                "ticket": ticket_codes[a.job.ticket_id],
                "at": a.created_at,
                "operation": a.get_operation_display(),
                "outcome": a.outcome,
                "status_code": a.status_code,
            }
            for a in attempts
        ],
        "notifications": [
            {
                "ticket": ticket_codes[n.ticket_id],
                "kind": n.get_kind_display(),
                "channel": n.channel,
                "to": n.recipient_hint,
                "status": n.get_status_display(),
                "at": n.created_at,
            }
            for n in notifications
        ],
        "accesses": [
            {
                "at": a.created_at,
                "by": a.viewer.get_username(),
                "purpose": a.purpose,
                "ip": a.ip_address,
            }
            for a in citizen.accesses.select_related("viewer")
        ],
        "corrections": [
            {
                "at": c.created_at,
                "by": c.actor.get_username() if c.actor else _("sistem"),
                "office": c.office_name,
                "fields": field_labels(c.fields),
                "reason": c.reason,
            }
            for c in citizen.corrections.select_related("actor")
        ],
    }


def _tickets_elsewhere(tickets, shown, scope: OfficeScope) -> list[dict]:
    """Return how many tickets each office outside the scope holds for the citizen."""
    if scope.sees_all:
        return []
    counts = (
        tickets.exclude(pk__in=shown.values("pk"))
        .values("office__name")
        .annotate(count=Count("pk"))
        .order_by("office__name")
    )
    return [{"office": row["office__name"], "tickets": row["count"]} for row in counts]


def family_record(citizen: Citizen, *, scope: OfficeScope) -> dict:
    """Return the families data about `citizen` in the scope's offices: groups and import rows."""
    memberships = scope.rows(
        FamilyMember.objects.filter(ticket__citizen=citizen).select_related("group__office", "ticket"),
        field="group__office_id",
    )
    rows = scope.rows(
        ImportRow.objects.filter(nik_digest=citizen.nik_digest).select_related("batch"),
        field="batch__office_id",
    )
    return {
        "family_groups": [
            {
                "kk_number": m.group.kk_number,
                "office": m.group.office.name,
                "source": m.group.get_source_display(),
                "relation": m.get_relation_display(),
                "ticket": m.ticket.display_code,
                "created_at": m.group.created_at,
            }
            for m in memberships.order_by("group__created_at", "pk")
        ],
        "import_rows": [
            {
                "file": r.batch.file_name,
                "row": r.row_number,
                "status": r.get_status_display(),
                "uploaded_at": r.batch.created_at,
                "data": r.payload,
            }
            for r in rows.order_by("batch__created_at", "row_number")
        ],
    }


def citizen_with_nik(scope: OfficeScope, nik: str) -> Citizen | None:
    """Return the citizen with `nik` if the scope may see them (see `citizen_for`); None otherwise."""
    citizen = Citizen.objects.with_nik(nik).first()
    if citizen is None:
        return None
    try:
        return citizen_for(scope, citizen.pk)
    except Http404:
        return None
