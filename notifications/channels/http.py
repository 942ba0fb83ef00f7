"""An SMS/WhatsApp gateway over HTTP: POST {"to", "text"} as JSON with a bearer token.

Every send carries the notification's Idempotency-Key, so a gateway that honours it (the mock
gateway's SMS endpoint does) does not send a repeated delivery twice.
"""

import httpx

from notifications.channels.base import Channel, ChannelError
from notifications.conf import setting


class HttpChannel(Channel):
    name = "http"
    url_setting, token_setting = "NOTIFY_HTTP_URL", "NOTIFY_HTTP_TOKEN"

    def send(self, *, to: str, text: str, subject: str, key: str = "") -> None:
        self.post(to=to, text=text, key=key)

    def deliver(self, *, to: str, message, key: str) -> str:
        return self.post(to=to, text=message.text, key=key)

    def post(self, *, to: str, text: str, key: str) -> str:
        """POST the text; return the gateway's message id ("" when its answer names none)."""
        url = setting(self.url_setting)
        if not url:
            raise ChannelError(f"{self.url_setting} belum diatur", permanent=True)
        token = setting(self.token_setting)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if key:
            headers["Idempotency-Key"] = key
        timeout = httpx.Timeout(
            setting("NOTIFY_HTTP_READ_TIMEOUT"), connect=setting("NOTIFY_HTTP_CONNECT_TIMEOUT")
        )
        try:
            response = httpx.post(url, json={"to": to, "text": text}, headers=headers, timeout=timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise ChannelError(f"{self.url_setting} tidak valid", permanent=True) from None
        except httpx.HTTPError as exc:  # connection refused, timeouts, protocol errors: passing
            raise ChannelError(f"gateway tidak terjangkau ({type(exc).__name__}: {exc})") from None
        raise_for(response)
        return message_id(response)


def raise_for(response: httpx.Response) -> None:
    """Map the gateway's answer: 2xx sent; 429 and 5xx passing; anything else permanent.

    The body is never quoted: a gateway may echo the phone number in its error.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429 or status >= 500:
        raise ChannelError(f"gateway HTTP {status}", retry_after=retry_after(response))
    raise ChannelError(f"gateway menolak pesan (HTTP {status})", permanent=True)


def message_id(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("id", ""))[:100] if isinstance(body, dict) else ""


def retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
