"""System checks for the notification settings (`manage.py check`)."""

from django.core import checks

from notifications.channels import CHANNELS, configured_channel_name
from notifications.conf import setting


def check_settings(app_configs=None, **kwargs):
    name = configured_channel_name()
    if name not in CHANNELS:
        return [
            checks.Error(
                f"NOTIFY_CHANNEL must be one of {', '.join(CHANNELS)}, got {name!r}.", id="notifications.E001"
            )
        ]
    if name == "http" and not setting("NOTIFY_HTTP_URL"):
        return [
            checks.Warning(
                "NOTIFY_CHANNEL is http but NOTIFY_HTTP_URL is empty: every notification will fail.",
                id="notifications.W001",
            )
        ]
    return []
