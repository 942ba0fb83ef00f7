# Two-factor devices. django-otp's own admin pages for its TOTP model (plain-hex keys, now empty
# after migration helpdesk 0002) and for backup codes (which would list the codes) are replaced by
# one page: who has a device, and delete it when a phone is lost. Keys and codes are never shown.
# Their admin modules are imported here first (autodiscover would import them after this one),
# so that their registrations exist to be taken off.
import django_otp.plugins.otp_static.admin  # noqa: F401
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk.models import EncryptedTOTPDevice

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(EncryptedTOTPDevice)
class EncryptedTOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a device is enrolled by its owner at /dua-faktor/, never typed in here

    def delete_model(self, request, obj):
        StaticDevice.objects.filter(user=obj.user).delete()  # a new phone gets new backup codes
        super().delete_model(request, obj)
