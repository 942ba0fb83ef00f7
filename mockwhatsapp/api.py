"""The messaging endpoints: the Cloud API's POST /v{n}/{phone_number_id}/messages and a plain SMS one.

Idempotency (not part of Meta's API; our client's contract with this mock, docs/mockwhatsapp.md):
a request carrying an `Idempotency-Key` header is answered once; the same key with the same body
gets the same answer and sends nothing more, with another body a 409.
"""

import hashlib
import re
import time

from mockwhatsapp import approved
from mockwhatsapp.callbacks import status_value
from mockwhatsapp.http import json_response, meta_error

UNDELIVERABLE = 131026


def digits(phone: str) -> str:
    """Return a phone as WhatsApp writes it: country code and number, digits only (08.. -> 628..)."""
    number = re.sub(r"\D", "", phone or "")
    return "62" + number[1:] if number.startswith("0") else number


def authorised(request, config) -> bool:
    return request.headers.get("authorization", "") == f"Bearer {config.access_token}"


def whatsapp_message(request, app, phone_number_id: str):
    if phone_number_id != app.config.phone_number_id:
        return meta_error(400, 100, "Unsupported post request. Object does not exist.")
    body = request.json()
    if body is None or body.get("messaging_product") != "whatsapp":
        return meta_error(400, 100, "Invalid parameter", "messaging_product must be whatsapp")
    phone = digits(str(body.get("to", "")))
    if not 8 <= len(phone) <= 15:
        return meta_error(400, 131009, "Parameter value is not valid", "to is not a phone number")
    kind = body.get("type", "text")
    if kind == "template":
        rendered, problem = _template_text(body.get("template"))
    elif kind == "text":
        rendered, problem = _free_text(body.get("text"), phone, app)
    else:
        rendered, problem = None, meta_error(400, 131051, "Unsupported message type")
    if problem:
        return problem
    template = body["template"]["name"] if kind == "template" else ""

    def accept():
        message_id = app.store.add_message(
            channel="whatsapp",
            direction="out",
            phone=phone,
            body=rendered,
            status="accepted",
            template=template,
            key=request.headers.get("idempotency-key", ""),
        )
        response = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": phone}],
            "messages": [{"id": message_id}],
        }
        return 200, response

    return _send_once(request, app, "whatsapp", accept, on_new=lambda r: _progress(app, r, phone))


def sms_message(request, app):
    body = request.json()
    if body is None or not isinstance(body.get("text"), str) or not body["text"].strip():
        return json_response(400, {"error": "invalid", "fields": {"text": ["required"]}})
    phone = digits(str(body.get("to", "")))
    if not 8 <= len(phone) <= 15:
        return json_response(400, {"error": "invalid", "fields": {"to": ["not a phone number"]}})

    def accept():
        message_id = app.store.add_message(
            channel="sms",
            direction="out",
            phone=phone,
            body=body["text"],
            status="delivered",
            key=request.headers.get("idempotency-key", ""),
        )
        return 200, {"id": message_id, "status": "accepted"}

    return _send_once(request, app, "sms", accept)


def _send_once(request, app, channel: str, accept, on_new=None):
    key = request.headers.get("idempotency-key", "")
    digest = hashlib.sha256(request.body).hexdigest()
    status, response, replayed = app.store.send_once(
        channel=channel, key=key, request_hash=digest, accept=accept
    )
    app.store.count(f"{channel}_replayed" if replayed else f"{channel}_{status}")
    if status == 200 and not replayed and on_new:
        on_new(response)
    latency = app.store.faults()["latency_after_accept_ms"]
    if latency and channel in app.store.faults()["channels"]:
        time.sleep(latency / 1000)  # recorded, not yet answered: the caller may die meanwhile
    return json_response(status, response)


def _template_text(template):
    if not isinstance(template, dict) or template.get("name") not in approved.TEMPLATES:
        return None, meta_error(
            404,
            132001,
            "Template name does not exist in the translation",
            "template name is not approved for this account",
        )
    language = (template.get("language") or {}).get("code")
    if language != "id":
        return None, meta_error(
            404,
            132001,
            "Template name does not exist in the translation",
            f"template has no translation in {language!r}",
        )
    parameters = []
    for component in template.get("components") or []:
        if isinstance(component, dict) and component.get("type") == "body":
            parameters += [
                str(p.get("text", "")) for p in component.get("parameters") or [] if isinstance(p, dict)
            ]
    expected = approved.parameter_count(approved.TEMPLATES[template["name"]])
    if len(parameters) != expected or not all(p.strip() for p in parameters):
        return None, meta_error(
            400,
            132000,
            "Number of parameters does not match the expected number of params",
            f"body: number of localizable_params ({len(parameters)}) does not match "
            f"the expected number of params ({expected})",
        )
    return approved.render(template["name"], parameters), None


def _free_text(text, phone: str, app):
    if not isinstance(text, dict) or not str(text.get("body", "")).strip():
        return None, meta_error(400, 100, "Invalid parameter", "text.body is required")
    last = app.store.last_inbound_at(phone)
    if last is None or time.time() - last > app.config.window_seconds:
        return None, meta_error(
            400,
            131047,
            "Re-engagement message",
            "More than 24 hours have passed since the recipient last replied",
        )
    return str(text["body"]), None


def _progress(app, response: dict, phone: str) -> None:
    """Schedule the status callbacks: sent, delivered, read; or failed for a number not on WhatsApp."""
    message_id = response["messages"][0]["id"]
    delay = app.config.status_delay
    if phone in app.store.control("unreachable", []):
        app.dispatcher.schedule(
            status_value(message_id, "failed", phone, UNDELIVERABLE),
            delay=delay,
            then=lambda: app.store.set_status(message_id, "failed", UNDELIVERABLE),
        )
        return
    for step, status in enumerate(("sent", "delivered", "read"), start=1):
        app.dispatcher.schedule(
            status_value(message_id, status, phone),
            delay=delay * step,
            then=lambda s=status: app.store.set_status(message_id, s),
        )
