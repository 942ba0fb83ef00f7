"""The notification settings and their defaults, read at call time (never at import time).

helpdesk/settings.py reads each of them from the environment with the same default (README lists
them); a missing one takes the default here, so the app works before the settings module knows it.
"""

from django.conf import settings

DEFAULTS = {
    "NOTIFY_CHANNEL": "console",  # console | email | http | whatsapp | sms
    "NOTIFY_FALLBACK": "",  # channels tried after a permanent failure, in order, e.g. "sms,email"
    "NOTIFY_MAX_ATTEMPTS": 5,  # sends tried before a notification is failed for good
    "NOTIFY_RETRY_BASE_SECONDS": 60.0,  # first retry after 30-60 s, doubling ...
    "NOTIFY_RETRY_MAX_SECONDS": 3600.0,  # ... up to this
    "NOTIFY_CLAIM_SECONDS": 90,  # a worker's lease on a notification; > the task's hard time limit
    "NOTIFY_REDRIVE_BATCH": 500,  # most notifications one redrive run re-publishes
    "NOTIFY_HTTP_URL": "",
    "NOTIFY_HTTP_TOKEN": "",
    "NOTIFY_HTTP_CONNECT_TIMEOUT": 3.0,
    "NOTIFY_HTTP_READ_TIMEOUT": 10.0,
    "NOTIFY_EMAIL_FROM": "",  # empty: DEFAULT_FROM_EMAIL
    "NOTIFY_EMAIL_TIMEOUT": 10.0,
    # The SMS gateway (POST {"to", "text"} with a bearer token and an Idempotency-Key).
    "NOTIFY_SMS_URL": "",
    "NOTIFY_SMS_TOKEN": "",
    # The WhatsApp Business Cloud API (or the mock gateway, mockwhatsapp/).
    "WHATSAPP_API_URL": "",  # e.g. http://127.0.0.1:8002 (the mock); empty: WhatsApp is off
    "WHATSAPP_API_VERSION": "v19.0",
    "WHATSAPP_PHONE_NUMBER_ID": "",
    "WHATSAPP_ACCESS_TOKEN": "",
    "WHATSAPP_APP_SECRET": "",  # signs the webhook's X-Hub-Signature-256
    "WHATSAPP_VERIFY_TOKEN": "",  # the webhook's GET handshake
    "WHATSAPP_CONNECT_TIMEOUT": 3.0,
    "WHATSAPP_READ_TIMEOUT": 10.0,
    # The centre's WhatsApp (Halo Dukcapil) when the office has no central_contact_whatsapp.
    "WHATSAPP_CENTRE_NUMBER": "08118005373",
}


def setting(name: str):
    """Return the current value of notification setting `name` (Django settings, else the default)."""
    return getattr(settings, name, DEFAULTS[name])
