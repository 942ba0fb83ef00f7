"""The demo's first conversation (MOCKWHATSAPP_DEMO_SEED=1): a citizen hears that her complaint was
recorded, asks when the office is open, and gets the help text, all as if it had happened."""

import time

from mockwhatsapp import approved

PHONE = "6281234500001"
STEPS = [
    ("out", approved.render(
        "sinkron_pengaduan_diterima",
        ["Disdukcapil Kabupaten Kudus", "DEMOA-BCDEF", "http://127.0.0.1:8000/cek-status/?kode=DEMOABCDEF"],
    ), "sinkron_pengaduan_diterima", "read"),
    ("in", "Halo, kantor buka jam berapa?", "", "received"),
    ("out", "Halo, ini layanan WhatsApp Disdukcapil. Ketik CEK <kode tiket> (kode pada tanda terima, "
     "mis. CEK ABCDE-FGHJK) untuk melihat status pengaduan Anda. Jam layanan loket: Senin-Jumat "
     "08.00-15.00 WIB. Disdukcapil tidak pernah meminta pembayaran, kata sandi, atau kode OTP.", "", "read"),
]  # fmt: skip


def seed_if_empty(store) -> None:
    if store.conversations():
        return
    start = time.time() - 600
    for offset, (direction, body, template, status) in enumerate(STEPS):
        store.add_demo_message(
            direction=direction,
            phone=PHONE,
            body=body,
            template=template,
            status=status,
            at=start + offset * 60,
        )
