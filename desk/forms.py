"""The desk's forms: the dashboard's period, the escalation desk's contact and bulk actions, the
report filter, and subject access's lookup and correction."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens import numbers
from citizens.models import Sex
from desk import centre
from desk.selectors.dashboard import Period
from tickets.forms import DateInput, TicketCodesField
from tickets.models import Category, Service
from tickets.selectors import staff_of_office
from tickets.workflow import Status

MAX_PERIOD_DAYS = 366


# --- the dashboard -------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    CHOICES = [
        ("today", gettext_lazy("Hari ini")),
        ("7", gettext_lazy("7 hari")),
        ("30", gettext_lazy("30 hari")),
        ("custom", gettext_lazy("Pilih tanggal")),
    ]

    period = forms.ChoiceField(label=gettext_lazy("Periode"), choices=CHOICES, required=False)
    start = forms.DateField(label=gettext_lazy("Dari"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Sampai"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if not start or not end:
            raise forms.ValidationError(_("Isi tanggal awal dan akhir."))
        if end < start:
            self.add_error("end", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        elif (end - start).days >= MAX_PERIOD_DAYS:
            self.add_error("end", _("Periode paling panjang 366 hari."))
        return data

    def chosen_period(self) -> Period:
        data = self.cleaned_data if self.is_valid() else {}
        choice = data.get("period") or "7"
        if choice == "custom":
            return Period.between(data["start"], data["end"])
        return Period.last_days(1 if choice == "today" else int(choice))


# --- the escalation desk -------------------------------------------------------------------------


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Saluran"), choices=centre.Channel.choices)
    note = forms.CharField(
        label=gettext_lazy("Catatan (opsional)"), required=False, max_length=centre.NOTE_MAX_LENGTH
    )


class BulkActionForm(forms.Form):
    ASSIGN, CHECK, CLOSE_DUPLICATE, CLOSE_WITHDRAWN = "assign", "check", "close_duplicate", "close_withdrawn"
    ACTIONS = [
        (ASSIGN, gettext_lazy("Alihkan ke petugas")),
        (CHECK, gettext_lazy("Cek ulang ke pusat sekarang")),
        (CLOSE_DUPLICATE, gettext_lazy("Tutup: duplikat")),
        (CLOSE_WITHDRAWN, gettext_lazy("Tutup: dicabut pemohon")),
    ]
    CLOSE_LABELS = {
        CLOSE_DUPLICATE: gettext_lazy("Duplikat"),
        CLOSE_WITHDRAWN: gettext_lazy("Dicabut pemohon"),
    }

    tickets = TicketCodesField()
    action = forms.ChoiceField(label=gettext_lazy("Tindakan"), choices=ACTIONS)
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Petugas"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— pilih petugas —"),
    )
    reason = forms.CharField(label=gettext_lazy("Alasan penutupan"), required=False, max_length=2000)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_of_office(office.pk)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Pilih petugas tujuan."))
        if action in self.CLOSE_LABELS and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Alasan wajib diisi untuk menutup tiket."))
        return data


# --- reports -------------------------------------------------------------------------------------


def _choices(choices):
    return [("", gettext_lazy("Semua"))] + list(choices)


class ReportFilterForm(forms.Form):
    DATE_ERRORS = {
        "invalid": gettext_lazy("Tanggal tidak valid; gunakan format tttt-bb-hh."),
        "required": gettext_lazy("Tanggal wajib diisi."),
    }

    start = forms.DateField(
        label=gettext_lazy("Dari tanggal"), widget=DateInput(), error_messages=DATE_ERRORS
    )
    end = forms.DateField(
        label=gettext_lazy("Sampai tanggal"), widget=DateInput(), error_messages=DATE_ERRORS
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=_choices(Status.choices))
    category = forms.ChoiceField(
        label=gettext_lazy("Kategori"), required=False, choices=_choices(Category.choices)
    )
    service = forms.ChoiceField(
        label=gettext_lazy("Layanan"), required=False, choices=_choices(Service.choices)
    )
    full_nik = forms.BooleanField(label=gettext_lazy("Sertakan NIK lengkap"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("end", _("Periode paling lama %(days)s hari.") % {"days": MAX_PERIOD_DAYS})
        return data

    @classmethod
    def initial_period(cls) -> dict:
        today = timezone.localdate()
        return {"start": today.replace(day=1), "end": today}


# --- subject access ------------------------------------------------------------------------------


class LookupForm(forms.Form):
    nik = forms.CharField(
        label=gettext_lazy("NIK"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_nik(self):
        return numbers.clean_nik(self.cleaned_data["nik"]).number


class CorrectionForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Nama Lengkap"), max_length=150)
    birth_date = forms.DateField(label=gettext_lazy("Tanggal Lahir"), widget=DateInput())
    sex = forms.ChoiceField(label=gettext_lazy("Jenis Kelamin"), choices=Sex.choices)
    phone = forms.CharField(label=gettext_lazy("No. HP/WA"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    reason = forms.CharField(label=gettext_lazy("Alasan koreksi"), max_length=300)

    def clean_phone(self):
        return numbers.clean_phone(self.cleaned_data["phone"])
