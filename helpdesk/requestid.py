"""One request id per request, on every log line it causes, here and in the Celery tasks it enqueues.

- RequestIdMiddleware takes the X-Request-ID header when it is sane (a proxy's or a client's id),
  otherwise makes one, keeps it in a contextvar for the request, echoes it in the response and writes
  one access line per request.
- RequestIdFilter (on every logging handler, see settings) adds `request_id` to every record.
- Celery: before_task_publish copies the current id into the message headers; task_prerun restores
  it in the worker (a task published outside any request gets its own task id, which the tasks it
  publishes in turn inherit); task_postrun puts the previous value back.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
TASK_HEADER = "request_id"  # the key in the Celery message headers
NO_ID = "-"

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("sinkron_request_id", default=None)
# Ids we echo and log: short, plain characters, and never anything that looks like a NIK/KK.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_LONG_DIGIT_RUN = re.compile(r"\d{16}")

access_logger = logging.getLogger("helpdesk.request")


def get_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def sanitize(value) -> str | None:
    """Return `value` if it is acceptable as a request id, else None."""
    if not isinstance(value, str) or not _SANE.fullmatch(value) or _LONG_DIGIT_RUN.search(value):
        return None
    return value


def new_request_id() -> str:
    # The dashed form: its longest run of digits is 12, so the NIK scrubber never masks it.
    return str(uuid.uuid4())


# --- logging -------------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record ("-" outside a request or task). Lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get() or NO_ID
        return True


# --- the web side --------------------------------------------------------------------------------


def view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    return getattr(request, "ops_endpoint", None) or "unresolved"


class RequestIdMiddleware:
    """Give the request an id (kept in a contextvar for its duration) and log one line about it.

    First in MIDDLEWARE, so every other middleware's log lines carry the id too. The access line
    names the path without its query string (search terms never travel in URLs here, and the
    formatter masks any 16-digit number anyway). Probes that answer 2xx log at DEBUG only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sanitize(request.META.get(META_KEY)) or new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            duration_ms = (time.perf_counter() - started) * 1000
            quiet = getattr(request, "ops_endpoint", None) and response.status_code < 300
            access_logger.log(
                logging.DEBUG if quiet else logging.INFO,
                "%s %s %s %.0fms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "view": view_name(request),
                    "status": response.status_code,
                    "duration_ms": round(duration_ms, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


# --- the Celery side -----------------------------------------------------------------------------

_task_tokens: dict[str, contextvars.Token] = {}


def add_request_id_header(sender=None, headers=None, **kwargs) -> None:
    """before_task_publish: carry the current request id in the message (protocol 2 headers)."""
    current = _request_id.get()
    if current and headers is not None and not headers.get(TASK_HEADER):
        headers[TASK_HEADER] = current


def _id_from_task_request(task) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    # A worker turns the message's headers into attributes of task.request; Task.apply(headers=...)
    # keeps them in task.request.headers (Celery issue #4875): read both.
    found = getattr(request, TASK_HEADER, None)
    if not found:
        found = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return sanitize(found)


def restore_request_id(sender=None, task_id=None, task=None, **kwargs) -> None:
    """task_prerun: make the publishing request's id current while the task runs."""
    request_id = _id_from_task_request(task) or sanitize(task_id) or new_request_id()
    token = _request_id.set(request_id)
    if task_id:
        _task_tokens[task_id] = token


def clear_request_id(sender=None, task_id=None, **kwargs) -> None:
    """task_postrun: put back whatever id was current before the task (none in a worker)."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is None:
        return
    try:
        _request_id.reset(token)
    except ValueError:  # set in another context (should not happen): just forget it
        _request_id.set(None)


def keep_django_logging(**kwargs) -> None:
    """setup_logging: connected, it stops Celery from configuring logging itself, so Django's
    LOGGING (scrubbing formatter, request ids) is the only configuration in workers and beat too;
    otherwise Celery gives the `celery.task` logger a handler of its own that masks nothing."""


def connect_celery_signals() -> None:
    """Connect the handlers (idempotent). Called from HelpdeskConfig.ready(), which a worker and
    beat run (Celery's Django fixup calls django.setup()) before they set up logging."""
    from celery import signals

    signals.setup_logging.connect(keep_django_logging, weak=False, dispatch_uid="helpdesk.requestid.logging")

    signals.before_task_publish.connect(
        add_request_id_header, weak=False, dispatch_uid="helpdesk.requestid.publish"
    )
    signals.task_prerun.connect(restore_request_id, weak=False, dispatch_uid="helpdesk.requestid.prerun")
    signals.task_postrun.connect(clear_request_id, weak=False, dispatch_uid="helpdesk.requestid.postrun")
