"""A citizen on a phone, from the slip's QR link to the status of their complaint."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.cast import NIK, complaint
from tickets import services

pytestmark = pytest.mark.e2e
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}


@pytest.fixture
def ticket(office, clerk):
    cache.clear()
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_citizen_opens_the_qr_link_on_a_phone_and_sees_the_status(browser, live_server, ticket, javascript):
    context = browser.new_context(java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(f"{live_server.url}/cek-status/?kode={ticket.code}")
        expect(page.locator("#id_kode")).to_have_value(ticket.display_code)  # as printed on the slip
        page.locator("#id_nik").fill(NIK)
        page.get_by_role("button", name="Cek Status").click()
        answer = page.locator("#status-answer")
        expect(answer).to_contain_text(ticket.display_code)
        expect(answer).to_contain_text("Menunggu sinkronisasi (maks. 1x24 jam)")
        expect(answer).to_contain_text("S**i R****u")
        assert NIK not in page.content()
        assert not any(NIK in url for url in requested)
        # Mobile first: nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
