"""Timeline texts that can be said again in the reader's language.

A TicketEvent stores its text as written (for the admin and exports) and, when the text is one of
ours, its untranslated msgid and parameters, so the ticket page renders it through gettext at read
time: a worker writes in Indonesian, an English reader still reads English.
"""

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


class EventText(str):
    """A text rendered now in the active language that remembers its msgid and parameters.

    Mark the msgid with `gettext_noop` so makemessages finds it. A parameter that is a lazy
    translation (a choice label) is stored as its msgid and translated again when read; any other
    parameter (a name, a number, what the registry said) is stored as it is.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params):
        stored = {name: _storable(value) for name, value in params.items()}
        text = super().__new__(cls, render(msgid, stored))
        text.msgid, text.params = msgid, stored
        return text


def render(msgid: str, params: dict) -> str:
    """Return `msgid` in the active language with its stored parameters filled in."""
    return gettext(msgid) % {name: _readable(value) for name, value in params.items()}


def _storable(value):
    if isinstance(value, Promise):
        with translation.override(None):
            return {"msgid": str(value)}
    return value


def _readable(value):
    if isinstance(value, dict) and "msgid" in value:
        return gettext(value["msgid"])
    return value
