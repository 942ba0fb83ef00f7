"""Log formatting that never lets a NIK or KK number out: every standalone 16-digit number is masked."""

import logging

from citizens.nik import scrub


class ScrubbingFormatter(logging.Formatter):
    """Format as usual, then mask every standalone 16-digit number in the whole text (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))
