"""notifications/channels/whatsapp.py against the real mock gateway process: templates, the
24-hour window, idempotency keys, and every refusal put in words, permanent or passing."""

import pytest

from notifications.channels import ChannelError
from notifications.channels.whatsapp import WhatsAppChannel
from notifications.messages import Message

PHONE = "+6281234567890"
OPENED = Message(
    subject="",
    text="",
    template="sinkron_pengaduan_diterima",
    parameters=("Kudus", "ABCDE-FGHJK", "http://x"),
)


def test_a_template_is_sent_once_however_often_its_key_is_sent(gateway):
    first = WhatsAppChannel().deliver(to=PHONE, message=OPENED, key="key-1")
    again = WhatsAppChannel().deliver(to=PHONE, message=OPENED, key="key-1")

    assert first.startswith("wamid.") and again == first
    [message] = gateway.outbound(PHONE)
    assert message["template"] == "sinkron_pengaduan_diterima" and "ABCDE-FGHJK" in message["body"]
    assert gateway.stats()["whatsapp_replayed"] == 1


@pytest.mark.parametrize(
    "message, words",
    [
        (Message("", "", "sinkron_tidak_ada", ("a",)), "templat belum disetujui"),
        (Message("", "", "sinkron_pengaduan_diterima", ("Kudus",)), "jumlah isian templat tidak cocok"),
        (Message("", "", "", ()), "tidak ada templat WhatsApp"),
    ],
)
def test_a_refused_template_is_a_permanent_failure_in_words(gateway, message, words):
    with pytest.raises(ChannelError) as refused:
        WhatsAppChannel().deliver(to=PHONE, message=message, key="key-2")
    assert refused.value.permanent and words in refused.value.message
    assert gateway.outbound() == []


def test_free_text_is_refused_outside_the_window_and_accepted_after_the_citizen_wrote(gateway):
    with pytest.raises(ChannelError) as refused:
        WhatsAppChannel().send_text(to=PHONE, text="Halo", key="key-3")
    assert refused.value.permanent and "di luar jendela 24 jam" in refused.value.message

    gateway.inbound(PHONE, "halo")
    assert WhatsAppChannel().send_text(to=PHONE, text="Halo", key="key-4").startswith("wamid.")


def test_an_outage_and_a_rate_limit_are_passing_failures_with_the_gateways_wait(gateway):
    gateway.set_faults(outage=True)
    with pytest.raises(ChannelError) as outage:
        WhatsAppChannel().deliver(to=PHONE, message=OPENED, key="key-5")
    gateway.set_faults(outage=False, rate_limited=True, retry_after=7)
    with pytest.raises(ChannelError) as limited:
        WhatsAppChannel().deliver(to=PHONE, message=OPENED, key="key-5")

    assert not outage.value.permanent and "HTTP 503" in outage.value.message
    assert not limited.value.permanent and limited.value.retry_after == 7
    assert gateway.outbound() == []


def test_a_wrong_token_is_permanent_and_an_unreachable_gateway_passing(gateway, settings):
    settings.WHATSAPP_ACCESS_TOKEN = "wrong"
    with pytest.raises(ChannelError) as refused:
        WhatsAppChannel().deliver(to=PHONE, message=OPENED, key="key-6")
    settings.WHATSAPP_API_URL = "http://127.0.0.1:9"
    with pytest.raises(ChannelError) as unreachable:
        WhatsAppChannel().deliver(to=PHONE, message=OPENED, key="key-6")

    assert refused.value.permanent and "token akses WhatsApp ditolak" in refused.value.message
    assert not unreachable.value.permanent and "tidak terjangkau" in unreachable.value.message
    assert PHONE.lstrip("+") not in refused.value.message + unreachable.value.message
