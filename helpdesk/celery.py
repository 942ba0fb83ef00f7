"""The Celery app. Settings come from Django's (CELERY_ namespace); tasks are found in the apps."""

import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from celery.worker.consumer import Consumer as CeleryConsumer
from kombu.transport import virtual

import helpdesk.broker  # noqa: F401 - registers the demo broker's sinkronfs:// URL

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

logger = logging.getLogger(__name__)

app = Celery("sinkron")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(dispatch_uid="helpdesk.celery.connections_before_task")
@task_postrun.connect(dispatch_uid="helpdesk.celery.connections_after_task")
def close_old_database_connections(**kwargs):
    """Treat each task like a request: keep the connection for DATABASE_CONN_MAX_AGE, drop it if broken.

    Celery's own Django fixup would close it around every task (a new PostgreSQL backend per push)
    unless CELERY_DB_REUSE_MAX is set; with it set, this restores Django's age and health rules.
    """
    from django.db import close_old_connections

    close_old_connections()


class _ReleasedQoS(virtual.QoS):
    """Delivery state of a lost connection's channel: acknowledging, rejecting or handing back its
    messages touches no broker (they were handed back already, or are gone with the broker)."""

    restore_at_shutdown = False

    def reject(self, delivery_tag, requeue=False):
        self._quick_ack(delivery_tag)


class Consumer(CeleryConsumer):
    """Celery's consumer, kept alive when the broker drops while tasks still hold messages.

    On a lost connection Celery 5.7 closes it after collecting it, when kombu's Redis transport has
    already let go of its client: handing the unacknowledged messages back on that close, or
    acknowledging one when its task finishes later, raises AttributeError, which Celery counts as
    unrecoverable (the worker exits). So hand them back first, while the transport still can, and
    let that channel's later acknowledgements go nowhere. Nothing is lost if the broker is gone: the
    database holds every job and notification and the sweepers re-drive them (DESIGN.md §8).
    """

    def on_connection_error_after_connected(self, exc):
        self._release_unacknowledged()
        super().on_connection_error_after_connected(exc)

    def _release_unacknowledged(self) -> None:
        channel = getattr(self.task_consumer, "channel", None)
        if not isinstance(channel, virtual.Channel):
            return
        try:
            channel.qos.restore_unacked_once()
        except Exception as exc:  # noqa: BLE001 - the broker is gone or going; its messages with it
            logger.warning(
                "could not hand back unacknowledged messages (%r); the sweepers re-drive their work", exc
            )
        channel._qos = _ReleasedQoS(channel)  # kombu keeps the channel's delivery state there
