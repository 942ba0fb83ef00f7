"""Masked forms of a citizen's phone number and e-mail address (UU PDP: no full contact in records).

Pure functions, no Django: "+6281234567890" -> "+62812****7890", "siti@gmail.com" -> "s***@gmail.com".
"""


def mask_phone(phone: str | None) -> str:
    """Return the phone with its middle hidden: country and operator prefix, then the last four."""
    phone = "".join((phone or "").split())
    if not phone:
        return ""
    if len(phone) < 10:
        return "****" + phone[-2:]
    head = 6 if phone.startswith("+") else 5
    return phone[:head] + "****" + phone[-4:]


def mask_email(address: str | None) -> str:
    """Return the address with its local part hidden but the first letter."""
    address = (address or "").strip()
    if not address:
        return ""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***"
    return local[0] + "***@" + domain
