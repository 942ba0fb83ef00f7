"""Without a mouse: a clerk files a complaint, a citizen looks up its status, a supervisor escalates
a ticket, with Tab, typing and Enter only (no click()). And the citizen's status page on the
narrowest phone (320 px) with the browser's text at 200 %: no sideways scrolling, the form usable.
Every page here is also checked by axe-core (tests/e2e/accessibility.py)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from tests.cast import NIK, PASSWORD, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.e2e
TAB_LIMIT = 60  # more Tab presses than this to reach a control is no sensible order


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached with {TAB_LIMIT} presses of Tab")


def log_in_by_keyboard(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/masuk/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/tiket/")


def test_the_skip_link_comes_first_and_takes_the_keyboard_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/cek-status/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke isi halaman")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_nik")).to_be_focused()  # the first field, not the menu again


def test_a_clerk_files_a_complaint_with_the_keyboard_only(page, live_server, clerk):
    log_in_by_keyboard(page, live_server, "petugas")
    tab_to(page, "a[href='/tiket/baru/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/tiket/baru/")
    tab_to(page, "#id_nik")
    page.keyboard.type(NIK)
    page.keyboard.press("Tab")  # the NIK hint fills the birth date and the sex
    expect(page.locator("#id_birth_date")).to_have_value("1990-01-01")
    tab_to(page, "#id_full_name")
    page.keyboard.type("Siti Rahayu")
    tab_to(page, "#id_kk_number")
    page.keyboard.type("3319011503260002")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("alert")).to_contain_text("Pengaduan tersimpan dengan kode")
    expect(page.locator("h1")).to_have_text(Ticket.objects.get().display_code)


def test_a_citizen_looks_up_the_status_with_the_keyboard_only(page, live_server, office, clerk):
    cache.clear()
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    page.goto(f"{live_server.url}/cek-status/?kode={ticket.code}")
    tab_to(page, "#id_nik")
    page.keyboard.type(NIK)
    page.keyboard.press("Enter")
    expect(page.locator("#status-answer")).to_contain_text(ticket.display_code)


def test_a_supervisor_escalates_a_ticket_with_the_keyboard_only(page, live_server, office, clerk, supervisor):
    ticket = services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(5))
    )
    sent_at = timezone.now() - dt.timedelta(hours=30)
    services.mark_pushed(ticket=ticket, accepted_at=sent_at, sla_due_at=sent_at + dt.timedelta(hours=24))
    log_in_by_keyboard(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/tiket/{ticket.code}/")
    tab_to(page, "#id_reason")
    page.keyboard.type("Lewat 1x24 jam, dihubungi lewat WhatsApp pusat")
    tab_to(page, f"button[formaction='/tiket/{ticket.code}/aksi/escalate/']")
    page.keyboard.press("Enter")
    expect(page.locator("#timeline")).to_contain_text("Lewat 1x24 jam, dihubungi lewat WhatsApp pusat")
    assert Ticket.objects.get(pk=ticket.pk).status == "escalated"


def test_the_status_page_works_at_320_pixels_with_text_at_200_percent(browser, live_server, office, clerk):
    cache.clear()
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="id-ID")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/cek-status/?kode={ticket.code}")
        # Text at 200 %: every size on the page is in rem, so doubling the root's doubles them all.
        page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        assert page.evaluate("() => getComputedStyle(document.body).fontSize") == "32px"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        page.locator("#id_nik").fill(NIK)
        button = page.get_by_role("button", name="Cek Status")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320  # the whole button on screen
        button.press("Enter")
        expect(page.locator("#status-answer")).to_contain_text(ticket.display_code)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
