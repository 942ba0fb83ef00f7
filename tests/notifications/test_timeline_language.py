"""A notification's line on the timeline reads in the reader's language, its kind included."""

import pytest
from django.utils import translation

from notifications import tasks
from notifications.models import Notification
from tests.notifications.fake_gateway import MASKED_PHONE
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_a_notification_written_in_indonesian_reads_in_english_with_its_kind_translated(gateway, ticket):
    notification = Notification.objects.get(ticket=ticket, kind=Notification.Kind.OPENED)
    with translation.override("id"):
        assert tasks.send_notification(notification.pk) == "sent"
    event = ticket.events.get(kind=TicketEvent.Kind.NOTIFICATION)
    assert event.message == f"Pemberitahuan 'Pengaduan diterima' terkirim ke {MASKED_PHONE} (http)."
    with translation.override("en"):
        assert event.text == f"Notification 'Complaint received' sent to {MASKED_PHONE} (http)."
