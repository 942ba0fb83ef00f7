"""The gateway's WSGI application: `gunicorn mockwhatsapp.app:application -w 1 --threads 8`.

One worker process on purpose: the webhook dispatcher thread and the SQLite lock live in it.
"""

import logging
import re
import threading
import time
from urllib.parse import parse_qs

from mockwhatsapp import api, config, control, demo, page
from mockwhatsapp.callbacks import Dispatcher
from mockwhatsapp.http import Request, html_response, json_response, meta_error, redirect, serve
from mockwhatsapp.store import Store

logger = logging.getLogger("mockwhatsapp")
MESSAGES = re.compile(r"^/v\d+(?:\.\d+)?/(?P<phone_number_id>[^/]+)/messages/?$")
CONVERSATION = re.compile(r"^/conversations/(?P<id>[0-9a-f]{12})/?$")
CITIZEN_SEND = re.compile(r"^/conversations/(?P<id>[0-9a-f]{12}|new)/send/?$|^/conversations/new/?$")


class Gateway:
    def __init__(self):
        self.config = config.load()
        self.store = Store(self.config.database)
        self.dispatcher = Dispatcher(self.config, self.store)
        if self.config.demo_seed:
            demo.seed_if_empty(self.store)

    def handle(self, request: Request):
        if request.path.startswith("/_control/"):
            return self._control(request)
        if request.method == "GET":
            return self._pages(request)
        if request.path.startswith("/conversations/"):
            return self._citizen_writes(request)
        return self._api(request)

    def _citizen_writes(self, request: Request):
        """The demo page's forms: a message typed as the citizen goes to the webhook like any other."""
        match = CITIZEN_SEND.match(request.path)
        form = {k: v[0] for k, v in parse_qs(request.body.decode(errors="replace")).items()}
        wanted = match and match["id"]
        phone = (
            api.digits(form.get("from", "")) if wanted in (None, "new") else page.phone_of(self.store, wanted)
        )
        text = form.get("text", "").strip()
        if not match or not phone or not text:
            return json_response(400, {"error": "a number and a text are needed"})
        control.deliver_inbound(self, phone, text, "Warga")
        return redirect(f"/conversations/{page.conversation_id(phone)}")

    def _control(self, request: Request):
        if not control.authorised(request, self.config):
            return json_response(401, {"error": "control token required"})
        view = control.ROUTES.get((request.method, request.path.rstrip("/")))
        return view(request, self) if view else json_response(404, {"error": "not found"})

    def _pages(self, request: Request):
        if request.path == "/health":
            return json_response(200, {"status": "ok", "instance": self.config.instance})
        if request.path == "/":
            return html_response(page.index(self.store))
        match = CONVERSATION.match(request.path)
        text = page.conversation(self.store, match["id"]) if match else None
        return html_response(text) if text else json_response(404, {"error": "not found"})

    def _api(self, request: Request):
        if request.method != "POST":
            return meta_error(405, 100, "Unsupported request method")
        match = MESSAGES.match(request.path)
        channel = "whatsapp" if match else "sms" if request.path.rstrip("/") == "/sms/v1/messages" else None
        if channel is None:
            return meta_error(404, 100, "Unknown path")
        if not api.authorised(request, self.config):
            return meta_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        fault = self._fault(channel)
        if fault:
            return fault
        if channel == "sms":
            return api.sms_message(request, self)
        return api.whatsapp_message(request, self, match["phone_number_id"])

    def _fault(self, channel: str):
        faults = self.store.faults()
        if channel not in faults["channels"]:
            return None
        if faults["latency_ms"]:
            time.sleep(faults["latency_ms"] / 1000)
        if faults["outage"]:
            self.store.count(f"{channel}_503")
            return meta_error(503, 131016, "Service unavailable", "A service is temporarily unavailable")
        if faults["rate_limited"]:
            self.store.count(f"{channel}_429")
            retry = (("Retry-After", str(faults["retry_after"])),)
            return meta_error(429, 130429, "Rate limit hit", "Cloud API message throughput reached", retry)
        return None


_gateway = None
_lock = threading.Lock()


def gateway() -> Gateway:
    global _gateway
    with _lock:
        if _gateway is None:
            _gateway = Gateway()
    return _gateway


def application(environ, start_response):
    request = Request.from_environ(environ)
    try:
        response = gateway().handle(request)
    except Exception:  # noqa: BLE001 - a mock answers 500 like any server, and says so in its log
        logger.exception("mockwhatsapp: %s %s failed", request.method, request.path)
        response = meta_error(500, 1, "An unknown error occurred")
    return serve(response, start_response)
