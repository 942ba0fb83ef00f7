"""Family pages at the counter (intake, group, slip) and the supervisors' proactive KK import."""

import re

import segno
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citizens import nik as nikparse
from citizens import numbers
from core.pagination import CappedPaginator
from core.scoping import scope_of
from families import selectors, services, tasks
from families.conf import setting
from families.forms import (
    APPLICANT_PREFIX,
    MEMBER_PREFIX,
    FamilyIntake,
    ImportUploadForm,
    MemberForm,
    applicant_relation_warning,
)
from families.models import ImportBatch
from tickets.decorators import staff_required, supervisor_required, writes
from tickets.services import TicketError

KNOWN_MEMBERS_SHOWN = 20
MEMBER_ROW = re.compile(rf"{MEMBER_PREFIX}-\d{{1,2}}")


# --- at the counter ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
@writes
def intake(request):
    """The family complaint: the applicant's own complaint plus the other members of the new KK."""
    office = scope_of(request.user).office
    family = FamilyIntake(request.POST or None)
    if request.method == "POST" and family.is_valid():
        try:
            group = services.open_family_group(
                office=office,
                created_by=request.user,
                kk_number=family.applicant.cleaned_data["kk_number"],
                members=family.entries(),
            )
        except TicketError as exc:
            family.page_errors.append(exc.message)
        else:
            progress = selectors.group_progress(group)
            linked = selectors.linked_member_count(group)
            messages.success(
                request,
                _("Pengaduan keluarga tersimpan: %(n)d anggota.") % {"n": progress.total}
                + (
                    " " + _("%(n)d anggota ditautkan ke tiket terbuka yang sudah ada.") % {"n": linked}
                    if linked
                    else ""
                ),
            )
            return redirect("families:group", pk=group.pk)
    return render(request, "families/intake.html", {"family": family, "members": family.members})


@staff_required
@require_POST
@writes
def check_member(request):
    """Check one member row as it is typed: its NIK, and data the NIK or the relation contradicts.

    The row posts the whole family form plus its own prefix ("anggota-3", or "pemohon" for the
    applicant's relation); POST keeps the NIK out of URLs and logs. Only that row's errors and
    warnings come back, as a fragment.
    """
    row = request.POST.get("row", "")
    if row == APPLICANT_PREFIX:
        warning = applicant_relation_warning(request.POST)
        context = {"warnings": [warning] if warning else []}
        return render(request, "families/includes/member_check.html", context)
    if not MEMBER_ROW.fullmatch(row):
        return HttpResponseBadRequest()
    form = MemberForm(request.POST, prefix=row)
    form.is_valid()
    context = {"nik_errors": form.errors.get("nik", []) if form["nik"].value() else []}
    context["warnings"] = [] if context["nik_errors"] else form.warnings()
    return render(request, "families/includes/member_check.html", context)


@staff_required
@require_POST
@writes
def find_members(request):
    """List the citizens Sinkron holds on a KK (masked), to add them to the family form.

    POST, so the KK number never travels in a URL or an access log.
    """
    context = {}
    try:
        info = nikparse.parse_kk(request.POST.get("kk_number", ""))
    except nikparse.InvalidNumber as exc:
        context["error"] = numbers.error_text(exc)
    else:
        citizens = selectors.citizens_on_kk(info.number, KNOWN_MEMBERS_SHOWN)
        open_tickets = selectors.first_open_tickets(citizens)
        visible = selectors.visible_ticket_ids(request.user, open_tickets.values())
        context["known"] = [
            {
                "citizen": citizen,
                "ticket": open_tickets.get(citizen.pk),
                "ticket_visible": citizen.pk in open_tickets and open_tickets[citizen.pk].pk in visible,
            }
            for citizen in citizens
        ]
        context["searched"] = True
    return render(request, "families/includes/known_members.html", context)


def _group_context(request, group) -> dict:
    members = list(selectors.group_members(group))
    return {
        "group": group,
        "members": members,
        "progress": selectors.group_progress(group),
        "family_push": selectors.family_push_view(group, members),
        "visible": selectors.visible_ticket_ids(request.user, [member.ticket for member in members]),
        "poll_seconds": setting("FAMILY_GROUP_POLL_SECONDS"),
    }


