"""An SMS/WhatsApp gateway over HTTP: POST {"to", "text"} as JSON with a bearer token."""

import httpx

from notifications.channels.base import Channel, ChannelError
from notifications.conf import setting


class HttpChannel(Channel):
    name = "http"

    def send(self, *, to: str, text: str, subject: str) -> None:
        url = setting("NOTIFY_HTTP_URL")
        if not url:
            raise ChannelError("NOTIFY_HTTP_URL belum diatur", permanent=True)
        token = setting("NOTIFY_HTTP_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = httpx.Timeout(
            setting("NOTIFY_HTTP_READ_TIMEOUT"), connect=setting("NOTIFY_HTTP_CONNECT_TIMEOUT")
        )
        try:
            response = httpx.post(url, json={"to": to, "text": text}, headers=headers, timeout=timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise ChannelError("NOTIFY_HTTP_URL tidak valid", permanent=True) from None
        except httpx.HTTPError as exc:  # connection refused, timeouts, protocol errors: passing
            raise ChannelError(f"gateway tidak terjangkau ({type(exc).__name__}: {exc})") from None
        _raise_for(response)


def _raise_for(response: httpx.Response) -> None:
    """Map the gateway's answer: 2xx sent; 429 and 5xx passing; anything else permanent.

    The body is never quoted: a gateway may echo the phone number in its error.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429 or status >= 500:
        raise ChannelError(f"gateway HTTP {status}", retry_after=_retry_after(response))
    raise ChannelError(f"gateway menolak pesan (HTTP {status})", permanent=True)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
