"""WhatsApp both ways over the real mock gateway process (mockwhatsapp/, gunicorn): the worker sends
templates and replies to it, it posts signed status callbacks and a citizen's messages to the help
desk's webhook (a live server on the test database), and it is told to fail in the ways a real
gateway does: a number without WhatsApp, an outage, a reply lost after it accepted the message.
"""

import hashlib
import hmac
import json

import httpx
import pytest
from django.core.cache import cache

from notifications.models import Notification
from tests.cast import nik_with_serial
from tests.integration.processes import wait_until
from tests.support.ports import free_port
from tests.support.whatsapp_process import GatewayProcess
from tickets.models import TicketEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GATEWAY = GatewayProcess(port=free_port(), status_delay=0.2)
CHAIN = {"NOTIFY_CHANNEL": "whatsapp", "NOTIFY_FALLBACK": "sms,email"}
# A killed worker's notifications wait out a 5 s lease (longer than one send: 1 + 3 s), then the
# redrive, every second, publishes them again.
STACK_ENV = {
    **GATEWAY.sinkron_settings(),
    **CHAIN,
    "NOTIFY_CLAIM_SECONDS": "5",
    "NOTIFY_REDRIVE_SECONDS": "1",
    "NOTIFY_RETRY_BASE_SECONDS": "0.3",
    "NOTIFY_RETRY_MAX_SECONDS": "1",
    "NOTIFY_MAX_ATTEMPTS": "20",
    "WHATSAPP_CONNECT_TIMEOUT": "1",
    "WHATSAPP_READ_TIMEOUT": "3",
    "WHATSAPP_REPLY_REDRIVE_SECONDS": "1",
}
OPENED = "sinkron_pengaduan_diterima"


@pytest.fixture(scope="module")
def gateway():
    with GATEWAY:
        yield GATEWAY


@pytest.fixture
def wa(pipeline, gateway, live_server, settings):
    """The stack and the gateway, the gateway's callbacks going to this test's live server."""
    for name, value in {**gateway.sinkron_settings(), **CHAIN}.items():
        setattr(settings, name, value)
    gateway.start()  # a test may have killed it
    gateway.reset()
    gateway.configure(webhook_url=f"{live_server.url}/whatsapp/webhook/")
    cache.clear()  # the look-up's rate limits
    return gateway


def sent(ticket, kind=Notification.Kind.OPENED) -> Notification:
    return Notification.objects.filter(ticket=ticket, kind=kind, status=Notification.Status.SENT).first()


def timeline(ticket) -> str:
    return "\n".join(TicketEvent.objects.filter(ticket=ticket).values_list("message", flat=True))


def replies(gateway, phone) -> list[str]:
    return [m["body"] for m in gateway.outbound(phone) if not m["template"]]


def test_an_opened_ticket_sends_its_template_and_records_delivery_and_read(wa, pipeline, live_server, caplog):
    ticket = pipeline.open_ticket(serial=41, phone="+6281200000041")
    notification = wait_until(lambda: sent(ticket), 20, message="the template to be sent")

    [message] = wa.outbound("+6281200000041")
    assert message["template"] == OPENED and message["id"] == notification.provider_message_id
    assert ticket.display_code in message["body"]
    assert "tidak pernah meminta pembayaran, kata sandi" in message["body"]
    # The gateway's signed callbacks reach the webhook: delivered, then read, on row and timeline.
    read = wait_until(
        lambda: Notification.objects.filter(pk=notification.pk, read_at__isnull=False).first(),
        20,
        message="the read receipt",
        describe=lambda: json.dumps(wa.stats()),
    )
    assert read.delivered_at is not None and read.delivered_at <= read.read_at
    assert "sudah diterima di +62812****0041" in timeline(ticket)
    assert "sudah dibaca" in timeline(ticket)

    # A forged "failed" for the same message is refused: no fallback, nothing recorded.
    status = {"id": notification.provider_message_id, "status": "failed", "recipient_id": "6281200000041"}
    body = json.dumps({"entry": [{"changes": [{"value": {"statuses": [status]}}]}]}).encode()
    forged = "sha256=" + hmac.new(b"not-the-app-secret", body, hashlib.sha256).hexdigest()
    answer = httpx.post(
        f"{live_server.url}/whatsapp/webhook/", content=body, headers={"X-Hub-Signature-256": forged}
    )
    assert answer.status_code == 403
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT
    refusals = [r.getMessage() for r in caplog.records if r.name == "whatsapp.views"]
    assert refusals and not any("6281200000041" in text for text in refusals)


