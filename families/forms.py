"""Forms of the family intake and the KK import. Every error is attached to its field, in Indonesian."""

from pathlib import PurePath

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens import nik as nikparse
from citizens import numbers
from citizens.models import Citizen, FamilyCard, FamilyMembership, Sex, nik_digest
from families import importfile
from families.conf import setting
from families.models import Relation
from families.services import MemberEntry
from tickets.forms import DateInput, IntakeForm, nik_mismatches
from tickets.models import Category, Service
from tickets.services import NIK_MISMATCH_TEXTS, Complaint

MEMBER_PREFIX = "anggota"
APPLICANT_PREFIX = "pemohon"  # the applicant's relation field
MAX_MEMBERS = 20  # a KK rarely lists more; the form refuses more rows than this
# The relations on a KK that name a sex; the others (Kepala Keluarga, Anak, ...) may be either.
RELATION_SEX = {Relation.HUSBAND: Sex.MALE, Relation.WIFE: Sex.FEMALE}


def relation_warning(relation: str, sex: str) -> str | None:
    """Return a warning when a relation names the other sex ("Suami" for a woman), else None."""
    expected = RELATION_SEX.get(relation)
    if expected is None or not sex or sex == expected:
        return None
    return _("Hubungan %(relation)s tidak cocok dengan jenis kelamin %(sex)s.") % {
        "relation": Relation(relation).label,
        "sex": Sex(sex).label,
    }


def applicant_form(data=None) -> IntakeForm:
    """Return the counter's IntakeForm laid out to sit inside the family page's one <form>."""
    form = IntakeForm(data)
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> carries the token
    helper.render_unmentioned_fields = True  # a field added to IntakeForm later still shows up
    helper.layout = Layout(*IntakeForm.fieldsets())
    form.helper = helper
    return form


def applicant_relation_warning(data) -> str | None:
    """Return the relation warning for the applicant: their relation against their NIK's sex."""
    try:
        sex = nikparse.parse_nik(data.get("nik", "")).sex
    except nikparse.InvalidNumber:
        sex = data.get("sex", "")
    return relation_warning(data.get(f"{APPLICANT_PREFIX}-relation", ""), sex)


class ApplicantRelationForm(forms.Form):
    relation = forms.ChoiceField(
        label=gettext_lazy("Hubungan pemohon dalam keluarga"), choices=Relation.choices, initial=Relation.HEAD
    )


def on_family_card(kk_number: str):
    """Return the citizens Sinkron holds on the KK `kk_number` (now or in their KK history)."""
    cards = FamilyCard.objects.with_number(kk_number)
    return Citizen.objects.filter(
        Q(family_card__in=cards)
        | Q(pk__in=FamilyMembership.objects.filter(family_card__in=cards).values("citizen"))
    )


def _blank_first(choices):
    return [("", gettext_lazy("— pilih —"))] + list(choices)


