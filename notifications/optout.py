"""Who asked not to be messaged on a channel: recorded by the inbound side (whatsapp/), read when
a ticket's channel chain is built (services.channel_chain)."""

from django.utils import timezone

from core.crypto import blind_index
from notifications.models import OptOut


def _digest(channel: str, address: str) -> str:
    return blind_index(f"optout-{channel}", address)


def record_opt_out(channel: str, address: str) -> None:
    OptOut.objects.update_or_create(
        channel=channel, address_digest=_digest(channel, address), defaults={"opted_out_at": timezone.now()}
    )


def clear_opt_out(channel: str, address: str) -> None:
    OptOut.objects.filter(channel=channel, address_digest=_digest(channel, address)).delete()


def opted_out(channel: str, address: str) -> bool:
    return OptOut.objects.filter(channel=channel, address_digest=_digest(channel, address)).exists()
