"""The demo channel: write the message to the log instead of sending it."""

import logging

from notifications.channels.base import Channel

logger = logging.getLogger("sinkron.notifications")


class ConsoleChannel(Channel):
    name = "console"

    def send(self, *, to: str, text: str, subject: str) -> None:
        logger.info("notification to %s [%s]: %s", self.mask(to), subject, text)