class MemberForm(forms.Form):
    """Another member of the same new KK: typed in, or picked from Sinkron's records (`citizen`)."""

    citizen = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Required unless the row was picked from Sinkron's records (see __init__).
    nik = forms.CharField(
        label=gettext_lazy("NIK"),
        max_length=40,
        error_messages={"required": gettext_lazy("NIK wajib diisi.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=gettext_lazy("Nama Lengkap"), max_length=150)
    birth_date = forms.DateField(label=gettext_lazy("Tanggal Lahir"), widget=DateInput())
    sex = forms.ChoiceField(label=gettext_lazy("Jenis Kelamin"), choices=_blank_first(Sex.choices))
    relation = forms.ChoiceField(label=gettext_lazy("Hubungan"), choices=_blank_first(Relation.choices))

    def __init__(self, *args, kk_number: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if self._citizen_ref():
            self.fields["nik"].required = False  # a row picked from the records needs no NIK typed
        self.known_citizen = self._bound_citizen(kk_number)
        self.refused_citizen = self.is_bound and self.known_citizen is None and bool(self._citizen_ref())
        if self.refused_citizen:
            # Forget the reference, so the row comes back as a NIK to type, not as that citizen.
            self.data = self.data.copy()
            self.data[self.add_prefix("citizen")] = ""
        # Extra formset rows carry no `required` attribute (a blank row may stay blank), so tell
        # assistive technology which fields a filled row needs.
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["aria-required"] = "true"

    def _bound_citizen(self, kk_number: str) -> Citizen | None:
        """Return the citizen a bound row refers to, if they are on the KK typed (else None).

        Only a citizen on that KK is accepted, so a row cannot be made to echo the masked NIK of
        any citizen by their id (security round two, finding 11).
        """
        value = self._citizen_ref()
        if not value.isdigit():
            return None
        return on_family_card(kk_number).filter(pk=int(value)).first()

    def _citizen_ref(self) -> str:
        return (self.data.get(self.add_prefix("citizen")) or "").strip() if self.is_bound else ""

    def clean_nik(self):
        value = self.cleaned_data["nik"]
        if not value.strip():
            return ""
        self.nik_info = numbers.clean_nik(value)
        return self.nik_info.number

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal lahir tidak boleh di masa depan."), code="future")
        return value

    def clean(self):
        data = super().clean()
        if not data.get("citizen") and not data.get("nik") and "nik" not in self.errors:
            if self.refused_citizen:
                message = _("Penduduk ini tidak tercatat pada Nomor KK di atas; ketik NIK-nya.")
                self.add_error("nik", forms.ValidationError(message, code="not_on_kk"))
            else:
                self.add_error("nik", forms.ValidationError(_("NIK wajib diisi."), code="required"))
        return data

    def warnings(self) -> list[str]:
        """Return what looks wrong in a row but may be true: data the NIK disagrees with."""
        data = self.cleaned_data
        info = getattr(self, "nik_info", None) if data.get("nik") else None
        found = []
        if info is not None:
            mismatches = nik_mismatches(info, birth_date=data.get("birth_date"), sex=data.get("sex"))
            found += [str(NIK_MISMATCH_TEXTS[field]) for field in mismatches]
        sex = info.sex if info is not None else data.get("sex")
        relation = relation_warning(data.get("relation", ""), sex)
        return found + ([relation] if relation else [])

    @property
    def digest(self) -> str:
        """Return the keyed digest of the member's NIK, typed or from the record ("" if unknown)."""
        if self.cleaned_data.get("citizen") and self.known_citizen is not None:
            return self.known_citizen.nik_digest
        nik = self.cleaned_data.get("nik")
        return nik_digest(nik) if nik else ""

    @property
    def masked_nik(self) -> str:
        return self.known_citizen.masked_nik if self.known_citizen is not None else ""


class BaseMemberFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled_forms(self) -> list[MemberForm]:
        """Return the rows that hold a member: changed and not marked for removal."""
        return [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_MEMBERS,
    validate_max=True,
    absolute_max=MAX_MEMBERS,
)


class FamilyIntake:
    """The family page's three forms, validated together: applicant, their relation, other members."""

    def __init__(self, data=None):
        self.applicant = applicant_form(data)
        self.relation = ApplicantRelationForm(data, prefix=APPLICANT_PREFIX)
        typed_kk = data.get("kk_number", "") if data is not None else ""
        self.members = MemberFormSet(data, prefix=MEMBER_PREFIX, form_kwargs={"kk_number": typed_kk})
        self.page_errors: list[str] = []

    @property
    def has_errors(self) -> bool:
        return bool(
            self.applicant.errors
            or self.relation.errors
            or self.members.total_error_count()
            or self.page_errors
        )

    def is_valid(self) -> bool:
        # Every form is validated, so every error shows at once.
        valid = [self.applicant.is_valid(), self.relation.is_valid(), self.members.is_valid()]
        if not all(valid):
            return False
        self._check_family()
        return not self.has_errors

    def _check_family(self) -> None:
        rows = self.members.filled_forms()
        if not rows:
            self.page_errors.append(_("Isi paling sedikit satu anggota keluarga selain pemohon."))
            return
        seen = {nik_digest(self.applicant.cleaned_data["nik"])}
        heads = int(self.relation.cleaned_data["relation"] == Relation.HEAD)
        for form in rows:
            if form.cleaned_data.get("nik") == self.applicant.cleaned_data["kk_number"]:
                form.add_error("nik", _("NIK tidak boleh sama dengan Nomor KK."))
            digest = form.digest
            if digest in seen:
                form.add_error("nik", _("NIK ini sudah diisi untuk anggota lain (atau pemohon)."))
            seen.add(digest)
            if form.cleaned_data.get("relation") == Relation.HEAD:
                heads += 1
                if heads > 1:
                    form.add_error("relation", _("Kepala Keluarga hanya satu dalam satu KK."))

    def entries(self) -> list[MemberEntry]:
        """Return the applicant first, then every member, as complaints on the applicant's new KK."""
        applicant = self.applicant.complaint()
        entries = [MemberEntry(complaint=applicant, relation=self.relation.cleaned_data["relation"])]
        for form in self.members.filled_forms():
            data = form.cleaned_data
            nik = form.known_citizen.nik if data.get("citizen") else data["nik"]
            relation = data["relation"]
            complaint = Complaint(
                nik=nik,
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                phone="",
                kk_number=applicant.kk_number,
                kk_number_old="",
                category=Category.NEW_KK,
                service=Service.OTHER,
                description=_(
                    "Anggota keluarga (%(relation)s) dalam pengaduan keluarga: KK baru belum terkonsolidasi."
                )
                % {"relation": Relation(relation).label},
            )
            entries.append(MemberEntry(complaint=complaint, relation=relation))
        return entries


class ImportUploadForm(forms.Form):
    FORMATS = {".csv": "csv", ".xlsx": "xlsx"}

    file = forms.FileField(
        label=gettext_lazy("Berkas KK baru (CSV atau XLSX)"),
        help_text=gettext_lazy(
            "Kolom: No KK, NIK, Nama, Tanggal Lahir, Jenis Kelamin, Hubungan, "
            "Tanggal Terbit. Tanggal dd/mm/yyyy atau yyyy-mm-dd."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in self.FORMATS:
            raise forms.ValidationError(_("Hanya berkas .csv atau .xlsx yang dapat diimpor."), code="format")
        limit = setting("FAMILY_IMPORT_MAX_BYTES")
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas terlalu besar (paling besar %(mb)d MB).") % {"mb": limit // 2**20}, code="size"
            )
        if not upload.size:
            raise forms.ValidationError(_("Berkas kosong."), code="empty")
        head = next(upload.chunks(chunk_size=8), b"")  # only the first bytes: the magic number
        upload.seek(0)
        if self.FORMATS[suffix] == "xlsx" and not head.startswith(b"PK\x03\x04"):
            raise forms.ValidationError(_("Berkas ini bukan XLSX yang sah."), code="format")
        if self.FORMATS[suffix] == "xlsx":
            self._check_archive(upload)
        if self.FORMATS[suffix] == "csv" and b"\x00" in head:
            raise forms.ValidationError(
                _("Berkas ini bukan CSV teks. Simpan sebagai CSV UTF-8."), code="format"
            )
        self.file_format = self.FORMATS[suffix]
        return upload

    @staticmethod
    def _check_archive(upload) -> None:
        """Read only the zip's directory (declared sizes), never the parts themselves."""
        try:
            importfile.check_xlsx_archive(upload)
        except importfile.ImportFileError as exc:
            raise forms.ValidationError(exc.message, code="archive") from None
        finally:
            upload.seek(0)
