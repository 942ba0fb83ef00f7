"""The demo channel: write the message to the log instead of sending it.

The ticket code is the citizen's key to the public status page (with the NIK): logs are read by
more people than the citizen, so the code is masked too, in both its forms (ABCDE-FGHJK on the
slip, ABCDEFGHJK in the status link).
"""

import logging
import re

from notifications.channels.base import Channel
from tickets.models import CODE_ALPHABET

logger = logging.getLogger("sinkron.notifications")

_CODE = re.compile(
    rf"(?<![{CODE_ALPHABET}])[{CODE_ALPHABET}]{{5}}-?[{CODE_ALPHABET}]{{5}}(?![{CODE_ALPHABET}])"
)


def mask_codes(text: str) -> str:
    """Keep the first two characters of every ticket code in `text` ("ABCDE-FGHJK" -> "AB***-*****")."""
    return _CODE.sub(lambda m: m.group()[:2] + re.sub(f"[{CODE_ALPHABET}]", "*", m.group()[2:]), text)


class ConsoleChannel(Channel):
    name = "console"

    def send(self, *, to: str, text: str, subject: str) -> None:
        logger.info("notification to %s [%s]: %s", self.mask(to), mask_codes(subject), mask_codes(text))
