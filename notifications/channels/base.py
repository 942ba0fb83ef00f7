"""The one interface every notification channel implements."""

from django.utils.translation import gettext_lazy as _

from citizens.nik import scrub
from notifications.masking import mask_phone


class ChannelError(Exception):
    """A send that did not go through. `permanent`: retrying cannot help (bad request, bad address).

    The message is stored and shown on the ticket timeline, so it never holds the recipient: it is
    scrubbed of 16-digit numbers and cut to 300 characters. `retry_after` (seconds) is the
    gateway's own hint, honoured as the shortest wait.
    """

    def __init__(self, message: str, permanent: bool = False, *, retry_after: float | None = None):
        self.message = scrub(str(message))[:300]
        self.permanent = permanent
        self.retry_after = retry_after
        super().__init__(self.message)


class Channel:
    """One way to reach a citizen. Subclasses set `name` and implement `send`.

    A channel reads its settings when it sends, never at import time, and keeps no state between
    sends: the worker builds one per notification.
    """

    name = ""
    # Why nothing was sent when `address_for` finds nothing (recorded on the timeline).
    no_address = _("tidak ada nomor")

    def address_for(self, ticket) -> str:
        """Return where to send about `ticket` (the phone given with it by default), or "" for nowhere."""
        return ticket.phone or ""

    def reaches(self, ticket) -> bool:
        """Whether a message about `ticket` may go this way: an address, and no opt-out from it."""
        return bool(self.address_for(ticket))

    def mask(self, address: str) -> str:
        """Return `address` as it may be stored and shown."""
        return mask_phone(address)

    def send(self, *, to: str, text: str, subject: str) -> None:
        """Deliver `text` to `to`, or raise ChannelError."""
        raise NotImplementedError

    def deliver(self, *, to: str, message, key: str) -> str:
        """Deliver `message` (notifications.messages.Message) to `to`; return the gateway's id of it
        ("" when the channel has none). `key` is the notification's idempotency key: a channel whose
        gateway honours one sends it, so a repeated delivery is not sent twice."""
        self.send(to=to, text=message.text, subject=message.subject)
        return ""
