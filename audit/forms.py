from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    ticket = forms.CharField(label=_("Kode Tiket"), required=False, max_length=20)
    staff = forms.CharField(label=_("Nama pengguna petugas"), required=False, max_length=150)
