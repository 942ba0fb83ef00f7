"""Two-factor sign-in (TOTP) for supervisors and admins: set up a device, then verify after login.

Counter staff never see these pages (403). helpdesk.security.TwoFactorMiddleware decides who must
verify; these views only enrol and check. A supervisor who already has a device cannot enrol a
second one before verifying with the first, so a stolen password alone never replaces the phone.

Enrolment ends with ten backup codes (django-otp's static device), shown once; each opens the
verify page once, for the day the phone is lost.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from helpdesk.models import EncryptedTOTPDevice
from helpdesk.security import confirmed_device
from tickets.permissions import is_supervisor

app_name = "twofactor"

DEVICE_NAME = "Sinkron"
BACKUP_DEVICE_NAME = "Kode cadangan"
BACKUP_CODE_COUNT = 10
BACKUP_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz234567")  # django-otp's: 8 of base32, lower case


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Kode 6 digit dari aplikasi autentikator"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": "[0-9]{6}",
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not (token.isascii() and token.isdigit()):
            raise forms.ValidationError(_("Kode terdiri dari 6 angka."))
        return token


class VerifyForm(forms.Form):
    """The code from the app (6 digits) or one backup code (8 letters and digits)."""

    token = forms.CharField(
        label=gettext_lazy("Kode 6 digit dari aplikasi autentikator, atau kode cadangan"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split()).replace("-", "").lower()
        if len(token) == 6 and token.isascii() and token.isdigit():
            self.is_backup = False
            return token
        if len(token) == 8 and set(token) <= BACKUP_CODE_CHARS:
            self.is_backup = True
            return token
        raise forms.ValidationError(
            _("Masukkan 6 angka dari aplikasi autentikator, atau satu kode cadangan (8 karakter).")
        )


def issue_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with ten new ones; return them (they are shown only once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _backup_device(user):
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _check(form, device) -> bool:
    """Verify the form's token on `device`, reporting throttling and wrong codes on the form."""
    if not form.is_valid():
        return False
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        form.add_error("token", _("Terlalu banyak kode salah. Tunggu sebentar lalu coba lagi."))
        return False
    if not device.verify_token(form.cleaned_data["token"]):
        form.add_error("token", _("Kode salah atau sudah kedaluwarsa."))
        return False
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol a TOTP device: QR code and key, then confirm it with a first code."""
    user = request.user
    if not is_supervisor(user):
        raise PermissionDenied(_("Verifikasi dua langkah hanya untuk supervisor dan admin."))
    if confirmed_device(user) is not None:
        if not user.is_verified():
            return redirect("twofactor:verify")
        return render(request, "helpdesk/twofactor_setup.html", {"active": True})
    device = EncryptedTOTPDevice.objects.devices_for_user(user, confirmed=False).order_by(
        "pk"
    ).first() or EncryptedTOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and _check(form, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        EncryptedTOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        otp_login(request, device)
        messages.success(request, _("Verifikasi dua langkah aktif. Setiap masuk, Anda akan diminta kodenya."))
        return render(
            request,
            "helpdesk/twofactor_backup_codes.html",
            {"codes": issue_backup_codes(user), "next": _next_url(request)},
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "helpdesk/twofactor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask the code of the user's device after login; on success the session counts as verified."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        return redirect("twofactor:setup" if is_supervisor(user) else settings.LOGIN_REDIRECT_URL)
    if user.is_verified():
        return redirect(_next_url(request))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        used = _backup_device(user) if form.is_backup else device
        if used is not None and _check(form, used):
            otp_login(request, used)
            if form.is_backup:
                left = used.token_set.count()
                messages.warning(
                    request,
                    _(
                        "Kode cadangan dipakai; tersisa %(left)d. Bila HP Anda hilang, minta admin mengatur ulang perangkat."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
        if used is None:
            form.add_error("token", _("Kode salah atau sudah kedaluwarsa."))
    return render(request, "helpdesk/twofactor_verify.html", {"form": form, "next": _next_url(request)})


urlpatterns = [
    path("", setup, name="setup"),
    path("verifikasi/", verify, name="verify"),
]
