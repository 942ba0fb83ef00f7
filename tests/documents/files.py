"""Files as a phone or a scanner makes them, and the bad ones the checks must refuse."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg_with_gps(size=(640, 480)) -> bytes:
    """A phone photo: JPEG with the camera make and a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 180, 150))
    exif = Image.Exif()
    exif[MAKE] = "SinkronPhone"
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 48.0, 0.0), 3: "E", 4: (110.0, 50.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def image_bytes(fmt: str, size=(200, 120), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (20, 120, 200) if mode == "RGB" else 128).save(out, fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's shape."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def pdf_bytes(*, password: str = "", script: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if script:  # run on opening, as a booby-trapped PDF does
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str = "scan.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def attach(ticket, actor, data: bytes, *, kind="kk", name="kk.png"):
    """Attach `data` to `ticket` as staff do (checked, stored encrypted); return the Document."""
    from documents.inspection import check_upload
    from documents.services import attach_document

    checked = check_upload(upload(data, name))
    return attach_document(ticket=ticket, actor=actor, kind=kind, checked=checked, original_name=name)
