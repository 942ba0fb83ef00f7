"""Forms for the counter. Every error is attached to its field, in Indonesian."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens import numbers
from citizens.models import Sex
from tickets.models import Category, NotifyChannel, Service, normalize_ticket_code
from tickets.selectors import search_kind
from tickets.services import Complaint
from tickets.workflow import Status

BULK_MAX_TICKETS = 100

# The live NIK hint (tickets:nik_check) asks again whenever the NIK, the birth date or the sex
# changes, so a disagreement shows whatever order the clerk fills them in.
NIK_CHECK_ATTRS = {
    "hx-post": reverse_lazy("tickets:nik_check"),
    "hx-trigger": "change",
    "hx-target": "#nik-info",
    "hx-include": "[name=nik],[name=birth_date],[name=sex]",
}
KK_CHECK_ATTRS = {
    "hx-post": reverse_lazy("tickets:kk_check"),
    "hx-trigger": "change",
    "hx-target": "#kk-info",
    "hx-include": "[name=nik],[name=kk_number]",
}
KK_IS_NIK_MESSAGE = _("Nomor KK tidak boleh sama dengan NIK.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Where other apps' intake parts go (tickets.signals.intake_parts_requested): inside the form.
INTAKE_PARTS = "{% for part in intake_parts %}{% include part.template_name %}{% endfor %}"


class IntakeForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autofocus": True,
                **NIK_CHECK_ATTRS,
            }
        ),
    )
    full_name = forms.CharField(label=_("Nama Lengkap"), max_length=150)
    birth_date = forms.DateField(label=_("Tanggal Lahir"), widget=DateInput(attrs=NIK_CHECK_ATTRS))
    sex = forms.ChoiceField(
        label=_("Jenis Kelamin"), choices=Sex.choices, widget=forms.RadioSelect(attrs=NIK_CHECK_ATTRS)
    )
    phone = forms.CharField(
        label=_("No. HP/WA"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("E-mail (opsional)"), required=False, max_length=150)
    notify_channel = forms.ChoiceField(
        label=_("Kirim pemberitahuan lewat"),
        required=False,
        choices=[("", _("Urutan kantor (WhatsApp, SMS, e-mail)"))] + NotifyChannel.choices,
        help_text=_("Memilih WhatsApp berarti pemohon setuju menerima pesan WhatsApp dari kantor."),
    )
    kk_number = forms.CharField(
        label=_("Nomor KK"),
        max_length=40,
        help_text=_("Nomor KK terbaru yang dipegang pemohon."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", **KK_CHECK_ATTRS}),
    )
    kk_number_old = forms.CharField(
        label=_("Nomor KK Lama"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # Proactive resyncs come from the KK import, never from the counter.
    category = forms.ChoiceField(
        label=_("Kategori Pengaduan"), choices=[c for c in Category.choices if c[0] != Category.PROACTIVE]
    )
    service = forms.ChoiceField(label=_("Layanan Terdampak"), choices=Service.choices)
    deadline = forms.DateField(
        label=_("Batas waktu layanan (opsional)"),
        required=False,
        widget=DateInput(),
        help_text=_("Misalnya tanggal penutupan pendaftaran SSCASN."),
    )
    description = forms.CharField(
        label=_("Uraian Masalah"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "intake-form"
        self.helper.attrs = {"enctype": "multipart/form-data"}  # intake parts may carry files
        self.helper.layout = Layout(
            *self.fieldsets(),
            HTML(INTAKE_PARTS),
            Submit("submit", _("Simpan"), css_class="btn-primary btn-lg"),
            HTML('<a class="btn btn-link" href="{% url "tickets:queue" %}">' + str(_("Batal")) + "</a>"),
        )

    @staticmethod
    def fieldsets() -> list:
        """Return the applicant and complaint fieldsets (the family page reuses them)."""
        return [
            Fieldset(
                _("Data Pemohon"),
                Row(Column("nik", css_class="col-md-6"), Column("full_name", css_class="col-md-6")),
                Div(css_id="nik-info", css_class="mb-3", aria_live="polite"),
                Row(
                    Column("birth_date", css_class="col-md-3"),
                    Column("sex", css_class="col-md-3"),
                    Column("phone", css_class="col-md-3"),
                    Column("email", css_class="col-md-3"),
                ),
                Row(Column("notify_channel", css_class="col-md-6")),
                Row(Column("kk_number", css_class="col-md-6"), Column("kk_number_old", css_class="col-md-6")),
                Div(css_id="kk-info", css_class="mb-3", aria_live="polite"),
            ),
            Fieldset(
                _("Pengaduan"),
                Row(Column("category", css_class="col-md-6"), Column("service", css_class="col-md-6")),
                Row(Column("deadline", css_class="col-md-4")),
                "description",
            ),
        ]

    def clean_nik(self):
        info = numbers.clean_nik(self.cleaned_data["nik"])
        self.nik_info = info
        return info.number

    def clean_kk_number(self):
        return numbers.clean_kk(self.cleaned_data["kk_number"]).number

    def clean_kk_number_old(self):
        value = self.cleaned_data["kk_number_old"]
        return numbers.clean_kk(value).number if value.strip() else ""

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal lahir tidak boleh di masa depan."), code="future")
        return value

    def clean_phone(self):
        return numbers.clean_phone(self.cleaned_data["phone"])

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("Batas waktu sudah lewat."), code="past")
        return value

    def clean(self):
        data = super().clean()
        if data.get("kk_number") and data.get("kk_number") == data.get("kk_number_old"):
            self.add_error("kk_number_old", _("Nomor KK lama sama dengan Nomor KK sekarang."))
        for field in ("kk_number", "kk_number_old"):
            if data.get("nik") and data.get(field) == data["nik"]:
                self.add_error(field, forms.ValidationError(KK_IS_NIK_MESSAGE, code="kk_is_nik"))
        self._check_channel_reachable(data)
        return data

    def _check_channel_reachable(self, data) -> None:
        channel = data.get("notify_channel")
        if channel in (NotifyChannel.WHATSAPP, NotifyChannel.SMS) and not data.get("phone"):
            self.add_error("notify_channel", _("Isi No. HP/WA untuk pemberitahuan lewat WhatsApp atau SMS."))
        if channel == NotifyChannel.EMAIL and not data.get("email"):
            self.add_error("notify_channel", _("Isi alamat e-mail untuk pemberitahuan lewat e-mail."))

    def nik_mismatches(self) -> tuple[str, ...]:
        """Return which typed fields disagree with what the NIK encodes ("birth_date", "sex").

        Only a warning: a NIK is never reissued after a correction, so the clerk may save anyway.
        """
        data = self.cleaned_data
        return nik_mismatches(self.nik_info, birth_date=data.get("birth_date"), sex=data.get("sex"))

    def complaint(self) -> Complaint:
        data = self.cleaned_data
        return Complaint(
            nik=data["nik"],
            full_name=data["full_name"],
            birth_date=data["birth_date"],
            sex=data["sex"],
            phone=data["phone"],
            kk_number=data["kk_number"],
            kk_number_old=data["kk_number_old"],
            category=data["category"],
            service=data["service"],
            description=data["description"].strip(),
            deadline=data["deadline"],
            email=data["email"],
            notify_channel=data.get("notify_channel", ""),
            nik_mismatches=self.nik_mismatches(),
        )


def nik_mismatches(info, *, birth_date=None, sex=None) -> tuple[str, ...]:
    """Return the typed fields (of those given) that disagree with the NIK's birth date and sex."""
    found = []
    if birth_date and not info.birth_date_matches(birth_date):
        found.append("birth_date")
    if sex and sex != info.sex:
        found.append("sex")
    return tuple(found)


