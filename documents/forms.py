"""The document form: a kind and one file, picked from the device or taken with the phone camera."""

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.inspection import RefusedFile, check_upload
from documents.models import Kind

ACCEPT_FILES = "image/jpeg,image/png,image/webp,application/pdf"


class DocumentForm(forms.Form):
    """`file` (a scan or photo from the device) or `photo` (the camera, on a phone): one of them.

    After is_valid(), `checked` holds the checked file and `upload_name` its name, or both are None
    when nothing was chosen and the form is `optional` (the intake page).
    """

    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=Kind.choices, initial=Kind.KK)
    file = forms.FileField(
        label=_("Berkas"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_FILES}),
    )
    photo = forms.FileField(
        label=_("Ambil foto"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.optional = optional
        self.fields["kind"].required = not optional  # an intake without a document needs no kind
        self.checked = None
        self.upload_name = None
        self.fields["kind"].widget.attrs["class"] = "form-select"
        for name in ("file", "photo"):
            self.fields[name].widget.attrs.update(
                {"class": "form-control", "aria-describedby": f"{self[name].auto_id}-help"}
            )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # Bootstrap's red field, and the error read out with the field
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                described = f"{self[name].auto_id}-error"
                attrs["aria-describedby"] = described + (
                    f" {self[name].auto_id}-help" if name != "kind" else ""
                )

    def clean(self):
        cleaned = super().clean()
        file, photo = cleaned.get("file"), cleaned.get("photo")
        if file and photo:
            self.add_error("file", _("Pilih satu saja: berkas atau foto kamera."))
            return cleaned
        upload = file or photo
        if upload is None:
            if not self.optional and not self.has_error("file") and not self.has_error("photo"):
                self.add_error("file", _("Pilih berkas atau ambil foto dokumen."))
            return cleaned
        if not cleaned.get("kind") and not self.has_error("kind"):
            self.add_error("kind", _("Pilih jenis dokumen."))
            return cleaned
        try:
            self.checked = check_upload(upload)
        except RefusedFile as refused:
            self.add_error("file" if file else "photo", refused.message)
        else:
            self.upload_name = upload.name
        return cleaned
