"""Documents in a real browser, on a phone-sized page: attached at intake, a refused file (dropped
onto the field), and the thumbnail on the ticket page."""

import pytest
from playwright.sync_api import expect

from documents.models import Document
from tests.cast import KK_NEW, NIK, PASSWORD, complaint
from tests.documents.files import jpeg_with_gps
from tests.e2e.conftest import SHOTS_DIR
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, settings, tmp_path, clerk):
    """A phone-sized page, signed in as the clerk; documents go to a folder of this test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "documents.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    context = browser.new_context(
        locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/masuk/")
    page.locator("#id_username").fill("petugas")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/tiket/")
    yield page
    context.close()


def _shot(page, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / f"documents-phone--{name}.png"), full_page=True)


def _thumbnail_is_drawn(page, kind_label: str) -> None:
    image = page.get_by_role("img", name=f"Gambar kecil dokumen {kind_label}")
    expect(image).to_be_visible()
    # Visible comes before decoded: the thumbnail's request may still be in flight.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())


def test_a_clerk_attaches_the_new_kk_at_intake_on_a_phone_and_sees_its_thumbnail(phone, live_server, clerk):
    phone.goto(f"{live_server.url}/tiket/baru/")
    phone.locator("#id_nik").fill(NIK)
    phone.locator("#id_full_name").fill("Siti Rahayu")
    phone.locator("#id_birth_date").fill("1990-01-01")
    phone.locator("input[name=sex][value=P]").check()
    phone.locator("#id_kk_number").fill(KK_NEW)
    phone.locator("#id_category").select_option("new_kk")
    phone.locator("#id_service").select_option("sscasn")
    phone.get_by_label("Jenis dokumen").select_option(label="KK baru")
    photo = {"name": "kk-baru.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    phone.get_by_label("Berkas", exact=True).set_input_files(photo)
    _shot(phone, "01-intake")
    phone.get_by_role("button", name="Simpan", exact=True).click()

    expect(phone.get_by_text("Pengaduan tersimpan dengan kode")).to_be_visible()
    ticket = Ticket.objects.get()
    assert Document.objects.get().ticket == ticket
    _thumbnail_is_drawn(phone, "KK baru")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    _shot(phone, "02-ticket-page")


def test_a_refused_file_dropped_on_the_ticket_page_says_why_and_a_photo_then_shows(
    phone, live_server, clerk, office
):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    phone.goto(f"{live_server.url}/tiket/{ticket.code}/")
    phone.get_by_label("Jenis dokumen").select_option(label="KTP-el")
    phone.locator("[data-doc-drop]").evaluate(
        """zone => {
            const dropped = new DataTransfer();
            dropped.items.add(new File(["<html>bukan foto</html>"], "ktp.jpg", {type: "image/jpeg"}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dropped, bubbles: true, cancelable: true}));
        }"""
    )
    phone.get_by_role("button", name="Unggah dokumen").click()

    error = phone.locator("#id_dokumen-file-error")
    expect(error).to_have_text("Jenis berkas tidak diterima. Unggah foto JPEG, PNG atau WebP, atau PDF.")
    expect(phone.get_by_label("Berkas", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(phone.get_by_label("Jenis dokumen")).to_have_value("ktp")
    assert not Document.objects.exists()
    _shot(phone, "03-refused")

    photo = {"name": "ktp.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    phone.get_by_label("Ambil foto").set_input_files(photo)
    phone.get_by_role("button", name="Unggah dokumen").click()
    expect(phone.get_by_text("Dokumen KTP-el dilampirkan.")).to_be_visible()
    _thumbnail_is_drawn(phone, "KTP-el")