@staff_required
def group(request, pk):
    group = selectors.get_group_for_user(request.user, pk)
    return render(request, "families/group.html", _group_context(request, group))


@staff_required
def group_progress(request, pk):
    """The group's members and progress as a fragment, polled by htmx while any ticket is open."""
    group = selectors.get_group_for_user(request.user, pk)
    return render(request, "families/includes/group_progress.html", _group_context(request, group))


@staff_required
def group_slip(request, pk):
    """The family's printable receipt: every member's code and masked NIK, QR to the status page."""
    group = selectors.get_group_for_user(request.user, pk)
    status_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("public_status")
    qr_svg = segno.make(status_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "families/slip.html",
        {**_group_context(request, group), "status_url": status_url, "qr_svg": qr_svg},
    )


# --- the proactive import (supervisors) ----------------------------------------------------------


@supervisor_required
@require_http_methods(["GET", "POST"])
@writes
def import_upload(request):
    office = scope_of(request.user).office
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch, created = services.register_upload(
            office=office,
            uploaded_by=request.user,
            upload=form.cleaned_data["file"],
            file_format=form.file_format,
        )
        if created:
            transaction.on_commit(lambda: tasks.nudge(batch.pk, batch.status))
            messages.success(request, _("Berkas diterima dan sedang diperiksa."))
        else:
            messages.info(
                request,
                _(
                    "Berkas yang sama sudah pernah diunggah pada %(date)s. Berikut hasil unggahan itu; "
                    "tidak ada yang dibuat ulang."
                )
                % {"date": f"{timezone.localtime(batch.created_at):%d/%m/%Y %H:%M}"},
            )
        return redirect("families:import_batch", pk=batch.pk)
    return render(
        request,
        "families/import_upload.html",
        {"form": form, "batches": selectors.recent_batches(office)},
        status=400 if form.errors else 200,
    )


def _batch_context(batch) -> dict:
    limit = setting("FAMILY_IMPORT_PREVIEW_ROWS")
    return {"batch": batch, "problem_rows": selectors.problem_rows(batch, limit), "preview_limit": limit}


@supervisor_required
def import_batch(request, pk):
    batch = selectors.get_batch_for_user(request.user, pk)
    return render(request, "families/import_batch.html", _batch_context(batch))


@supervisor_required
def import_tickets(request, pk):
    """The tickets a confirmed import opened or linked, one page at a time."""
    batch = selectors.get_batch_for_user(request.user, pk)
    paginator = CappedPaginator(selectors.batch_tickets(batch), settings.TICKETS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request, "families/import_tickets.html", {"batch": batch, "page": page, "paginator": paginator}
    )


@supervisor_required
def import_progress(request, pk):
    """The batch's progress as a fragment, polled by htmx; when the work ends, reload the page."""
    batch = selectors.get_batch_for_user(request.user, pk)
    response = render(request, "families/includes/import_progress.html", {"batch": batch})
    if not batch.is_busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@supervisor_required
@require_POST
@writes
def import_confirm(request, pk):
    batch = selectors.get_batch_for_user(request.user, pk)
    if services.confirm_batch(batch=batch, actor=request.user):
        transaction.on_commit(lambda: tasks.nudge(batch.pk, ImportBatch.Status.IMPORTING))
        messages.success(request, _("Impor dimulai: satu tiket proaktif per baris valid."))
    else:
        messages.info(request, _("Impor ini sudah dikonfirmasi sebelumnya; tidak ada yang dibuat ulang."))
    return redirect("families:import_batch", pk=batch.pk)


@supervisor_required
@require_POST
@writes
def import_retry(request, pk):
    """Re-queue a batch whose work stopped without finishing (a lost message or a crashed worker)."""
    batch = selectors.get_batch_for_user(request.user, pk)
    if batch.is_stale():
        tasks.nudge(batch.pk, batch.status)
        messages.success(
            request, _("Pemrosesan dijalankan ulang; baris yang sudah selesai tidak diproses lagi.")
        )
    return redirect("families:import_batch", pk=batch.pk)
