"""The one table the project package owns: the supervisors' TOTP devices with their secrets encrypted."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from core.crypto import EncryptedTextField


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """django-otp's TOTP device with its secret encrypted at rest, like the NIK.

    django-otp's TOTPDevice keeps the key as plain hex: a database dump would hand over every
    supervisor's second factor. This one stores it as a Fernet token (FIELD_ENCRYPTION_KEYS,
    rotated by `manage.py rotate_keys` with the other encrypted columns); the TOTP logic is
    django-otp's own, borrowed method by method, and reads the decrypted `key` as before.
    """

    key = EncryptedTextField(default=default_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):
        verbose_name = _("perangkat TOTP")
        verbose_name_plural = _("perangkat TOTP")
