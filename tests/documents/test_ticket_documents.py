"""Documents on the ticket page: upload, the guarded view (office, role, audit), refusals."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from audit.models import AuditEntry
from citizens.models import PersonalDataAccess
from documents.models import Document
from tests.documents.conftest import files_in
from tests.documents.files import image_bytes, jpeg_with_gps, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _upload(client, ticket, data: bytes, *, name="kk.jpg", kind="kk", field="file"):
    url = reverse("documents:upload", args=[ticket.code])
    return client.post(url, {"dokumen-kind": kind, f"dokumen-{field}": upload(data, name)})


def test_a_clerk_attaches_a_photo_and_sees_its_thumbnail_on_the_ticket_page(
    clerk_client, ticket, documents_dir
):
    response = _upload(clerk_client, ticket, jpeg_with_gps())
    assert response.status_code == 302 and response.url.endswith("#dokumen")
    document = Document.objects.get(ticket=ticket)
    assert (document.kind, document.content_type, document.original_name) == ("kk", "image/jpeg", "kk.jpg")
    assert len(files_in(documents_dir)) == 2, "the file and its thumbnail"
    page = clerk_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()
    assert reverse("documents:thumbnail", args=[document.token]) in page
    assert "Gambar kecil dokumen KK baru" in page
    thumbnail = clerk_client.get(reverse("documents:thumbnail", args=[document.token]))
    assert thumbnail["Content-Type"] == "image/jpeg" and thumbnail["Cache-Control"] == "no-store, private"
    assert Image.open(io.BytesIO(thumbnail.content)).size == (320, 240)


def test_the_camera_field_attaches_a_photo_too(clerk_client, ticket):
    _upload(clerk_client, ticket, image_bytes("PNG"), name="foto.png", kind="ktp", field="photo")
    assert Document.objects.get(ticket=ticket).kind == "ktp"


def test_the_files_on_disk_are_encrypted(clerk_client, ticket, documents_dir):
    photo = image_bytes("PNG", size=(64, 64))
    _upload(clerk_client, ticket, photo, name="foto.png")
    stored = Document.objects.get()
    for path in files_in(documents_dir):
        raw = path.read_bytes()
        assert (
            not raw.startswith(b"\x89PNG") and not raw.startswith(b"\xff\xd8") and raw.startswith(b"gAAAAA")
        )
    shown = clerk_client.get(reverse("documents:show", args=[stored.token]))
    assert (
        shown.content.startswith(b"\x89PNG") and shown["Content-Disposition"] == 'inline; filename="foto.png"'
    )


def test_every_view_of_a_document_is_recorded_on_the_audit_trail(clerk_client, clerk, ticket):
    _upload(clerk_client, ticket, pdf_bytes(), name="akta lahir.pdf", kind="akta")
    document = Document.objects.get()
    response = clerk_client.get(reverse("documents:show", args=[document.token]))
    assert response["Content-Disposition"] == 'attachment; filename="akta_lahir.pdf"'
    entry = AuditEntry.objects.get(action="view_document")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.office) == (
        clerk.pk,
        "ticket",
        ticket.code,
        "3319",
    )
    access = PersonalDataAccess.objects.get(citizen=ticket.citizen)
    assert access.purpose == f"dokumen Akta {ticket.code}"


def test_a_refused_file_says_why_beside_the_field_and_keeps_the_chosen_kind(
    clerk_client, ticket, documents_dir
):
    response = _upload(clerk_client, ticket, b"GIF89a not accepted", name="ktp.gif", kind="ktp")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_dokumen-file-error"' in page
    assert "Jenis berkas tidak diterima. Unggah foto JPEG, PNG atau WebP, atau PDF." in page
    assert '<option value="ktp" selected>' in page
    assert not Document.objects.exists() and files_in(documents_dir) == []


def test_an_upload_with_no_file_asks_for_one(clerk_client, ticket):
    response = clerk_client.post(reverse("documents:upload", args=[ticket.code]), {"dokumen-kind": "kk"})
    assert (
        response.status_code == 400 and "Pilih berkas atau ambil foto dokumen." in response.content.decode()
    )


def test_staff_of_another_office_get_a_404_for_the_document_and_the_upload(
    client, other_clerk, clerk_client, ticket
):
    _upload(clerk_client, ticket, image_bytes("PNG"))
    token = Document.objects.get().token
    client.force_login(other_clerk)
    assert client.get(reverse("documents:show", args=[token])).status_code == 404
    assert client.get(reverse("documents:thumbnail", args=[token])).status_code == 404
    assert _upload(client, ticket, image_bytes("PNG")).status_code == 404
    assert not AuditEntry.objects.filter(action="view_document").exists()


def test_nobody_signed_out_sees_a_document(client, clerk_client, ticket):
    _upload(clerk_client, ticket, image_bytes("PNG"))
    token = Document.objects.get().token
    client.logout()
    response = client.get(reverse("documents:show", args=[token]))
    assert response.status_code == 302 and "/masuk/" in response.url


def test_a_document_is_addressed_by_a_random_token_not_its_id(clerk_client, ticket):
    _upload(clerk_client, ticket, image_bytes("PNG"))
    _upload(clerk_client, ticket, image_bytes("PNG"))
    first, second = Document.objects.order_by("pk")
    assert len(first.token) >= 32 and first.token != second.token
    assert str(first.pk) not in reverse("documents:show", args=[first.token]).split("/")


def test_a_file_name_holding_a_nik_is_masked(clerk_client, ticket):
    _upload(clerk_client, ticket, image_bytes("PNG"), name="KK 3319014101900001.png")
    assert Document.objects.get().original_name == "KK_xxxxxxxxxxxx0001.png"


def test_a_file_and_a_camera_photo_at_once_are_refused(clerk_client, ticket):
    url = reverse("documents:upload", args=[ticket.code])
    data = {
        "dokumen-kind": "kk",
        "dokumen-file": upload(image_bytes("PNG"), "a.png"),
        "dokumen-photo": upload(image_bytes("PNG"), "b.png"),
    }
    response = clerk_client.post(url, data)
    assert (
        response.status_code == 400
        and "Pilih satu saja: berkas atau foto kamera." in response.content.decode()
    )
    assert not Document.objects.exists()
