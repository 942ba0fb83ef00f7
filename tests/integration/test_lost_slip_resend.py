"""Round two, finding 1, end to end: the lost-slip page publishes the same task for every NIK and
a real worker does the look-up and the sending (console channel), through the stack's Redis."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from tests.cast import nik_with_serial
from tests.integration.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
RESEND = reverse("public_resend")


def resends():
    return Notification.objects.filter(kind=Notification.Kind.CODE_RESEND)


def test_the_worker_sends_the_code_for_a_known_nik_and_nothing_for_an_unknown_one(pipeline):
    cache.clear()
    ticket = pipeline.open_ticket(serial=31)
    client = Client()
    assert client.post(RESEND, {"nik": nik_with_serial(99)}).status_code == 200  # unknown
    assert client.post(RESEND, {"nik": nik_with_serial(31)}).status_code == 200  # known, with a phone

    sent = wait_until(
        lambda: resends().filter(status=Notification.Status.SENT).first(),
        30,
        interval=0.2,
        message="the worker to send the code again",
        describe=pipeline.describe,
    )
    assert sent.ticket_id == ticket.pk
    time.sleep(1)  # the unknown NIK's task ran first; give a stray send the time to show
    assert resends().count() == 1
