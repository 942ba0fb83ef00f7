"""The worker's side: claim, send once, retry with backoff, fail for good, re-drive what is due."""

import datetime as dt
import logging
import random
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Notification
from tests.cast import complaint
from tests.notifications.fake_gateway import MASKED_PHONE, PHONE
from tickets import services as ticket_services
from tickets.models import Office, TicketEvent

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
State = Notification.Status


def opened(ticket) -> Notification:
    return Notification.objects.get(ticket=ticket, kind=Kind.OPENED)


def make_due(notification):
    past = timezone.now() - dt.timedelta(seconds=1)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=past)


def timeline(ticket) -> list[str]:
    events = ticket.events.filter(kind=TicketEvent.Kind.NOTIFICATION).order_by("id")
    return list(events.values_list("message", flat=True))


def test_a_successful_send_marks_it_sent_and_puts_it_on_the_timeline(gateway, ticket):
    notification = opened(ticket)
    assert tasks.send_notification(notification.pk) == "sent"
    notification.refresh_from_db()
    assert notification.status == State.SENT and notification.attempts == 1 and notification.sent_at
    assert notification.claimed_until is None and notification.last_error == ""
    (request,) = gateway.requests
    assert request["json"]["to"] == PHONE and ticket.display_code in request["json"]["text"]
    assert timeline(ticket) == [f"Pemberitahuan 'Pengaduan diterima' terkirim ke {MASKED_PHONE} (http)."]
    event = ticket.events.get(kind=TicketEvent.Kind.NOTIFICATION)
    assert event.actor is None and event.details["notification_id"] == notification.pk


def test_the_resolved_message_reads_selesai_on_the_timeline(gateway, ticket):
    now = timezone.now()
    ticket = ticket_services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now)
    ticket = ticket_services.mark_verified(ticket=ticket)
    resolved = Notification.objects.get(ticket=ticket, kind=Kind.RESOLVED)
    assert tasks.send_notification(resolved.pk) == "sent"
    assert f"Pemberitahuan 'Selesai' terkirim ke {MASKED_PHONE} (http)." in timeline(ticket)


