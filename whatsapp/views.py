"""The WhatsApp webhook: Meta's GET handshake, and signed POSTs of status callbacks and inbound
messages (X-Hub-Signature-256 = HMAC-SHA256 of the raw body with the app secret).

A forged or unsigned POST is refused with 403 and logged with the caller's address only. Every
signed POST is answered 200 once recorded (Meta retries anything else), also when parts of it are
of no interest to us.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import receipts
from notifications.conf import setting
from tickets.ratelimit import client_ip
from whatsapp import services

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


@csrf_exempt  # signed by the gateway instead: no cookie, no session
@require_http_methods(["GET", "POST"])
def webhook(request):
    if request.method == "GET":
        return _handshake(request)
    if not signature_valid(request.body[: MAX_BODY + 1], request.headers.get("X-Hub-Signature-256", "")):
        ip = client_ip(request, trust_forwarded=settings.TRUST_X_FORWARDED_FOR)
        logger.warning("whatsapp webhook: refused a POST with a missing or wrong signature from %s", ip)
        return HttpResponseForbidden("invalid signature")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return HttpResponse(status=400)
    for value in _values(payload):
        _handle(value)
    return HttpResponse("ok")


def _handshake(request):
    """Answer Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
    token = setting("WHATSAPP_VERIFY_TOKEN")
    given = request.GET.get("hub.verify_token", "")
    if request.GET.get("hub.mode") == "subscribe" and token and hmac.compare_digest(given, token):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponseForbidden("verification failed")


def signature_valid(body: bytes, header: str) -> bool:
    secret = setting("WHATSAPP_APP_SECRET")
    if not secret or len(body) > MAX_BODY or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def _values(payload) -> list[dict]:
    if not isinstance(payload, dict):
        return []
    found = []
    for entry in payload.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                found.append(value)
    return found


def _handle(value: dict) -> None:
    for status in value.get("statuses") or []:
        if isinstance(status, dict) and status.get("id"):
            code = ((status.get("errors") or [{}])[0] or {}).get("code")
            receipts.record_receipt(
                provider_message_id=str(status["id"]), status=str(status.get("status")), error_code=code
            )
    for message in value.get("messages") or []:
        if isinstance(message, dict) and message.get("from") and message.get("id"):
            text = (message.get("text") or {}).get("body", "") if message.get("type") == "text" else ""
            services.receive_message(
                phone=str(message["from"]), provider_message_id=str(message["id"]), text=str(text)
            )
