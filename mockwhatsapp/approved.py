"""The message templates "approved by Meta" for this business account, as the gateway knows them.

Business-initiated messages may only be these, with exactly their number of parameters. Each body
ends with the warning against scams that impersonate Dukcapil.
"""

SAFETY = "Disdukcapil tidak pernah meminta pembayaran, kata sandi, atau kode OTP."

TEMPLATES = {
    "sinkron_pengaduan_diterima": (
        "{{1}}: Pengaduan Anda tercatat dengan kode tiket {{2}}. Data dikirim ke pusat dan diproses "
        "maks. 1x24 jam. Cek status: {{3}}"
    ),
    "sinkron_diteruskan_ke_pusat": (
        "{{1}}: Mohon maaf, perbaikan data tiket {{2}} melebihi 1x24 jam. Petugas kami sudah "
        "meneruskannya ke pusat; perkiraan selesai paling lambat 1x24 jam berikutnya. Cek status: {{3}}"
    ),
    "sinkron_selesai": (
        "{{1}}: Data Anda sudah sinkron di pusat. Silakan coba login {{2}} kembali. Tiket {{3}}: {{4}}"
    ),
    "sinkron_perlu_tindakan": (
        "{{1}}: Pengaduan {{2}} belum dapat diproses pusat. Mohon datang ke loket dengan membawa {{3}}. "
        "Info: {{4}}"
    ),
    "sinkron_selesai_di_pusat": (
        "{{1}}: Data Anda sudah diperbarui di pusat. {{2}} biasanya menyusul maks. {{3}}; kami kabari "
        "lagi setelahnya. Tiket {{4}}: {{5}}"
    ),
    "sinkron_tindakan": "{{1}}: Pengaduan {{2}}: {{3}} Info: {{4}}",
    "sinkron_kode_tiket": "{{1}}: Kode tiket Anda: {{2}}. Cek status: {{3}}",
    "sinkron_eskalasi_pusat": "Eskalasi dari {{1}}, tiket {{2}}. Mohon percepat pembaruan data: {{3}}",
}


def parameter_count(body: str) -> int:
    return sum(1 for n in range(1, 10) if f"{{{{{n}}}}}" in body)


def render(name: str, parameters: list[str]) -> str:
    body = TEMPLATES[name]
    for number, value in enumerate(parameters, start=1):
        body = body.replace(f"{{{{{number}}}}}", value)
    return f"{body}\n\n{SAFETY}"