def test_a_gateway_that_stays_down_is_retried_with_backoff_then_failed(gateway, ticket, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 5
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    settings.NOTIFY_RETRY_MAX_SECONDS = 3600
    notification = opened(ticket)
    gateway.answer(500)
    waits = []
    for attempt in range(1, 6):
        if attempt == 2:
            gateway.stop()  # then the gateway is gone altogether: connection refused
        before = timezone.now()
        outcome = tasks.send_notification(notification.pk)
        notification.refresh_from_db()
        assert notification.attempts == attempt
        if attempt < 5:
            assert outcome == "retry" and notification.status == State.PENDING
            waits.append((notification.next_attempt_at - before).total_seconds())
            # Not due yet: a redelivered message does nothing until the backoff has passed.
            assert tasks.send_notification(notification.pk) == "skipped"
            make_due(notification)
    assert outcome == "failed" and notification.status == State.FAILED
    assert "gateway tidak terjangkau" in notification.last_error
    assert len(gateway.requests) == 1  # the 500; the others were refused
    for attempt, wait in enumerate(waits, start=1):  # 30-60 s, 60-120 s, 120-240 s, 240-480 s
        assert 30 * 2 ** (attempt - 1) - 1 <= wait <= 60 * 2 ** (attempt - 1) + 1
    lines = timeline(ticket)
    assert len(lines) == 5
    assert "percobaan 1 dari 5: gateway HTTP 500" in lines[0] and "Dicoba lagi" in lines[0]
    assert "percobaan 2 dari 5: gateway tidak terjangkau" in lines[1]
    assert lines[-1].startswith(f"Pemberitahuan 'Pengaduan diterima' ke {MASKED_PHONE} (http) gagal: gateway")
    assert not any(PHONE in line for line in lines)


def test_a_gateway_rate_limit_is_honoured(gateway, ticket):
    gateway.answer(429, {"Retry-After": "300"})
    before = timezone.now()
    assert tasks.send_notification(opened(ticket).pk) == "retry"
    assert opened(ticket).next_attempt_at >= before + dt.timedelta(seconds=300)


def test_a_rejected_request_fails_at_once(gateway, ticket):
    gateway.answer(400)
    notification = opened(ticket)
    assert tasks.send_notification(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == State.FAILED and notification.attempts == 1
    assert notification.last_error == "gateway menolak pesan (HTTP 400)"
    assert timeline(ticket) == [
        f"Pemberitahuan 'Pengaduan diterima' ke {MASKED_PHONE} (http) gagal: "
        "gateway menolak pesan (HTTP 400)."
    ]


def test_a_second_delivery_of_the_same_task_sends_once(gateway, ticket):
    notification = opened(ticket)
    assert tasks.send_notification(notification.pk) == "sent"
    assert tasks.send_notification(notification.pk) == "skipped"
    assert len(gateway.requests) == 1 and len(timeline(ticket)) == 1


def test_a_notification_claimed_by_another_worker_is_left_alone_until_its_lease_ends(gateway, ticket):
    notification = opened(ticket)
    now = timezone.now()
    assert services._claim(notification.pk, now) is not None  # a worker holds it (or died holding it)
    assert tasks.send_notification(notification.pk) == "skipped"
    assert gateway.requests == []
    later = now + dt.timedelta(seconds=120)
    assert services.deliver(notification.pk, now=later) == "sent"
    assert len(gateway.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_the_same_notification_send_it_once(gateway, published):
    office = Office.objects.create(code="3319", name="Disdukcapil Kabupaten Kudus", region_code="33.19")
    ticket = ticket_services.open_ticket(office=office, created_by=None, complaint=complaint())
    notification = opened(ticket)
    assert published == [notification.pk]  # committed for real: the nudge went out
    gateway.delay = 0.3
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(tasks.send_notification(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(gateway.requests) == 1 and len(timeline(ticket)) == 1


def erase(ticket, field):
    """Erase a contact as the retention purge does: the ticket's own copy and the citizen's."""
    for holder in (ticket, ticket.citizen):
        setattr(holder, field, "")
        holder.save()


def test_a_phone_erased_after_queueing_fails_without_calling_the_gateway(gateway, office, clerk):
    ticket = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    notification = opened(ticket)
    erase(ticket, "phone")
    assert tasks.send_notification(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == State.FAILED and notification.last_error == "tidak ada nomor"
    assert gateway.requests == []
    assert timeline(ticket) == [
        f"Pemberitahuan 'Pengaduan diterima' ke {MASKED_PHONE} (http) gagal: tidak ada nomor."
    ]


def test_the_console_channel_is_the_default(ticket, caplog):
    caplog.set_level(logging.INFO, logger="sinkron.notifications")
    notification = opened(ticket)
    assert notification.channel == "console"
    assert tasks.send_notification(notification.pk) == "sent"
    assert ticket.display_code[:2] + "***-*****" in caplog.text
    assert ticket.display_code not in caplog.text and ticket.code not in caplog.text
    assert MASKED_PHONE in caplog.text and PHONE not in caplog.text


def test_email_goes_to_the_citizens_address(settings, office, clerk):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_CHANNEL = "email"
    ticket = ticket_services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(email="siti.rahayu@example.com")
    )
    notification = opened(ticket)
    assert notification.recipient_hint == "s***@example.com"
    assert tasks.send_notification(notification.pk) == "sent"
    (sent,) = mail.outbox
    assert sent.to == ["siti.rahayu@example.com"] and ticket.display_code in sent.subject
    assert timeline(ticket) == ["Pemberitahuan 'Pengaduan diterima' terkirim ke s***@example.com (email)."]


def test_an_email_address_erased_after_queueing_is_recorded_and_not_sent(settings, office, clerk):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_CHANNEL = "email"
    ticket = ticket_services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(email="siti.rahayu@example.com")
    )
    notification = services.queue_notification(ticket=ticket, kind=Kind.CODE_RESEND)
    erase(ticket, "email")
    assert tasks.send_notification(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.last_error == "tidak ada alamat e-mail" and mail.outbox == []


def test_an_escalation_message_not_yet_sent_is_cancelled_once_the_ticket_is_resolved(gateway, ticket, clerk):
    ticket = ticket_services.escalate_ticket(ticket=ticket, actor=None, reason="Lewat SLA.")
    ticket = ticket_services.resolve_ticket(ticket=ticket, actor=clerk, reason="Sudah bisa login.")
    escalated = Notification.objects.get(ticket=ticket, kind=Kind.ESCALATED)
    resolved = Notification.objects.get(ticket=ticket, kind=Kind.RESOLVED)
    assert tasks.send_notification(escalated.pk) == "cancelled"
    assert tasks.send_notification(resolved.pk) == "sent"
    (request,) = gateway.requests
    assert "sudah sinkron" in request["json"]["text"]
    assert "Pemberitahuan 'Eskalasi' dibatalkan: status tiket sudah berubah." in timeline(ticket)


def test_a_notification_whose_workers_keep_dying_is_failed_without_sending(gateway, ticket, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    notification = opened(ticket)
    Notification.objects.filter(pk=notification.pk).update(attempts=3, claimed_until=timezone.now())
    assert services.deliver(notification.pk, now=timezone.now() + dt.timedelta(seconds=120)) == "failed"
    assert gateway.requests == []
    notification.refresh_from_db()
    assert notification.status == State.FAILED and notification.attempts == 4


def test_an_unknown_channel_is_recorded_as_failed(settings, ticket):
    Notification.objects.filter(ticket=ticket).update(channel="pigeon")
    assert tasks.send_notification(opened(ticket).pk) == "failed"
    assert "kanal tidak dikenal" in opened(ticket).last_error


def test_the_redrive_republishes_only_due_pending_notifications(ticket, published):
    now = timezone.now()
    past, future = now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=5)

    def make(**fields):
        return Notification.objects.create(ticket=ticket, kind=Kind.CODE_RESEND, channel="console", **fields)

    Notification.objects.filter(ticket=ticket).delete()
    due = make(next_attempt_at=past)
    lease_expired = make(next_attempt_at=past - dt.timedelta(minutes=1), claimed_until=past)
    make(next_attempt_at=future)  # backing off
    make(next_attempt_at=past, claimed_until=future)  # a worker holds it
    make(next_attempt_at=past, status=State.SENT)
    make(next_attempt_at=past, status=State.FAILED)
    assert tasks.redrive() == 2
    assert published == [lease_expired.pk, due.pk]


def test_retry_waits_grow_to_the_cap(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    settings.NOTIFY_RETRY_MAX_SECONDS = 600
    rng = random.Random(7)
    for attempt, ceiling in [(1, 60), (2, 120), (3, 240), (4, 480), (5, 600), (9, 600)]:
        wait = services.retry_delay(attempt, rng=rng).total_seconds()
        assert ceiling / 2 <= wait <= ceiling
    assert services.retry_delay(1, retry_after=300, rng=rng).total_seconds() == 300
    assert services.retry_delay(1, retry_after=86400, rng=rng).total_seconds() == 600
