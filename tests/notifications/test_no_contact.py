"""A citizen the channel cannot reach (no phone; no e-mail for the e-mail channel) gets no
notification row and no task on the broker, for any kind of message."""

import pytest

from notifications import services
from notifications.models import Notification
from tests.cast import complaint
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def open_ticket(office, clerk, **overrides):
    return ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint(**overrides))


def test_a_citizen_with_no_phone_and_no_email_gets_no_notification_queued_or_published(
    office, clerk, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(office, clerk, phone="", email="")
        ticket_services.escalate_ticket(ticket=ticket, actor=None, reason="Melewati SLA 1x24 jam.")
        resend = services.queue_notification(ticket=ticket, kind=Notification.Kind.CODE_RESEND)

    assert resend is None
    assert not Notification.objects.exists()
    assert published == []


def test_the_email_channel_queues_nothing_for_a_citizen_with_only_a_phone(
    settings, office, clerk, published, django_capture_on_commit_callbacks
):
    settings.NOTIFY_CHANNEL = "email"
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(office, clerk, email="")

    assert not Notification.objects.exists() and published == []


def test_the_email_channel_queues_for_a_citizen_with_an_address_and_stores_it_masked(
    settings, office, clerk, published, django_capture_on_commit_callbacks
):
    settings.NOTIFY_CHANNEL = "email"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(office, clerk, phone="", email="siti.rahayu@example.com")

    notification = Notification.objects.get(ticket=ticket)
    assert notification.recipient_hint == "s***@example.com"
    assert published == [notification.pk]


def test_an_unknown_channel_is_still_queued_so_the_worker_records_the_misconfiguration(
    settings, office, clerk, published, django_capture_on_commit_callbacks
):
    settings.NOTIFY_CHANNEL = "pigeon"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(office, clerk)

    notification = Notification.objects.get(ticket=ticket)
    assert notification.channel == "pigeon" and notification.recipient_hint == ""
    assert published == [notification.pk]
