"""whatsapp/views.py: the GET handshake, the signature check, and the status callbacks it records."""

import logging

import pytest

from notifications.models import Notification
from tests.whatsapp.conftest import signed_post, status

pytestmark = pytest.mark.django_db
WEBHOOK = "/whatsapp/webhook/"


def test_the_handshake_echoes_the_challenge_only_for_our_verify_token(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = "our-token"
    ok = client.get(
        WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": "our-token", "hub.challenge": "1158"}
    )
    wrong = client.get(WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    settings.WHATSAPP_VERIFY_TOKEN = ""
    unset = client.get(WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})

    assert (ok.status_code, ok.content) == (200, b"1158")
    assert wrong.status_code == unset.status_code == 403


def test_a_forged_or_missing_signature_is_refused_and_logged_without_the_number(client, caplog):
    caplog.set_level(logging.WARNING, logger="whatsapp.views")
    payload = status("wamid.x", "read")
    forged = signed_post(client, payload, secret="not-our-secret")
    unsigned = client.post(WEBHOOK, data=payload, content_type="application/json")

    assert forged.status_code == unsigned.status_code == 403
    logged = [r.getMessage() for r in caplog.records if r.name == "whatsapp.views"]
    assert len(logged) == 2 and all("signature" in line for line in logged)
    assert not any("6281234567890" in line for line in logged)


def test_no_app_secret_refuses_every_post(client, settings):
    settings.WHATSAPP_APP_SECRET = ""
    assert signed_post(client, status("wamid.x", "read"), secret="").status_code == 403


def test_a_signed_body_that_is_no_json_is_a_bad_request(client):
    import hashlib
    import hmac

    body = b"not json"
    signature = "sha256=" + hmac.new(b"test-whatsapp-app-secret", body, hashlib.sha256).hexdigest()
    answer = client.post(
        WEBHOOK, data=body, content_type="application/json", headers={"X-Hub-Signature-256": signature}
    )
    assert answer.status_code == 400


def test_signed_receipts_are_recorded_on_the_notification_and_its_timeline(client, office, clerk, settings):
    from tests.cast import complaint
    from tickets import services as ticket_services

    ticket = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    notification = Notification.objects.get(ticket=ticket)
    Notification.objects.filter(pk=notification.pk).update(status="sent", provider_message_id="wamid.abc")

    assert signed_post(client, status("wamid.abc", "delivered")).status_code == 200
    assert signed_post(client, status("wamid.abc", "delivered")).status_code == 200  # Meta repeats
    assert signed_post(client, status("wamid.other", "read")).status_code == 200  # not ours: 200 anyway
    assert signed_post(client, status("wamid.abc", "read")).status_code == 200

    notification.refresh_from_db()
    assert (
        notification.delivered_at
        and notification.read_at
        and notification.delivered_at <= notification.read_at
    )
    texts = list(ticket.events.values_list("message", flat=True))
    assert sum("sudah diterima" in t for t in texts) == 1 and sum("sudah dibaca" in t for t in texts) == 1
