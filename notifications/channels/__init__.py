"""Notification channels: small strategies behind one base class (like Django's session backends).

NOTIFY_CHANNEL names the one in use (console, the demo default; email; http), read at call time.
"""

from django.utils.module_loading import import_string

from notifications.channels.base import Channel, ChannelError
from notifications.conf import setting

CHANNELS = {
    "console": "notifications.channels.console.ConsoleChannel",
    "email": "notifications.channels.email.EmailChannel",
    "http": "notifications.channels.http.HttpChannel",
}

__all__ = ["CHANNELS", "Channel", "ChannelError", "configured_channel_name", "get_channel"]


def configured_channel_name() -> str:
    """Return the channel new notifications go through (NOTIFY_CHANNEL)."""
    return str(setting("NOTIFY_CHANNEL")).strip().lower()


def get_channel(name: str) -> Channel:
    """Return a fresh channel called `name`; an unknown name is a permanent ChannelError."""
    try:
        path = CHANNELS[name]
    except KeyError:
        raise ChannelError(f"kanal tidak dikenal: {name!r}", permanent=True) from None
    return import_string(path)()
