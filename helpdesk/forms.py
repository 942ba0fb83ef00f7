"""Forms of the project's own pages (login)."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with the desk's wording.

    Django's Indonesian catalogue renders "masukkan nama pengguna nama pengguna dan sandi"; the
    messages here say it once, in plain words. django-axes still counts every failure (backend).
    """

    error_messages = {
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Periksa keduanya; huruf besar dan kecil dibedakan."
        ),
        "inactive": _("Akun ini tidak aktif. Hubungi admin kantor Anda."),
    }
