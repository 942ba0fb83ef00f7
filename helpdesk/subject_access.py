"""Subject access (UU PDP): everything Sinkron holds about one person, and corrections of it.

Supervisors look a person up by NIK (POST; never in a URL), then work on /subjek/<id>/. Every view
and export of the record is itself recorded as an access, and corrections name the fields changed.
"""

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from lokal.phone import parse_phone

from citizens import nik as nikparse
from citizens.models import Citizen, Sex
from citizens.services import correct_citizen, record_access
from helpdesk.retention import PURGED_PREFIX
from notifications.models import Notification
from sync.models import SyncAttempt
from tickets.decorators import supervisor_required
from tickets.models import Ticket, TicketEvent

app_name = "subject_access"


class LookupForm(forms.Form):
    nik = forms.CharField(
        label=gettext_lazy("NIK"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_nik(self):
        try:
            return nikparse.parse_nik(self.cleaned_data["nik"]).number
        except nikparse.InvalidNumber as exc:
            raise forms.ValidationError(exc.message) from None


class CorrectionForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Nama Lengkap"), max_length=150)
    birth_date = forms.DateField(
        label=gettext_lazy("Tanggal Lahir"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=gettext_lazy("Jenis Kelamin"), choices=Sex.choices)
    phone = forms.CharField(label=gettext_lazy("No. HP/WA"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    reason = forms.CharField(label=gettext_lazy("Alasan koreksi"), max_length=300)

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        info = parse_phone(value)
        if not info.valid:
            raise forms.ValidationError(info.errors[0].message)
        return info.e164


def _citizen_for(user, pk) -> Citizen:
    """Return the citizen if they have a ticket in the supervisor's office (404 otherwise).

    A citizen erased by the retention purge holds nothing left to show or correct.
    """
    office_id = getattr(getattr(user, "staff_profile", None), "office_id", None)
    citizens = Citizen.objects.exclude(nik_digest__startswith=PURGED_PREFIX)
    if not user.is_superuser:
        citizens = citizens.filter(tickets__office_id=office_id)
    citizen = citizens.filter(pk=pk).select_related("family_card").distinct().first()
    if citizen is None:
        raise Http404
    return citizen


def subject_record(citizen: Citizen) -> dict:
    """Return everything held about `citizen`, as plain data (a fixed number of queries)."""
    tickets = list(Ticket.objects.filter(citizen=citizen).select_related("office").order_by("created_at"))
    ticket_codes = {t.pk: t.display_code for t in tickets}
    events = (
        TicketEvent.objects.filter(ticket__citizen=citizen)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    attempts = (
        SyncAttempt.objects.filter(job__ticket__citizen=citizen).select_related("job").order_by("created_at")
    )
    notifications = Notification.objects.filter(ticket__citizen=citizen).order_by("created_at")
    return {
        "citizen": {
            "nik": citizen.nik,
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date.isoformat(),
            "sex": citizen.sex,
            "phone": citizen.phone,
            "email": citizen.email,
            "created_at": _iso(citizen.created_at),
            "updated_at": _iso(citizen.updated_at),
        },
        "family_cards": [
            {"kk_number": m.family_card.kk_number, "recorded_at": _iso(m.recorded_at)}
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
                "description": t.description,
                "created_at": _iso(t.created_at),
                "resolved_at": _iso(t.resolved_at),
            }
            for t in tickets
        ],
        "timeline": [
            {
                "ticket": ticket_codes[e.ticket_id],
                "at": _iso(e.created_at),
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
                "at": _iso(a.created_at),
                "operation": a.operation,
                "outcome": a.outcome,
                "status_code": a.status_code,
            }
            for a in attempts
        ],
        "notifications": [
            {
                "ticket": ticket_codes[n.ticket_id],
                "kind": n.kind,
                "channel": n.channel,
                "to": n.recipient_hint,
                "status": n.status,
                "at": _iso(n.created_at),
            }
            for n in notifications
        ],
        "accesses": [
            {
                "at": _iso(a.created_at),
                "by": a.viewer.get_username(),
                "purpose": a.purpose,
                "ip": a.ip_address,
            }
            for a in citizen.accesses.select_related("viewer")
        ],
        "corrections": [
            {
                "at": _iso(c.created_at),
                "by": c.actor.get_username(),
                "fields": c.fields,
                "reason": c.reason,
            }
            for c in citizen.corrections.select_related("actor")
        ],
    }


def _iso(value):
    """Return the time as ISO 8601 in WIB (+07:00): the export is read by the citizen, not only parsed."""
    return timezone.localtime(value).isoformat() if value else None


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@supervisor_required
@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        citizen = Citizen.objects.with_nik(form.cleaned_data["nik"]).first()
        if citizen is not None:
            try:
                citizen = _citizen_for(request.user, citizen.pk)
            except Http404:
                citizen = None
        if citizen is not None:
            return redirect("subject_access:detail", pk=citizen.pk)
        form.add_error("nik", _("Tidak ada data untuk NIK ini di kantor Anda."))
    return render(request, "helpdesk/subject_lookup.html", {"form": form})


@supervisor_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    citizen = _citizen_for(request.user, pk)
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
            messages.success(
                request, _("Koreksi disimpan: %(fields)s.") % {"fields": ", ".join(correction.fields)}
            )
            return redirect("subject_access:detail", pk=citizen.pk)
    record_access(
        citizen=citizen, viewer=request.user, purpose="akses subjek", ip=_ip(request), action="subject_access"
    )
    return render(
        request,
        "helpdesk/subject_detail.html",
        {"citizen": citizen, "record": subject_record(citizen), "form": form},
    )


@supervisor_required
@require_POST
def export_json(request, pk):
    citizen = _citizen_for(request.user, pk)
    record_access(
        citizen=citizen, viewer=request.user, purpose="ekspor subjek", ip=_ip(request), action="export"
    )
    response = HttpResponse(
        json.dumps(subject_record(citizen), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="sinkron-data-subjek-{citizen.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", lookup, name="lookup"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/json/", export_json, name="export_json"),
]
