"""The channel chain: the citizen's choice first, then NOTIFY_CHANNEL and NOTIFY_FALLBACK, each
only where it has an address; a permanent failure (a refused send, or a WhatsApp "failed" receipt)
moves the row to the next channel with a new idempotency key, recorded on the timeline."""

import pytest

from notifications import receipts, services
from notifications.channels.whatsapp import wa_number
from notifications.models import Notification
from notifications.optout import clear_opt_out, record_opt_out
from tests.cast import complaint
from tests.notifications.fake_gateway import FakeGateway
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db
State = Notification.Status


@pytest.fixture
def sms(settings):
    fake = FakeGateway()
    settings.NOTIFY_CHANNEL, settings.NOTIFY_FALLBACK = "whatsapp", "sms,email"
    settings.NOTIFY_SMS_URL, settings.NOTIFY_SMS_TOKEN = fake.url, "sms-token"
    settings.WHATSAPP_API_URL = ""  # WhatsApp refuses for good: "belum diatur"
    yield fake
    fake.stop()


def open_with(office, clerk, **overrides):
    ticket = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint(**overrides))
    return ticket, Notification.objects.filter(ticket=ticket).first()


def test_the_citizens_choice_goes_first_and_only_reachable_channels_follow(sms, office, clerk):
    ticket, notification = open_with(office, clerk, notify_channel="email", email="siti@example.com")
    assert services.channel_chain(ticket) == ["email", "whatsapp", "sms"]
    assert notification.channel == "email" and notification.recipient_hint == "s***@example.com"
    assert ticket.whatsapp_opt_in_at is None
    chose_whatsapp, _ = open_with(office, clerk, nik="3319014101900002", notify_channel="whatsapp")
    assert chose_whatsapp.whatsapp_opt_in_at is not None
    no_phone, _ = open_with(office, clerk, nik="3319014101900003", phone="")
    assert services.channel_chain(no_phone) == []


def test_a_number_that_said_berhenti_on_whatsapp_is_told_by_sms_until_it_writes_again(sms, office, clerk):
    ticket, _ = open_with(office, clerk, notify_channel="whatsapp")
    assert services.channel_chain(ticket) == ["whatsapp", "sms"]
    record_opt_out("whatsapp", wa_number(ticket.phone))
    assert services.channel_chain(ticket) == ["sms"]
    _later, notification = open_with(office, clerk, nik="3319014101900004", notify_channel="whatsapp")
    assert notification.channel == "sms"
    clear_opt_out("whatsapp", wa_number(ticket.phone))
    assert services.channel_chain(ticket) == ["whatsapp", "sms"]


def test_a_citizen_no_channel_reaches_gets_no_queued_message(sms, office, clerk):
    ticket, notification = open_with(office, clerk, phone="", email="")
    assert notification is None and not Notification.objects.exists()


def test_a_permanent_whatsapp_failure_falls_back_to_sms_with_a_new_key(
    sms, office, clerk, published, django_capture_on_commit_callbacks
):
    ticket, notification = open_with(office, clerk)
    first_key = notification.idempotency_key
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver(notification.pk) == "fallback"
    notification.refresh_from_db()
    assert (notification.channel, notification.status, notification.attempts) == ("sms", State.PENDING, 0)
    assert notification.idempotency_key != first_key and published == [notification.pk]  # nudged again
    assert services.deliver(notification.pk) == "sent"

    [request] = sms.requests
    assert request["headers"]["Idempotency-Key"] == str(notification.idempotency_key)
    assert request["json"]["text"].endswith(
        "Disdukcapil tidak pernah meminta pembayaran, kata sandi, atau kode OTP."
    )
    texts = list(ticket.events.filter(kind="notification").values_list("message", flat=True))
    assert (
        "(WhatsApp) gagal: WHATSAPP_API_URL atau WHATSAPP_PHONE_NUMBER_ID belum diatur. Dialihkan ke SMS."
        in texts[0]
    )
    assert "terkirim ke +62812****7890 (SMS)" in texts[1]


def sent_whatsapp(notification, provider_id="wamid.sent"):
    Notification.objects.filter(pk=notification.pk).update(
        status=State.SENT, channel="whatsapp", provider_message_id=provider_id
    )


def test_a_failed_receipt_falls_back_to_the_next_channel(
    sms, office, clerk, published, django_capture_on_commit_callbacks
):
    ticket, notification = open_with(office, clerk)
    sent_whatsapp(notification)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = receipts.record_receipt(
            provider_message_id="wamid.sent", status="failed", error_code=131026
        )
    notification.refresh_from_db()

    assert outcome == "fallback" and (notification.channel, notification.status) == ("sms", State.PENDING)
    assert notification.provider_message_id == "" and published[-1] == notification.pk
    assert "nomor tidak terdaftar di WhatsApp. Dialihkan ke SMS." in ticket.events.last().message
    assert receipts.record_receipt(provider_message_id="wamid.sent", status="failed") == "ignored"


def test_a_failed_receipt_on_the_last_channel_fails_the_notification(sms, office, clerk, settings):
    settings.NOTIFY_FALLBACK = ""
    ticket, notification = open_with(office, clerk)
    sent_whatsapp(notification)
    assert (
        receipts.record_receipt(provider_message_id="wamid.sent", status="failed", error_code=131026)
        == "failed"
    )
    notification.refresh_from_db()
    assert (
        notification.status == State.FAILED and notification.last_error == "nomor tidak terdaftar di WhatsApp"
    )
