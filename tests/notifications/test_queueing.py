"""Ticket changes queue notifications in the ticket's transaction; sending waits for the commit."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tests.notifications.fake_gateway import MASKED_PHONE, PHONE, closed_port_url
from tickets import services as ticket_services
from tickets import signals
from tickets import tasks as ticket_tasks
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def intake_form(**overrides):
    data = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": "1990-01-01",
        "sex": "P",
        "phone": "0812-3456-7890",
        "kk_number": KK_NEW,
        "kk_number_old": KK_OLD,
        "category": "new_kk",
        "service": "sscasn",
        "deadline": "",
        "description": "SSCASN menolak NIK dan KK.",
    }
    data.update(overrides)
    return data


def kinds(ticket):
    return list(Notification.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True))


def test_opening_a_ticket_queues_one_opened_notification_and_publishes_only_on_commit(
    clerk_client, gateway, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = clerk_client.post(reverse("tickets:intake"), intake_form())
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert notification.kind == Kind.OPENED and notification.status == Notification.Status.PENDING
    assert notification.channel == "http" and notification.recipient_hint == MASKED_PHONE
    assert published == [] and gateway.requests == []  # nothing left the request
    for callback in callbacks:
        callback()
    assert published == [notification.pk]
    assert gateway.requests == []  # the worker sends, not the web process


def test_a_rolled_back_ticket_leaves_no_notification_and_publishes_nothing(
    office, clerk, published, django_capture_on_commit_callbacks
):
    ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ticket_services.DuplicateOpenTicket):
            ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    assert Notification.objects.count() == 1 and published == []


@pytest.mark.parametrize(
    "steps,expected",
    [
        (["push", "verify"], [Kind.OPENED, Kind.RESOLVED]),
        (["reject"], [Kind.OPENED, Kind.REJECTED]),
        (["escalate"], [Kind.OPENED, Kind.ESCALATED]),
        (["escalate", "resolve"], [Kind.OPENED, Kind.ESCALATED, Kind.RESOLVED]),
        (["push"], [Kind.OPENED]),
        (["close"], [Kind.OPENED]),
    ],
)
def test_each_status_change_queues_the_right_kind(ticket, clerk, steps, expected):
    now = timezone.now()
    actions = {
        "push": lambda t: ticket_services.mark_pushed(ticket=t, accepted_at=now, sla_due_at=now),
        "verify": lambda t: ticket_services.mark_verified(ticket=t),
        "reject": lambda t: ticket_services.reject_ticket(ticket=t, actor=clerk, reason="Dokumen kurang."),
        "escalate": lambda t: ticket_services.escalate_ticket(ticket=t, actor=None, reason="Lewat SLA."),
        "resolve": lambda t: ticket_services.resolve_ticket(ticket=t, actor=clerk, reason="Sudah login."),
        "close": lambda t: ticket_services.close_ticket(ticket=t, actor=clerk, reason="Ganda."),
    }
    for step in steps:
        ticket = actions[step](ticket)
    assert kinds(ticket) == expected


def test_a_status_change_publishes_its_notification_on_commit(
    ticket, clerk, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.reject_ticket(ticket=ticket, actor=clerk, reason="Dokumen kurang.")
    rejected = Notification.objects.get(kind=Kind.REJECTED)
    assert published == [rejected.pk]


def test_the_staff_flow_is_unaffected_when_the_gateway_is_down(
    clerk_client, settings, published, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    settings.NOTIFY_CHANNEL = "http"
    settings.NOTIFY_HTTP_URL = closed_port_url()
    # As if the worker picked the message up at once (eager), and the gateway refuses connections.
    monkeypatch.setattr(
        tasks.send_notification, "apply_async", lambda args, **options: tasks.send_notification(*args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("tickets:intake"), intake_form())
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("tickets:detail", args=[ticket.code])
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.PENDING and notification.attempts == 1
    assert "gateway tidak terjangkau" in notification.last_error
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTIFICATION).count() == 1


def test_the_staff_flow_is_unaffected_when_the_broker_is_down(
    clerk_client, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    def broker_down(args, **options):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.send_notification, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("tickets:intake"), intake_form())
    assert response.status_code == 302
    assert Notification.objects.get().status == Notification.Status.PENDING  # the redrive will find it


def test_a_broken_receiver_costs_the_message_not_the_ticket(office, clerk, monkeypatch, caplog):
    def broken(**kwargs):
        with connection.cursor() as cursor:  # a database error aborts the transaction it runs in
            cursor.execute("SELECT 1/0")

    monkeypatch.setattr(services, "queue_notification", broken)
    ticket = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    assert Ticket.objects.filter(pk=ticket.pk).exists() and ticket.events.count() == 1
    assert not Notification.objects.exists()
    assert "could not queue the opened notification" in caplog.text


def test_a_code_resend_is_queued_and_published_on_commit(
    ticket, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.queue_notification(ticket=ticket, kind=Kind.CODE_RESEND)
    assert notification.kind == Kind.CODE_RESEND and notification.status == Notification.Status.PENDING
    assert published == [notification.pk]


def test_the_lost_slip_signal_queues_a_code_resend(ticket):
    signals.code_resend_requested.send(sender=Ticket, ticket=ticket)
    assert kinds(ticket) == [Kind.OPENED, Kind.CODE_RESEND]


def test_no_full_phone_is_stored_in_the_notification_table(ticket):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_notification")
        rows = cursor.fetchall()
    assert rows and all(PHONE not in str(row) and PHONE[1:] not in str(row) for row in rows)


def test_the_public_lost_slip_page_queues_a_code_resend(
    client, ticket, published, django_capture_on_commit_callbacks, monkeypatch
):
    cache.clear()
    # The page publishes the look-up; run it here as the worker would.
    monkeypatch.setattr(
        ticket_tasks.resend_code, "apply_async", lambda args, **options: ticket_tasks.resend_code(*args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public_resend"), {"nik": NIK})
    assert response.status_code == 200
    resend = Notification.objects.get(ticket=ticket, kind=Kind.CODE_RESEND)
    assert published == [resend.pk]
