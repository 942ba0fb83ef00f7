"""Each channel on its own: console logs masked, e-mail through Django, HTTP against a real server."""

import logging

import pytest
from django.core import mail

from notifications.channels import ChannelError, get_channel
from notifications.channels.base import Channel
from notifications.checks import check_settings
from tests.notifications.fake_gateway import MASKED_PHONE, PHONE, closed_port_url

TEXT = "Kudus: Kode tiket Anda: ABCDE-FGHJK."


def test_the_console_channel_logs_the_masked_recipient_and_the_text(caplog):
    caplog.set_level(logging.INFO, logger="sinkron.notifications")
    get_channel("console").send(to=PHONE, text=TEXT, subject="Kode tiket Anda")
    record = next(r for r in caplog.records if r.name == "sinkron.notifications")
    assert record.levelno == logging.INFO
    assert (
        MASKED_PHONE in record.getMessage() and "Kudus: Kode tiket Anda: AB***-*****." in record.getMessage()
    )
    assert PHONE not in caplog.text


def test_the_console_channel_masks_ticket_codes_in_the_text_and_the_status_link(caplog):
    caplog.set_level(logging.INFO, logger="sinkron.notifications")
    text = "Kode ABCDE-FGHJK, cek https://sinkron.example/cek-status/?kode=ABCDEFGHJK kapan saja."
    get_channel("console").send(to=PHONE, text=text, subject="Tiket ABCDE-FGHJK")
    assert "ABCDE-FGHJK" not in caplog.text and "ABCDEFGHJK" not in caplog.text
    assert "Tiket AB***-*****" in caplog.text and "?kode=AB******** kapan saja." in caplog.text
    assert "Kode" in caplog.text and "cek-status" in caplog.text  # ordinary words are left alone


def test_the_email_channel_sends_through_djangos_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_EMAIL_FROM = "noreply@kuduskab.go.id"
    get_channel("email").send(to="siti@example.com", text=TEXT, subject="Kode tiket Anda")
    (sent,) = mail.outbox
    assert sent.to == ["siti@example.com"] and sent.from_email == "noreply@kuduskab.go.id"
    assert sent.subject == "Kode tiket Anda" and sent.body == TEXT


def test_the_http_channel_posts_json_with_the_bearer_token(gateway):
    get_channel("http").send(to=PHONE, text=TEXT, subject="ignored")
    (request,) = gateway.requests
    assert request["path"] == "/send" and request["json"] == {"to": PHONE, "text": TEXT}
    assert request["headers"]["Authorization"] == "Bearer test-gateway-token"
    assert request["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "status,permanent", [(400, True), (401, True), (404, True), (429, False), (500, False), (503, False)]
)
def test_the_http_channel_marks_client_errors_permanent_and_the_rest_passing(gateway, status, permanent):
    gateway.answer(status)
    with pytest.raises(ChannelError) as caught:
        get_channel("http").send(to=PHONE, text=TEXT, subject="")
    assert caught.value.permanent is permanent and str(status) in caught.value.message
    assert PHONE not in caught.value.message


def test_the_http_channel_passes_on_the_gateways_retry_after(gateway):
    gateway.answer(429, {"Retry-After": "120"})
    with pytest.raises(ChannelError) as caught:
        get_channel("http").send(to=PHONE, text=TEXT, subject="")
    assert caught.value.retry_after == 120


def test_a_refused_connection_is_a_passing_error(settings):
    settings.NOTIFY_HTTP_URL = closed_port_url()
    with pytest.raises(ChannelError) as caught:
        get_channel("http").send(to=PHONE, text=TEXT, subject="")
    assert not caught.value.permanent and "ConnectError" in caught.value.message


@pytest.mark.parametrize("url", ["", "ftp://127.0.0.1/send", "127.0.0.1:9/send"])
def test_a_missing_or_malformed_gateway_url_is_permanent(settings, url):
    settings.NOTIFY_HTTP_URL = url
    with pytest.raises(ChannelError) as caught:
        get_channel("http").send(to=PHONE, text=TEXT, subject="")
    assert caught.value.permanent


def test_an_unknown_channel_is_a_permanent_error():
    with pytest.raises(ChannelError) as caught:
        get_channel("pigeon")
    assert caught.value.permanent


def test_every_channel_follows_the_base_class():
    for name in ("console", "email", "http"):
        channel = get_channel(name)
        assert isinstance(channel, Channel) and channel.name == name


def test_an_error_message_is_scrubbed_and_short():
    error = ChannelError("gateway said 3319014101900001 " + "x" * 400)
    assert "3319014101900001" not in error.message and len(error.message) == 300


def test_the_system_check_refuses_an_unknown_channel_and_warns_about_a_missing_url(settings):
    settings.NOTIFY_CHANNEL = "telegram"
    assert [m.id for m in check_settings()] == ["notifications.E001"]
    settings.NOTIFY_CHANNEL, settings.NOTIFY_FALLBACK = "console", "sms,pigeon"
    assert [m.id for m in check_settings()] == ["notifications.E002"]
    settings.NOTIFY_FALLBACK, settings.NOTIFY_SMS_URL = "sms", ""
    assert [m.id for m in check_settings()] == ["notifications.W001"]
    settings.NOTIFY_FALLBACK = ""
    settings.NOTIFY_CHANNEL = "http"
    settings.NOTIFY_HTTP_URL = ""
    assert [m.id for m in check_settings()] == ["notifications.W001"]
    settings.NOTIFY_CHANNEL = "console"
    assert check_settings() == []
