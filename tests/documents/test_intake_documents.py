"""A document at intake: saved with the new ticket, or refused with the rest of the form kept."""

import pytest
from django.urls import reverse

from documents.models import Document
from tests.cast import NIK
from tests.documents.conftest import files_in
from tests.documents.files import jpeg_with_gps, upload
from tests.tickets.test_intake_view import form_data
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("tickets:intake")


def test_the_intake_form_offers_a_document_field_and_the_phone_camera(clerk_client):
    page = clerk_client.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert (
        'name="dokumen-file"' in page and 'accept="image/jpeg,image/png,image/webp,application/pdf"' in page
    )
    assert 'name="dokumen-photo"' in page and 'capture="environment"' in page
    assert '<label class="form-label" for="id_dokumen-photo">Ambil foto</label>' in page


def test_a_document_given_at_intake_is_attached_to_the_new_ticket(clerk_client, documents_dir):
    data = form_data(**{"dokumen-kind": "kk", "dokumen-file": upload(jpeg_with_gps(), "kk-baru.jpg")})
    response = clerk_client.post(URL, data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.ticket, document.kind, document.original_name) == (ticket, "kk", "kk-baru.jpg")
    assert len(files_in(documents_dir)) == 2


def test_an_intake_without_a_document_still_opens_the_ticket(clerk_client, documents_dir):
    assert clerk_client.post(URL, form_data(**{"dokumen-kind": "kk"})).status_code == 302
    assert Ticket.objects.count() == 1 and not Document.objects.exists()


def test_a_refused_file_at_intake_says_why_and_keeps_everything_typed(clerk_client, documents_dir):
    data = form_data(**{"dokumen-kind": "ktp", "dokumen-file": upload(b"PK\x03\x04 zip", "ktp.jpg")})
    response = clerk_client.post(URL, data)
    assert response.status_code == 200 and not Ticket.objects.exists()
    page = response.content.decode()
    assert "Jenis berkas tidak diterima. Unggah foto JPEG, PNG atau WebP, atau PDF." in page
    assert f'value="{NIK}"' in page and 'value="Siti Rahayu"' in page
    assert "SSCASN menolak NIK dan KK." in page and '<option value="ktp" selected>' in page
    assert files_in(documents_dir) == []


def test_a_form_error_elsewhere_saves_no_document(clerk_client, documents_dir):
    data = form_data(nik=NIK[:15], **{"dokumen-kind": "kk", "dokumen-file": upload(jpeg_with_gps())})
    response = clerk_client.post(URL, data)
    assert (
        response.status_code == 200 and "NIK harus terdiri dari 16 digit angka." in response.content.decode()
    )
    assert not Document.objects.exists() and files_in(documents_dir) == []


def test_a_file_at_intake_without_its_kind_is_refused(clerk_client, documents_dir):
    data = form_data(**{"dokumen-kind": "", "dokumen-file": upload(jpeg_with_gps())})
    response = clerk_client.post(URL, data)
    assert response.status_code == 200 and "Pilih jenis dokumen." in response.content.decode()
    assert not Ticket.objects.exists() and files_in(documents_dir) == []
