"""JSON log lines (python-json-logger) that mask every standalone 16-digit number, like ScrubbingFormatter.

Masking happens twice: on the values before they are serialised (so a NIK passed as an int in
`extra` becomes a masked *string* and the line stays valid JSON), and on the finished line, which
also covers tracebacks and whatever a custom object's str() produced.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from citizens.nik import scrub
from helpdesk.logs import ScrubbingFormatter

DEFAULT_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
RENAMED = {"levelname": "level", "name": "logger"}


def _scrub_value(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        masked = scrub(repr(value))
        return masked if masked != repr(value) else value
    if isinstance(value, dict):
        return {scrub(str(key)): _scrub_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_scrub_value(item) for item in value]
    return value  # serialised through str() later; the final pass masks it


class ScrubbingJsonFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request_id and any `extra` fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", DEFAULT_FIELDS)
        kwargs.setdefault("rename_fields", dict(RENAMED))
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data):
        return {key: _scrub_value(value) for key, value in super().process_log_record(log_data).items()}

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


SCRUBBING_FORMATTERS = (ScrubbingFormatter, ScrubbingJsonFormatter)
