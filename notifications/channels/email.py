"""E-mail through Django's configured backend (EMAIL_BACKEND, EMAIL_HOST, ...)."""

import smtplib

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.utils.translation import gettext_lazy as _

from notifications.channels.base import Channel, ChannelError
from notifications.conf import setting
from notifications.masking import mask_email


class EmailChannel(Channel):
    name = "email"
    no_address = _("tidak ada alamat e-mail")

    def address_for(self, ticket) -> str:
        return (ticket.email or "").strip()

    def mask(self, address: str) -> str:
        return mask_email(address)

    def send(self, *, to: str, text: str, subject: str) -> None:
        sender = setting("NOTIFY_EMAIL_FROM") or settings.DEFAULT_FROM_EMAIL
        try:
            connection = get_connection(timeout=setting("NOTIFY_EMAIL_TIMEOUT"))
            send_mail(subject, text, sender, [to], connection=connection)
        # The SMTP errors' own text names the recipient: keep only the code.
        except smtplib.SMTPRecipientsRefused:
            raise ChannelError("server e-mail menolak alamat penerima", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise ChannelError(
                f"server e-mail menjawab {exc.smtp_code}", permanent=exc.smtp_code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"server e-mail tidak terjangkau ({type(exc).__name__})") from None
