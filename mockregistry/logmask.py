"""Keep NIK and KK numbers out of log lines: show only their last four digits."""

import logging
import re

_SIXTEEN_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}([0-9]{4})(?![0-9])")


def mask_nik(value: str) -> str:
    """Return a NIK (or KK number) masked to its last four digits."""
    return f"************{value[-4:]}"


def mask_numbers(text: str) -> str:
    """Mask every 16-digit number in `text`."""
    return _SIXTEEN_DIGITS.sub(r"************\1", text)


class MaskNikFilter(logging.Filter):
    """Rewrite each record so that no 16-digit number (a NIK or a KK) reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
