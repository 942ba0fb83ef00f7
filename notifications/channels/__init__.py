"""Notification channels: small strategies behind one base class (like Django's session backends).

NOTIFY_CHANNEL names the first one tried (console, the default; email; http; sms; whatsapp), and
NOTIFY_FALLBACK the ones tried after a permanent failure; both read at call time.
"""

from django.utils.module_loading import import_string

from notifications.channels.base import Channel, ChannelError
from notifications.conf import setting

CHANNELS = {
    "console": "notifications.channels.console.ConsoleChannel",
    "email": "notifications.channels.email.EmailChannel",
    "http": "notifications.channels.http.HttpChannel",
    "sms": "notifications.channels.sms.SmsChannel",
    "whatsapp": "notifications.channels.whatsapp.WhatsAppChannel",
}

__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelError",
    "configured_channel_name",
    "fallback_channel_names",
    "get_channel",
]


def configured_channel_name() -> str:
    """Return the channel new notifications go through (NOTIFY_CHANNEL)."""
    return str(setting("NOTIFY_CHANNEL")).strip().lower()


def fallback_channel_names() -> list[str]:
    """Return the channels tried after a permanent failure, in order (NOTIFY_FALLBACK)."""
    return [name.strip().lower() for name in str(setting("NOTIFY_FALLBACK")).split(",") if name.strip()]


def get_channel(name: str) -> Channel:
    """Return a fresh channel called `name`; an unknown name is a permanent ChannelError."""
    try:
        path = CHANNELS[name]
    except KeyError:
        raise ChannelError(f"kanal tidak dikenal: {name!r}", permanent=True) from None
    return import_string(path)()
