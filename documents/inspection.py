"""Check an uploaded file by its content, never its name, and make the bytes that are stored.

Accepted: JPEG, PNG, WebP (by magic bytes) and PDF. Images are decoded under a pixel limit (a small
file can unpack to gigabytes: a decompression bomb) and re-encoded from their pixels alone, so no
EXIF (GPS position, phone model), comment or colour profile survives; a thumbnail is made from the
same pixels. PDFs must parse, carry no password and no JavaScript. Every refusal says why in
Indonesian, in the person's words.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
THUMBNAIL_BOX = (320, 320)
# PDF name objects that run code or act on opening; cheap to find in the raw bytes, and the catalog
# check below catches the ones hidden in compressed object streams.
PDF_SCRIPT_MARKERS = (b"/JavaScript", b"/JS", b"/Launch", b"/OpenAction", b"/AA")


class RefusedFile(Exception):
    """The file is not accepted; `message` says why, for the person at the counter."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    thumbnail: bytes | None  # JPEG; None for a PDF

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(head: bytes) -> str | None:
    """Return the content type the first bytes announce, or None for anything not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def check_upload(upload) -> CheckedFile:
    """Return the checked (and for images re-encoded) file, or raise RefusedFile."""
    limit = settings.DOCUMENTS_MAX_BYTES
    if upload.size == 0:
        raise RefusedFile(_("Berkas kosong. Pilih berkas hasil pindai atau foto dokumen."))
    if upload.size > limit:
        raise RefusedFile(
            _("Berkas terlalu besar (%(size)s MB). Paling besar %(limit)s MB.")
            % {"size": _megabytes(upload.size), "limit": _megabytes(limit)}
        )
    upload.seek(0)
    data = upload.read()
    content_type = sniff(data[:16])
    if content_type is None:
        raise RefusedFile(_("Jenis berkas tidak diterima. Unggah foto JPEG, PNG atau WebP, atau PDF."))
    if content_type == PDF:
        check_pdf(data)
        return CheckedFile(content=data, content_type=PDF, thumbnail=None)
    return reencode_image(data, content_type)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").replace(",0", "")


# --- images --------------------------------------------------------------------------------------


def reencode_image(data: bytes, content_type: str) -> CheckedFile:
    """Decode the image under the pixel limit and return it re-encoded, with its thumbnail."""
    image = _decoded(data, content_type)
    clean = _pixels_only(ImageOps.exif_transpose(image))
    return CheckedFile(
        content=_encoded(clean, content_type), content_type=content_type, thumbnail=thumbnail_of(clean)
    )


def _decoded(data: bytes, content_type: str) -> Image.Image:
    broken = _("Gambar rusak atau tidak lengkap. Foto ulang dokumennya.")
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise RefusedFile(_too_many_pixels()) from None
    except (OSError, SyntaxError, ValueError):  # UnidentifiedImageError is an OSError
        raise RefusedFile(broken) from None
    if image.format != PIL_FORMATS[content_type]:
        raise RefusedFile(broken)
    width, height = image.size
    if width * height > settings.DOCUMENTS_MAX_PIXELS:  # read from the header, before decoding
        raise RefusedFile(_too_many_pixels())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise RefusedFile(broken) from None
    return image


def _too_many_pixels() -> str:
    megapixels = settings.DOCUMENTS_MAX_PIXELS // 1_000_000
    return _(
        "Gambar terlalu besar: lebih dari %(mp)s megapiksel. Foto ulang dengan resolusi lebih kecil."
    ) % {"mp": megapixels}


def _pixels_only(image: Image.Image) -> Image.Image:
    """Return a new image holding the pixels alone: no EXIF, text chunks, comments or profiles."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") and _has_alpha(image) else "RGB"
    pixels = image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encoded(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == JPEG:
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif content_type == PNG:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=88)
    return out.getvalue()


def thumbnail_of(image: Image.Image) -> bytes:
    small = image.convert("RGB")
    small.thumbnail(THUMBNAIL_BOX)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


# --- PDFs ----------------------------------------------------------------------------------------


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that does not parse, is locked with a password, or carries scripts or actions."""
    if any(marker in data for marker in PDF_SCRIPT_MARKERS):
        raise RefusedFile(_scripted())
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise RefusedFile(_("PDF dikunci dengan kata sandi. Unggah PDF tanpa kata sandi."))
        pages = len(reader.pages)
        catalog = reader.trailer["/Root"]
        names = catalog.get("/Names")
        scripted = "/OpenAction" in catalog or "/AA" in catalog or (names and "/JavaScript" in names)
    except RefusedFile:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, RecursionError, OSError):
        raise RefusedFile(_("PDF rusak atau tidak dapat dibaca. Pindai ulang dokumennya.")) from None
    if scripted:
        raise RefusedFile(_scripted())
    if pages == 0 or pages > settings.DOCUMENTS_MAX_PDF_PAGES:
        raise RefusedFile(
            _("PDF harus berisi 1 sampai %(max)s halaman.") % {"max": settings.DOCUMENTS_MAX_PDF_PAGES}
        )


def _scripted() -> str:
    return _("PDF berisi skrip atau tindakan otomatis dan tidak diterima. Pindai ulang dokumennya.")
