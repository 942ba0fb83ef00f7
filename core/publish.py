"""Publishing a Celery task as a nudge: the work is in the database, the message only hurries it."""

import logging

from kombu.exceptions import ChannelError, OperationalError

# What a broker that is down or unreachable raises from apply_async (Redis, or the demo's folders).
BROKER_ERRORS = (OperationalError, ChannelError, ConnectionError, TimeoutError, OSError)


def publish(task, args: tuple, *, subject: str, then: str, **options) -> bool:
    """Publish `task(*args)` once (no retries); False when it could not be published.

    Never raises: every caller's work is in the database, and `then` says what publishes it again.
    A broker outage logs one WARNING line per failed publish, without the traceback chain (kombu's
    error wraps redis's, which wraps the socket's); anything else is a bug and keeps its traceback.
    """
    log = logging.getLogger(task.name.rpartition(".")[0])  # the task's module: sync.tasks...
    try:
        task.apply_async(args, retry=False, **options)
    except BROKER_ERRORS as exc:
        log.warning(
            "could not publish %s for %s (%s: %s); %s", task.name, subject, type(exc).__name__, exc, then
        )
        return False
    except Exception:  # noqa: BLE001 - not the broker: a bug, but the work is still in the database
        log.warning("could not publish %s for %s; %s", task.name, subject, then, exc_info=True)
        return False
    return True
