"""Subject access (UU PDP): everything Sinkron holds about one person, and corrections of it.

Supervisors look a person up by NIK (POST; never in a URL), then work on /subjek/<id>/. Every view
and export of the record is itself recorded as an access, and corrections name the fields changed.
Who sees which office's tickets in full, and who may correct, is in docs/hierarchy.md: the reading
roles (provincial, national) read their scope's record and correct nothing.
"""

import json
from datetime import date, datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citizens.services import correct_citizen, record_access
from core.scoping import scope_of
from core.timefmt import short_datetime
from desk.forms import CorrectionForm, LookupForm
from desk.selectors import subject_access as selectors
from tickets.decorators import supervisor_required, writes_on_post
from tickets.services import correct_ticket_contact


def citizen_rows(record: dict) -> list[tuple[str, str, str]]:
    """Return the citizen's data as (field, label, shown value) rows: dates d/m/Y, times in WIB."""
    return [
        (name, selectors.CITIZEN_LABELS[name], _shown(value)) for name, value in record["citizen"].items()
    ]


def _shown(value) -> str:
    if isinstance(value, datetime):
        return f"{short_datetime(value)} WIB"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def _json_value(value):
    """Serialise the record's dates, and its times in WIB (the office's zone), as ISO 8601."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"Not serialisable: {type(value).__name__}")


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@supervisor_required
@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        citizen = selectors.citizen_with_nik(scope_of(request.user), form.cleaned_data["nik"])
        if citizen is not None:
            return redirect("subject_access:detail", pk=citizen.pk)
        form.add_error("nik", _("Tidak ada data untuk NIK ini di kantor Anda."))
    return render(request, "desk/subject_lookup.html", {"form": form})


@supervisor_required
@require_http_methods(["GET", "POST"])
@writes_on_post
def detail(request, pk):
    scope = scope_of(request.user)
    citizen = selectors.citizen_for(scope, pk)
    form = CorrectionForm(
        request.POST or None,
        initial={
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date,
            "sex": citizen.sex,
            "phone": citizen.phone,
            "email": citizen.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name] for name in ("full_name", "birth_date", "sex", "phone", "email")
        }
        correction = correct_citizen(
            citizen=citizen, actor=request.user, changes=changes, reason=form.cleaned_data["reason"]
        )
        if correction is None:
            form.add_error(None, _("Tidak ada data yang berubah."))
        else:
            if {"phone", "email"} & set(correction.fields):
                correct_ticket_contact(
                    citizen=citizen,
                    actor=request.user,
                    office_id=None if scope.sees_all else scope.office.pk,
                    phone=changes["phone"],
                    email=changes["email"],
                )
            messages.success(
                request,
                _("Koreksi disimpan: %(fields)s.")
                % {"fields": ", ".join(selectors.field_labels(correction.fields))},
            )
            return redirect("subject_access:detail", pk=citizen.pk)
    record_access(
        citizen=citizen, viewer=request.user, purpose="akses subjek", ip=_ip(request), action="subject_access"
    )
    record = selectors.subject_record(citizen, scope=scope)
    return render(
        request,
        "desk/subject_detail.html",
        {
            "citizen": citizen,
            "record": record,
            "citizen_rows": citizen_rows(record),
            "form": form,
            "read_only": scope.read_only,
        },
    )


@supervisor_required
@require_POST
def export_json(request, pk):
    scope = scope_of(request.user)
    citizen = selectors.citizen_for(scope, pk)
    record_access(
        citizen=citizen, viewer=request.user, purpose="ekspor subjek", ip=_ip(request), action="export"
    )
    response = HttpResponse(
        json.dumps(
            selectors.subject_record(citizen, scope=scope, with_files=True),
            ensure_ascii=False,
            indent=2,
            default=_json_value,
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="sinkron-data-subjek-{citizen.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response
