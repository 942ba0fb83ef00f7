"""The demo's window on the gateway: every conversation, and one as a WhatsApp-like chat.

A conversation's address is a digest of the number, never the number itself; numbers show masked.
"""

import hashlib
import html
import time

TICKS = {"accepted": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "failed": "⚠", "received": ""}
STYLE = """
body{font-family:system-ui,sans-serif;background:#efeae2;margin:0}
header{background:#075e54;color:#fff;padding:12px 16px;font-size:18px}
main{max-width:720px;margin:0 auto;padding:12px}
.bubble{max-width:75%;padding:8px 10px;margin:6px 0;border-radius:8px;white-space:pre-wrap;
box-shadow:0 1px 1px rgba(0,0,0,.15)}
.in{background:#fff;margin-right:auto}.out{background:#d9fdd3;margin-left:auto}
.meta{font-size:12px;color:#667;text-align:right}.read{color:#34b7f1}.failed{color:#c00}
.sms{border:1px dashed #999}a{color:#075e54}li{margin:6px 0}
"""


def wib(timestamp: float, pattern: str) -> str:
    """Format a time in WIB (UTC+7), whatever the machine's zone."""
    return time.strftime(pattern, time.gmtime(timestamp + 7 * 3600)) + " WIB"


def conversation_id(phone: str) -> str:
    return hashlib.sha256(phone.encode()).hexdigest()[:12]


def masked(phone: str) -> str:
    return phone[:5] + "****" + phone[-4:] if len(phone) > 9 else "****"


def _page(title: str, content: str, refresh: bool = False) -> str:
    meta = '<meta http-equiv="refresh" content="3">' if refresh else ""
    return (
        f'<!doctype html><html lang="id"><head><meta charset="utf-8">{meta}'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><header>{html.escape(title)}</header><main>{content}</main></body></html>"
    )


NEW_FORM = (
    '<form method="post" action="/conversations/new"><p>Tulis sebagai warga dari nomor '
    '<input name="from" placeholder="6281234567890" required> '
    '<input name="text" placeholder="CEK ABCDE-FGHJK" required> <button>Kirim</button></p></form>'
)


def index(store) -> str:
    rows = store.conversations()
    if not rows:
        return _page("Mock WhatsApp gateway", "<p>Belum ada percakapan.</p>" + NEW_FORM)
    items = "".join(
        f'<li><a href="/conversations/{conversation_id(r["phone"])}">+{html.escape(masked(r["phone"]))}</a> '
        f"— {r['count']} pesan, terakhir {wib(r['last_at'], '%d/%m/%Y %H:%M')}</li>"
        for r in rows
    )
    return _page("Mock WhatsApp gateway", f"<h2>Percakapan</h2><ul>{items}</ul>{NEW_FORM}")


def conversation(store, wanted: str) -> str | None:
    phone = phone_of(store, wanted)
    if phone is None:
        return None
    bubbles = "".join(_bubble(m) for m in store.messages(phone))
    back = '<p><a href="/">&larr; semua percakapan</a> · <a href="">muat ulang</a></p>'
    reply = (
        f'<form method="post" action="/conversations/{wanted}/send"><p>Balas sebagai warga: '
        '<input name="text" size="40" required autofocus> <button>Kirim</button></p></form>'
    )
    return _page(f"+{masked(phone)}", back + bubbles + reply)


def phone_of(store, wanted: str) -> str | None:
    return next((r["phone"] for r in store.conversations() if conversation_id(r["phone"]) == wanted), None)


def _bubble(message: dict) -> str:
    side = "in" if message["direction"] == "in" else "out"
    status = message["status"]
    tick_class = "read" if status == "read" else "failed" if status == "failed" else ""
    label = "SMS · " if message["channel"] == "sms" else ""
    when = wib(message["created_at"], "%H:%M")
    ticks = TICKS.get(status, "") if side == "out" else ""
    sms = " sms" if message["channel"] == "sms" else ""
    return (
        f'<div class="bubble {side}{sms}" data-status="{status}">{html.escape(message["body"])}'
        f'<div class="meta">{label}{when} <span class="{tick_class}">{ticks}</span></div></div>'
    )
