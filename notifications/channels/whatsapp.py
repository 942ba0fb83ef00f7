"""WhatsApp through the WhatsApp Business Cloud API (or the mock gateway, mockwhatsapp/).

Business-initiated messages are approved templates with parameters (notifications.messages.TEMPLATES);
free-form text (`send_text`, the answers to a citizen's own message) is only accepted within 24
hours of the citizen's last message. Each call carries an Idempotency-Key: the mock gateway honours
it (docs/mockwhatsapp.md); in front of Meta's API a relay that honours it takes that role.
"""

import re

import httpx

from notifications.channels.base import Channel, ChannelError
from notifications.channels.http import retry_after
from notifications.conf import setting
from notifications.masking import mask_phone

# What the Graph API's error codes mean, in the words the timeline shows.
REFUSALS = {
    131026: "nomor tidak terdaftar di WhatsApp",
    131009: "nomor tidak valid untuk WhatsApp",
    131047: "di luar jendela 24 jam: hanya templat yang boleh dikirim",
    132000: "jumlah isian templat tidak cocok",
    132001: "templat belum disetujui",
    190: "token akses WhatsApp ditolak",
}


def wa_number(phone: str) -> str:
    """Return the number as WhatsApp writes it: digits only, country code first (08.. -> 628..)."""
    number = re.sub(r"\D", "", phone or "")
    return "62" + number[1:] if number.startswith("0") else number


def refusal_text(code) -> str:
    return REFUSALS.get(code, "WhatsApp menolak pesan")


class WhatsAppChannel(Channel):
    name = "whatsapp"

    def mask(self, address: str) -> str:
        return mask_phone("+" + wa_number(address))

    def reaches(self, ticket) -> bool:
        from notifications.optout import opted_out  # the models load after the channels

        address = self.address_for(ticket)
        return bool(address) and not opted_out(self.name, wa_number(address))

    def send(self, *, to: str, text: str, subject: str) -> None:
        raise ChannelError("WhatsApp hanya mengirim templat atau balasan", permanent=True)

    def deliver(self, *, to: str, message, key: str) -> str:
        if not message.template:
            raise ChannelError("tidak ada templat WhatsApp untuk pesan ini", permanent=True)
        parameters = [{"type": "text", "text": value} for value in message.parameters]
        template = {
            "name": message.template,
            "language": {"code": "id"},
            "components": [{"type": "body", "parameters": parameters}],
        }
        return self._post({"to": wa_number(to), "type": "template", "template": template}, key)

    def send_text(self, *, to: str, text: str, key: str) -> str:
        """Send free-form text (only inside the 24-hour window); return the message id."""
        return self._post({"to": wa_number(to), "type": "text", "text": {"body": text}}, key)

    def _post(self, payload: dict, key: str) -> str:
        base, number_id = setting("WHATSAPP_API_URL"), setting("WHATSAPP_PHONE_NUMBER_ID")
        if not base or not number_id:
            raise ChannelError("WHATSAPP_API_URL atau WHATSAPP_PHONE_NUMBER_ID belum diatur", permanent=True)
        url = f"{base.rstrip('/')}/{setting('WHATSAPP_API_VERSION')}/{number_id}/messages"
        headers = {"Authorization": f"Bearer {setting('WHATSAPP_ACCESS_TOKEN')}", "Idempotency-Key": key}
        timeout = httpx.Timeout(setting("WHATSAPP_READ_TIMEOUT"), connect=setting("WHATSAPP_CONNECT_TIMEOUT"))
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise ChannelError("WHATSAPP_API_URL tidak valid", permanent=True) from None
        except httpx.HTTPError as exc:  # refused, timed out: passing (the key makes a retry safe)
            raise ChannelError(f"gateway WhatsApp tidak terjangkau ({type(exc).__name__})") from None
        return _message_id(response)


def _message_id(response: httpx.Response) -> str:
    """Return the accepted message's id, or raise: 429/5xx passing, any other refusal permanent.

    The error's own text is never quoted (it may echo the number); its code is put in words."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if 200 <= status < 300:
        try:
            return str(body["messages"][0]["id"])[:100]
        except (KeyError, IndexError, TypeError):
            raise ChannelError("jawaban gateway WhatsApp tanpa id pesan") from None
    if status == 429 or status >= 500:
        raise ChannelError(f"gateway WhatsApp sibuk (HTTP {status})", retry_after=retry_after(response))
    code = (body.get("error") or {}).get("code") if isinstance(body, dict) else None
    raise ChannelError(f"WhatsApp: {refusal_text(code)}", permanent=True)
