"""Masking for everything that goes into an audit row: no NIK or KK number, ever.

A copy of the rule in citizens/nik.py, kept here so the audit app depends on no other app. It is
stricter: a run of 16 or more digits, with single spaces, dots or dashes between them ("3319 0141
0190 0001", "331901.410190.0001"), is masked to its last four digits, and NUL characters (which
PostgreSQL's jsonb refuses) are dropped. Dates and times never reach 16 digits in a run.
"""

import re

_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15,}(?!\d)")


def _mask(match: re.Match) -> str:
    digits = [char for char in match.group(0) if char.isdigit()]
    return "*" * 12 + "".join(digits[-4:])


def scrub_text(text: str) -> str:
    """Return `text` with every run of 16+ digits masked to `************1234`."""
    return _LONG_NUMBER.sub(_mask, text.replace("\x00", ""))


def scrub_value(value):
    """Return `value` as plain JSON data (dict/list/str/int/bool/None) with every string scrubbed.

    Floats and anything else become strings: a float's text can change on its way through
    PostgreSQL's jsonb (1e20 comes back as 100000000000000000000), and the chain hash is computed
    over the stored value, so only types that read back exactly as written may go in.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        # A NIK handed over as a number is still a NIK.
        return value if abs(value) < 10**15 else scrub_text(str(value))
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub_text(str(key)): scrub_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [scrub_value(item) for item in items]
    return scrub_text(str(value))
