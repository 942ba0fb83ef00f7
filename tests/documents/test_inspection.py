"""Files are judged by their content: what is accepted, how it is cleaned, and why each refusal."""

import io

import pytest
from PIL import Image

from documents.inspection import JPEG, PDF, PNG, WEBP, RefusedFile, check_upload
from tests.documents.files import GPS_IFD, MAKE, image_bytes, jpeg_with_gps, pdf_bytes, png_claiming, upload


def _refusal(data: bytes, name: str = "berkas.jpg") -> str:
    with pytest.raises(RefusedFile) as refused:
        check_upload(upload(data, name))
    return refused.value.message


def test_a_phone_photo_is_re_encoded_without_its_exif_and_gps_position():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD), "the photo carries a GPS position"
    checked = check_upload(upload(original))
    stored = Image.open(io.BytesIO(checked.content))
    assert (checked.content_type, stored.format, stored.size) == (JPEG, "JPEG", (640, 480))
    exif = stored.getexif()
    assert MAKE not in exif and not exif.get_ifd(GPS_IFD)
    assert b"SinkronPhone" not in checked.content


def test_png_webp_and_pdf_are_accepted_by_their_content_whatever_the_name():
    assert check_upload(upload(image_bytes("PNG"), "foto.pdf")).content_type == PNG
    assert check_upload(upload(image_bytes("WEBP"), "foto")).content_type == WEBP
    pdf = pdf_bytes()
    checked = check_upload(upload(pdf, "scan.jpg"))
    assert (checked.content_type, checked.content, checked.thumbnail) == (PDF, pdf, None)


def test_an_image_gets_a_small_jpeg_thumbnail():
    checked = check_upload(upload(image_bytes("PNG", size=(1200, 800))))
    thumbnail = Image.open(io.BytesIO(checked.thumbnail))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) == 320


def test_a_file_that_is_no_image_or_pdf_is_refused_whatever_its_name():
    message = _refusal(b"<html><script>alert(1)</script></html>", "ktp.jpg")
    assert message == "Jenis berkas tidak diterima. Unggah foto JPEG, PNG atau WebP, atau PDF."
    assert _refusal(b"MZ\x90\x00" + b"\x00" * 100, "kk.pdf").startswith("Jenis berkas tidak diterima")


def test_an_empty_file_is_refused():
    assert _refusal(b"") == "Berkas kosong. Pilih berkas hasil pindai atau foto dokumen."


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.DOCUMENTS_MAX_BYTES = 1024 * 1024
    assert (
        _refusal(b"\xff\xd8\xff" + b"\x00" * (1024 * 1024))
        == "Berkas terlalu besar (1 MB). Paling besar 1 MB."
    )


def test_a_truncated_photo_is_refused_as_broken():
    broken = jpeg_with_gps()[:600]
    assert _refusal(broken) == "Gambar rusak atau tidak lengkap. Foto ulang dokumennya."


def test_a_decompression_bomb_is_refused_from_its_header():
    assert _refusal(png_claiming(100_000, 100_000), "bom.png").startswith(
        "Gambar terlalu besar: lebih dari 40"
    )


def test_an_image_over_the_pixel_limit_is_refused(settings):
    settings.DOCUMENTS_MAX_PIXELS = 10_000
    message = _refusal(image_bytes("PNG", size=(200, 200)))
    assert message.startswith("Gambar terlalu besar") and "Foto ulang dengan resolusi lebih kecil." in message


def test_a_pdf_locked_with_a_password_is_refused():
    assert (
        _refusal(pdf_bytes(password="rahasia"))
        == "PDF dikunci dengan kata sandi. Unggah PDF tanpa kata sandi."
    )


def test_a_pdf_that_runs_javascript_is_refused():
    message = _refusal(pdf_bytes(script="app.alert('hai')"))
    assert message == "PDF berisi skrip atau tindakan otomatis dan tidak diterima. Pindai ulang dokumennya."


def test_a_pdf_that_does_not_parse_is_refused():
    assert (
        _refusal(b"%PDF-1.7\n" + b"\x00garbage" * 50)
        == "PDF rusak atau tidak dapat dibaca. Pindai ulang dokumennya."
    )


def test_a_pdf_with_too_many_pages_is_refused(settings):
    settings.DOCUMENTS_MAX_PDF_PAGES = 0
    assert _refusal(pdf_bytes()) == "PDF harus berisi 1 sampai 0 halaman."
