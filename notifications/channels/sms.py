"""SMS through an HTTP gateway (NOTIFY_SMS_URL; the mock gateway's /sms/v1/messages): the text
with the warning against scams, as every WhatsApp template has it."""

from notifications.channels.http import HttpChannel


class SmsChannel(HttpChannel):
    name = "sms"
    url_setting, token_setting = "NOTIFY_SMS_URL", "NOTIFY_SMS_TOKEN"

    def deliver(self, *, to: str, message, key: str) -> str:
        return self.post(to=to, text=message.text_with_safety_note, key=key)
