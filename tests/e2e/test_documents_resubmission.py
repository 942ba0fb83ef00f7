"""The centre's "documents needed", answered from the ticket page (issue 19): the clerk attaches the
citizen's new KK in a real browser and resubmits; a real worker sends it with the push to the real
registry process, which records the unknown NIK from it, and the ticket resolves."""

import pytest
from playwright.sync_api import expect

from documents.models import Document
from sync.models import SyncAttempt
from tests.documents.files import jpeg_with_gps
from tests.integration import conftest as integration
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
# The integration tests' stack: the registry process, a Redis, a worker and beat of this module.
stack, pipeline = integration.stack, integration.pipeline


def test_documents_needed_then_the_new_kk_attached_and_resubmitted_resolves_the_ticket(
    pipeline, page, log_in, live_server
):
    ticket = pipeline.open_ticket(47, known=False)  # the centre has never recorded this NIK
    pipeline.wait_for_status([ticket], Status.ACTION_NEEDED, timeout=20)
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/{ticket.code}/")
    expect(page.locator("main")).to_contain_text("Dokumen diperlukan")

    page.get_by_label("Jenis dokumen").select_option(label="KK baru")
    photo = {"name": "kk-baru.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    page.get_by_label("Berkas", exact=True).set_input_files(photo)
    page.get_by_role("button", name="Unggah dokumen").click()
    expect(page.get_by_text("Dokumen KK baru dilampirkan.")).to_be_visible()
    page.get_by_role("button", name="Kirim ulang").click()
    expect(page.get_by_text("Data dikirim ulang ke pusat.")).to_be_visible()

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=30)
    page.reload()
    expect(page.locator("#ticket-status")).to_have_text("Selesai")
    expect(page.locator("#timeline")).to_contain_text("Dikirim bersama 1 dokumen penduduk.")
    assert Ticket.objects.count() == 1  # the same ticket all along
    assert Document.objects.filter(ticket=ticket).count() == 1
    pushes = SyncAttempt.objects.filter(job__ticket=ticket, operation="push").order_by("pk")
    assert [p.outcome for p in pushes] == ["refused", "accepted"]
    with pipeline.registry.client() as api:
        centre = api.get(f"/residents/{ticket.citizen.nik}").json()
    assert centre["kk_number"] == ticket.kk_number
    assert TicketEvent.objects.filter(ticket=ticket, to_status=Status.RESOLVED).exists()