class QueueFilterForm(forms.Form):
    """The queue's filters. Sent by POST when a NIK is searched, so a NIK never sits in a URL."""

    SORTS = [("newest", _("Terbaru")), ("urgent", _("Paling mendesak"))]

    q = forms.CharField(
        label=_("Cari nama, 4 digit terakhir NIK, kode tiket, atau NIK lengkap"),
        required=False,
        max_length=150,
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua"))] + Status.choices)
    category = forms.ChoiceField(
        label=_("Kategori"), required=False, choices=[("", _("Semua"))] + Category.choices
    )
    service = forms.ChoiceField(
        label=_("Layanan"), required=False, choices=[("", _("Semua"))] + Service.choices
    )
    mine = forms.BooleanField(label=_("Tiket saya"), required=False)
    overdue = forms.BooleanField(label=_("Lewat SLA"), required=False)
    sort = forms.ChoiceField(label=_("Urutan"), required=False, choices=SORTS)

    def clean_q(self):
        text = " ".join(self.cleaned_data["q"].split())
        if text and not search_kind(text):
            raise forms.ValidationError(
                _(
                    "Ketik minimal 3 huruf nama, 4 digit terakhir NIK, kode tiket (10 karakter), "
                    "atau NIK lengkap (16 digit)."
                ),
                code="search",
            )
        return text


class TicketCodesField(forms.Field):
    """The ticket codes ticked on the page (many `tickets` values), normalised and de-duplicated."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Pilih minimal satu tiket."),
        "too_many": _("Paling banyak %(max)s tiket sekali proses."),
    }

    def to_python(self, value):
        codes = []
        for text in value or []:
            code = normalize_ticket_code(text)
            if code and code not in codes:
                codes.append(code)
        return codes

    def validate(self, value):
        super().validate(value)
        if len(value) > BULK_MAX_TICKETS:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": BULK_MAX_TICKETS}
            )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Catatan Internal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Petugas"), queryset=None)

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_queryset
