"""The control API (tests and the demo only; header X-Control-Token): reset, faults, settings,
inbound messages from a "citizen", and the conversations as JSON."""

from mockwhatsapp.api import digits
from mockwhatsapp.callbacks import inbound_value
from mockwhatsapp.http import json_response
from mockwhatsapp.store import DEFAULT_FAULTS


def authorised(request, config) -> bool:
    return request.headers.get("x-control-token", "") == config.control_token


def reset(request, app):
    app.store.reset()
    return json_response(200, {"reset": True})


def faults(request, app):
    if request.method == "GET":
        return json_response(200, app.store.faults())
    if request.method == "DELETE":
        app.store.set_control("faults", {})
        return json_response(200, app.store.faults())
    changes = request.json()
    if changes is None or set(changes) - set(DEFAULT_FAULTS):
        return json_response(400, {"error": "invalid", "known": sorted(DEFAULT_FAULTS)})
    app.store.set_control("faults", {**app.store.control("faults", {}), **changes})
    return json_response(200, app.store.faults())


def settings(request, app):
    """PUT {"webhook_url": ..., "unreachable": ["+62..."]}: where callbacks go, who has no WhatsApp."""
    changes = request.json()
    if changes is None:
        return json_response(400, {"error": "invalid"})
    if "webhook_url" in changes:
        app.store.set_control("webhook_url", str(changes["webhook_url"]))
    if "unreachable" in changes:
        app.store.set_control("unreachable", [digits(str(n)) for n in changes["unreachable"]])
    return json_response(
        200,
        {
            "webhook_url": app.store.control("webhook_url", app.config.webhook_url),
            "unreachable": app.store.control("unreachable", []),
        },
    )


def inbound(request, app):
    """POST {"from": "+62...", "text": "CEK ...", "name": "Siti"}: the citizen writes to the office."""
    body = request.json()
    if body is None or not str(body.get("text", "")).strip() or not digits(str(body.get("from", ""))):
        return json_response(400, {"error": "invalid", "fields": ["from", "text"]})
    message_id = deliver_inbound(app, digits(str(body["from"])), str(body["text"]), str(body.get("name", "")))
    return json_response(200, {"id": message_id})


def deliver_inbound(app, phone: str, text: str, name: str) -> str:
    """Record the citizen's message (opening the 24-hour window) and post it to the webhook."""
    message_id = app.store.add_inbound(phone=phone, body=text)
    app.dispatcher.schedule(inbound_value(message_id, phone, text, name))
    return message_id


def messages(request, app):
    phone = request.query.get("phone")
    return json_response(200, {"messages": app.store.messages(digits(phone) if phone else None)})


def stats(request, app):
    return json_response(200, app.store.counters())


ROUTES = {
    ("POST", "/_control/reset"): reset,
    ("GET", "/_control/faults"): faults,
    ("PUT", "/_control/faults"): faults,
    ("DELETE", "/_control/faults"): faults,
    ("PUT", "/_control/settings"): settings,
    ("POST", "/_control/inbound"): inbound,
    ("GET", "/_control/messages"): messages,
    ("GET", "/_control/stats"): stats,
}
