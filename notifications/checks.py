"""System checks for the notification settings (`manage.py check`)."""

from django.core import checks

from notifications.channels import CHANNELS, configured_channel_name, fallback_channel_names
from notifications.conf import setting

# The setting each gateway channel cannot work without.
REQUIRED = {"http": "NOTIFY_HTTP_URL", "sms": "NOTIFY_SMS_URL", "whatsapp": "WHATSAPP_API_URL"}


def check_settings(app_configs=None, **kwargs):
    name = configured_channel_name()
    if name not in CHANNELS:
        return [
            checks.Error(
                f"NOTIFY_CHANNEL must be one of {', '.join(CHANNELS)}, got {name!r}.", id="notifications.E001"
            )
        ]
    unknown = [other for other in fallback_channel_names() if other not in CHANNELS]
    if unknown:
        return [
            checks.Error(
                f"NOTIFY_FALLBACK may list only {', '.join(CHANNELS)}, got {', '.join(unknown)}.",
                id="notifications.E002",
            )
        ]
    return [
        checks.Warning(
            f"{used} is a notification channel but {REQUIRED[used]} is empty: its messages will fail.",
            id="notifications.W001",
        )
        for used in [name, *fallback_channel_names()]
        if used in REQUIRED and not setting(REQUIRED[used])
    ]