def test_cek_with_the_right_and_a_wrong_code_gets_answers_of_the_same_shape(wa, pipeline):
    ticket = pipeline.open_ticket(serial=43, phone="+6281200000043")
    # Two citizens at once, from other phones than the ticket's: one with the slip's code, one not.
    right, wrong = "+6289900000043", "+6289900000143"
    wa.inbound(right, f"cek {ticket.display_code}")
    wa.inbound(wrong, "CEK ZZZZZ-ZZZZZ")
    wait_until(lambda: len(replies(wa, right)) == len(replies(wa, wrong)) == 1, 20, message="NIK requests")
    wa.inbound(right, nik_with_serial(43))
    wa.inbound(wrong, nik_with_serial(43))
    wait_until(lambda: len(replies(wa, right)) == len(replies(wa, wrong)) == 2, 20, message="the answers")

    (ask_right, found), (ask_wrong, not_found) = replies(wa, right), replies(wa, wrong)
    assert ask_right.replace(ticket.display_code, "<kode>") == ask_wrong.replace("ZZZZZ-ZZZZZ", "<kode>")
    assert "balas dengan NIK" in ask_right
    assert f"Tiket {ticket.display_code} atas nama S**i R****u" in found and "Status: " in found
    assert not_found.startswith("Data tidak ditemukan.")
    # One message each, both ending with the warning; neither repeats the NIK.
    for answer in (found, not_found):
        assert answer.rstrip().endswith("kata sandi, atau kode OTP.")
        assert nik_with_serial(43) not in answer and nik_with_serial(43)[-4:] not in answer


def test_a_number_without_whatsapp_falls_back_to_sms(wa, pipeline):
    phone = "+6281200000044"
    wa.configure(unreachable=[phone])
    ticket = pipeline.open_ticket(serial=44, phone=phone)

    wait_until(lambda: wa.outbound(phone, channel="sms"), 20, message="the SMS after the failure")
    # (The resolution's message may follow the same way: the registry is quick here.)
    whatsapp = [m for m in wa.outbound(phone, channel="whatsapp") if m["template"] == OPENED]
    sms = wa.outbound(phone, channel="sms")[0]
    assert [m["status"] for m in whatsapp] == ["failed"]
    assert "tercatat dengan kode tiket" in sms["body"] and ticket.display_code in sms["body"]
    assert "tidak pernah meminta pembayaran" in sms["body"]
    wait_until(lambda: sent(ticket) and sent(ticket).channel == "sms", 10, message="the row sent by SMS")
    assert "nomor tidak terdaftar di WhatsApp. Dialihkan ke SMS." in timeline(ticket)


def test_messages_queued_during_a_gateway_outage_are_sent_once_it_ends(wa, pipeline):
    wa.set_faults(outage=True)
    tickets = [pipeline.open_ticket(serial=serial, phone=f"+62812000000{serial}") for serial in (45, 46)]
    wait_until(
        lambda: Notification.objects.filter(ticket__in=tickets, attempts__gte=2).count() == 2,
        20,
        message="retries during the outage",
    )
    assert wa.outbound() == [] and wa.stats()["whatsapp_503"] >= 2
    wa.clear_faults()

    for ticket in tickets:
        wait_until(lambda t=ticket: sent(t), 20, message="the send after the outage")
        assert "belum terkirim, percobaan 1 dari 20: gateway WhatsApp sibuk (HTTP 503)" in timeline(ticket)
    opened = [m for m in wa.outbound() if m["template"] == OPENED]
    assert len(opened) == 2  # nothing lost, nothing twice


def test_a_worker_killed_between_the_gateways_accept_and_the_record_sends_once(wa, pipeline):
    stack, phone = pipeline.stack, "+6281200000047"
    wa.set_faults(latency_after_accept_ms=2500)  # accepted and recorded, the answer held back
    ticket = pipeline.open_ticket(serial=47, phone=phone)
    wait_until(lambda: wa.outbound(phone), 20, message="the gateway to accept the message")
    stack.kill_worker()  # before the answer arrives: the row still says pending
    wa.clear_faults()
    stack.start_worker()

    notification = wait_until(lambda: sent(ticket), 30, message="the send after the kill")
    opened = [m for m in wa.outbound(phone) if m["template"] == OPENED]
    assert len(opened) == 1 and opened[0]["id"] == notification.provider_message_id
    assert notification.attempts == 2 and wa.stats()["whatsapp_replayed"] == 1
